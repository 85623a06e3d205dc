import KubeModel

// ClusterSetImport: the hub's resolution of one service exported through the Multi-Cluster
// Services API, written by hub-net-controller-manager into `fleet-member-<cluster>` of every
// member (named like the InternalServiceExport of that service). The member agent, which can read
// only its own hub namespace, turns it into a `multicluster.x-k8s.io` ServiceImport where the
// service's namespace exists. Ours, not the reference's: reference agents never see it.

/// A service the fleet exports through the MCS API, as one member should import it
/// (networking.fleet.azure.com/v1alpha1).
public struct ClusterSetImport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "ClusterSetImport"
    public static let plural = "clustersetimports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: ClusterSetImportSpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: ClusterSetImportSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct ClusterSetImportSpec: Codable, Sendable, Hashable {
    /// The imported service.
    public var service: OwnerServiceReference
    /// The import's properties (ports, type, session affinity, families, traffic policies); `ips`
    /// are the importing member's and never set here.
    public var serviceImport: MCSServiceImportSpec
    /// The exporting clusters whose endpoints back the import, sorted.
    public var clusters: [ClusterStatus]
    /// The clusters serving each port, by port name (per-port routing: a port only some clusters
    /// expose reaches only those clusters' endpoints).
    public var portClusters: [PortClusters]?
    /// Labels for the member ServiceImport (the oldest export's `exportedLabels`).
    public var labels: [String: String]?
    /// Annotations for the member ServiceImport (the oldest export's `exportedAnnotations`).
    public var annotations: [String: String]?

    public init(
        service: OwnerServiceReference, serviceImport: MCSServiceImportSpec, clusters: [ClusterStatus],
        portClusters: [PortClusters]? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil
    ) {
        self.service = service
        self.serviceImport = serviceImport
        self.clusters = clusters
        self.portClusters = portClusters
        self.labels = labels
        self.annotations = annotations
    }
}

/// The clusters that serve one port of an imported service.
public struct PortClusters: Codable, Sendable, Hashable {
    /// The port's name (empty for the unnamed port of a single-port service).
    public var name: String
    public var clusters: [String]

    public init(name: String, clusters: [String]) {
        self.name = name
        self.clusters = clusters
    }
}

extension ClusterSetImport {
    /// The CRD of ClusterSetImport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["csimport"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "ClusterSetImport is the hub's resolution of a service exported through the Multi-Cluster Services API, as one member cluster imports it.",
                    properties: [
                        "spec": .object(
                            "ClusterSetImportSpec describes the import.",
                            properties: [
                                "service": OpenAPISchema.ownerServiceReference.describing("The imported service."),
                                "serviceImport": MCSServiceImport.specSchema.describing(
                                    "The properties of the member's multicluster.x-k8s.io ServiceImport (without ips)."),
                                "clusters": OpenAPISchema.clusterStatusList,
                                "portClusters": OpenAPISchema.array(
                                    "The clusters serving each port, by port name.",
                                    of: .object(
                                        properties: [
                                            "name": .string("The port's name (empty for an unnamed port)."),
                                            "clusters": OpenAPISchema.array("The clusters serving the port.", of: .string()),
                                        ],
                                        required: ["clusters", "name"])
                                ).listMap(keys: ["name"]),
                                "labels": .stringMap("Labels of the member ServiceImport."),
                                "annotations": .stringMap("Annotations of the member ServiceImport."),
                            ],
                            required: ["clusters", "service", "serviceImport"])
                    ],
                    required: ["spec"],
                    limitsNameLength: false),
                printerColumns: [
                    .init(name: "Service", jsonPath: ".spec.service.namespacedName"),
                    .init(name: "Type", jsonPath: ".spec.serviceImport.type"),
                    .age,
                ],
                hasStatusSubresource: false)
        ],
        summary: """
            Internal (ours): the hub's resolution of a service exported through the Multi-Cluster \
            Services API, written by hub-net-controller-manager into `fleet-member-<cluster>` of \
            every member, named like the service's InternalServiceExport. The member's \
            member-net-controller-manager turns it into a `multicluster.x-k8s.io` ServiceImport \
            where the service's namespace exists, with the endpoints of `spec.clusters`.
            """)
}
