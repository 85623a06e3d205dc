import KubeModel

/// Which CRDs of the group a cluster gets: a hub all of them, a member only those its agents use.
public enum InstallMode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case hub
    case member

    public var description: String { rawValue }

    /// Whether `crd` is installed in this mode: its group is the fleet-networking group and, in
    /// member mode, its plural is one of `CRDInstallerConstants.memberResources`.
    public func includes(_ crd: CustomResourceDefinition) -> Bool {
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
