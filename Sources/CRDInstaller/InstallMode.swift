import KubeModel

/// Which CRDs of the group a cluster gets: a hub all of them, a member only those its agents use.
public enum InstallMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case hub
    case member

    public var description: String { rawValue }

    /// Whether `crd` is installed in this mode: a hub gets every CRD of the fleet-networking
    /// group; a member gets those whose plural is one of `CRDInstallerConstants.memberResources`,
    /// and the Multi-Cluster Services API (`multicluster.x-k8s.io`).
    public func includes(_ crd: CustomResourceDefinition) -> Bool {
        if crd.spec.group == CRDInstallerConstants.memberOnlyGroup { return self == .member }
        guard crd.spec.group == CRDInstallerConstants.group else { return false }
        switch self {
        case .hub:
            return true
        case .member:
            return CRDInstallerConstants.memberResources.contains(crd.spec.names.plural)
        }
    }

    /// The CRDs of `crds` installed in this mode, in their original order.
    public func select(_ crds: [CustomResourceDefinition]) -> [CustomResourceDefinition] {
        crds.filter(includes)
    }
}
