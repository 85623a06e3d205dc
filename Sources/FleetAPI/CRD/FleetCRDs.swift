import KubeModel

// The catalogue of the fleet's CRDs: every networking kind, and the Fleet core kinds networking
// depends on. The manifests under config/crd, net-crd-installer's member/hub selection and the
// local fleet all start from here.

public enum FleetCRDs {
    /// Every kind of networking.fleet.azure.com, in the order the reference lists them.
    public static let networking: [CRDDefinition] = [
        ServiceExport.definition,
        ServiceImport.definition,
        InternalServiceExport.definition,
        InternalServiceImport.definition,
        EndpointSliceExport.definition,
        EndpointSliceImport.definition,
        MultiClusterService.definition,
        TrafficManagerProfile.definition,
        TrafficManagerBackend.definition,
        ClusterSetImport.definition,
    ]

    /// The Multi-Cluster Services API (multicluster.x-k8s.io), served in members only: the hub is
    /// not a member and keeps `kubectl get serviceimport` meaning the fleet kind there.
    public static let multiClusterServicesAPI: [CRDDefinition] = MCSCRDs.all

    /// The Fleet core kinds networking reads and writes (installed by Fleet in real fleets).
    public static let fleetCore: [CRDDefinition] = [
        MemberCluster.definition,
        InternalMemberCluster.definition,
    ]

    /// The networking kinds a member cluster serves (net-crd-installer `--mode member`).
    public static let memberPlurals: Set<String> = [
        ServiceExport.plural, ServiceImport.plural, MultiClusterService.plural,
    ]

    /// The CRDs for a member cluster: the member's networking kinds and the MCS API.
    public static var member: [CRDDefinition] {
        networking.filter { memberPlurals.contains($0.plural) } + multiClusterServicesAPI
    }

    /// The CRDs for the hub: every networking kind.
    public static var hub: [CRDDefinition] { networking }

    /// The manifest file name controller-gen would use: `<group>_<plural>.yaml`.
    public static func fileName(of definition: CRDDefinition) -> String {
        "\(definition.group)_\(definition.plural).yaml"
    }
}
