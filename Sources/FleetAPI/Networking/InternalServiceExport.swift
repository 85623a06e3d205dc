import KubeModel

// InternalServiceExport: a member's export as the hub sees it, in `fleet-member-<cluster>`
// (reference-api §1.6). Written by the member agent; the hub resolves the ServiceImport from all
// of them and reports the Conflict condition back in its status.

/// A member's exported Service on the hub (networking.fleet.azure.com/v1alpha1).
public struct InternalServiceExport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "InternalServiceExport"
    public static let plural = "internalserviceexports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: InternalServiceExportSpec?
    public var status: InternalServiceExportStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: InternalServiceExportSpec? = nil,
        status: InternalServiceExportStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct InternalServiceExportSpec: Codable, Sendable, Hashable {
    /// The Service's ports. Always written, even when empty (the schema requires it).
    public var ports: [FleetServicePort]
    public var serviceReference: ExportedObjectReference
    /// The Service's type (Traffic Manager only).
    public var type: String?
    public var isDNSLabelConfigured: Bool?
    public var isInternalLoadBalancer: Bool?
    public var publicIPResourceID: String?
    /// The export's weight, [0, 1000]; nil means 1.
    public var weight: Int64?
    /// Present when the export came through the Multi-Cluster Services API (ours; the reference's
    /// agents never write it and ignore it): what the hub needs to resolve the service by the
    /// KEP-1645 rules.
    public var clusterSetExport: ClusterSetExport?

    public init(
        ports: [FleetServicePort], serviceReference: ExportedObjectReference, type: String? = nil,
        isDNSLabelConfigured: Bool? = nil, isInternalLoadBalancer: Bool? = nil,
        publicIPResourceID: String? = nil, weight: Int64? = nil, clusterSetExport: ClusterSetExport? = nil
    ) {
        self.ports = ports
        self.serviceReference = serviceReference
        self.type = type
        self.isDNSLabelConfigured = isDNSLabelConfigured
        self.isInternalLoadBalancer = isInternalLoadBalancer
        self.publicIPResourceID = publicIPResourceID
        self.weight = weight
        self.clusterSetExport = clusterSetExport
    }

    private enum CodingKeys: String, CodingKey {
        case ports, serviceReference, type, isDNSLabelConfigured, isInternalLoadBalancer, publicIPResourceID, weight
        case clusterSetExport
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ports = try container.decodeIfPresent([FleetServicePort].self, forKey: .ports) ?? []
        serviceReference = try container.decode(ExportedObjectReference.self, forKey: .serviceReference)
        type = try container.decodeIfPresent(String.self, forKey: .type)
        isDNSLabelConfigured = try container.decodeIfPresent(Bool.self, forKey: .isDNSLabelConfigured)
        isInternalLoadBalancer = try container.decodeIfPresent(Bool.self, forKey: .isInternalLoadBalancer)
        publicIPResourceID = try container.decodeIfPresent(String.self, forKey: .publicIPResourceID)
        weight = try container.decodeIfPresent(Int64.self, forKey: .weight)
        clusterSetExport = try container.decodeIfPresent(ClusterSetExport.self, forKey: .clusterSetExport)
    }
}

/// What an export through the Multi-Cluster Services API carries beyond the fleet's fields.
public struct ClusterSetExport: Codable, Sendable, Hashable {
    /// The ServiceExport's creation time: precedence in conflicts (oldest first, then cluster name).
    public var serviceExportCreationTimestamp: Time
    /// `ClusterSetIP` or `Headless` (a Service with `clusterIP: None`).
    public var type: String
    public var sessionAffinity: String?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var internalTrafficPolicy: String?
    public var trafficDistribution: String?
    public var ipFamilies: [String]?
    public var exportedLabels: [String: String]?
    public var exportedAnnotations: [String: String]?

    public init(
        serviceExportCreationTimestamp: Time, type: String, sessionAffinity: String? = nil,
        sessionAffinityConfig: SessionAffinityConfig? = nil, internalTrafficPolicy: String? = nil,
        trafficDistribution: String? = nil, ipFamilies: [String]? = nil, exportedLabels: [String: String]? = nil,
        exportedAnnotations: [String: String]? = nil
    ) {
        self.serviceExportCreationTimestamp = serviceExportCreationTimestamp
        self.type = type
        self.sessionAffinity = sessionAffinity
        self.sessionAffinityConfig = sessionAffinityConfig
        self.internalTrafficPolicy = internalTrafficPolicy
        self.trafficDistribution = trafficDistribution
        self.ipFamilies = ipFamilies
        self.exportedLabels = exportedLabels
        self.exportedAnnotations = exportedAnnotations
    }
}

public struct InternalServiceExportStatus: Codable, Sendable, Hashable {
    /// Holds the `Conflict` condition.
    public var conditions: [Condition]?

    public init(conditions: [Condition]? = nil) {
        self.conditions = conditions
    }
}

extension OpenAPISchema {
    static let clusterSetExport = OpenAPISchema.object(
        "Present when the Service is exported through the Multi-Cluster Services API (a multicluster.x-k8s.io ServiceExport): the properties the hub resolves by the KEP-1645 rules.",
        properties: [
            "serviceExportCreationTimestamp": .dateTime(
                "The ServiceExport's creation time: the oldest export wins conflicts (ties go to the smaller cluster name)."),
            "type": OpenAPISchema.string("The import type the Service asks for.")
                .enumValues([MCSServiceImportType.clusterSetIP, MCSServiceImportType.headless]),
            "sessionAffinity": .string("The Service's sessionAffinity."),
            "sessionAffinityConfig": .sessionAffinityConfig,
            "internalTrafficPolicy": .string("The Service's internalTrafficPolicy."),
            "trafficDistribution": .string("The Service's trafficDistribution."),
            "ipFamilies": OpenAPISchema.array("The Service's ipFamilies.", of: .string()).maxItems(2).atomicList(),
            "exportedLabels": .stringMap("The ServiceExport's spec.exportedLabels."),
            "exportedAnnotations": .stringMap("The ServiceExport's spec.exportedAnnotations."),
        ],
        required: ["serviceExportCreationTimestamp", "type"])
}

extension InternalServiceExport {
    /// The CRD of InternalServiceExport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["internalsvcexport"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "InternalServiceExport is a data transport type that member clusters in the fleet use to upload the spec of exported Service to the hub cluster.",
                    properties: [
                        "spec": .object(
                            "InternalServiceExportSpec specifies the spec of an exported Service; at this stage only the ports of an exported Service are sync'd.",
                            properties: [
                                "ports": OpenAPISchema.array(
                                    "A list of ports exposed by the exported Service.", of: .servicePort
                                ).atomicList(),
                                "serviceReference": OpenAPISchema.exportedObjectReference.describing(
                                    "The reference to the source Service."),
                                "type": .string("Type is the type of the Service in each cluster."),
                                "isDNSLabelConfigured": .boolean(
                                    "IsDNSLabelConfigured determines if the Service has a DNS label configured."),
                                "isInternalLoadBalancer": .boolean(
                                    "IsInternalLoadBalancer determines if the Service is an internal load balancer type."),
                                "publicIPResourceID": .string(
                                    "PublicIPResourceID is the Azure Resource URI of public IP. This is only applicable for Load Balancer type Services."),
                                "weight": OpenAPISchema.int64(
                                    "Weight is the weight of the exported Service, from the ServiceExport's weight annotation.")
                                    .minimum(0).maximum(1000),
                                "clusterSetExport": .clusterSetExport,
                            ],
                            required: ["ports", "serviceReference"]),
                        "status": .object(
                            "InternalServiceExportStatus contains the current status of an InternalServiceExport.",
                            properties: [
                                "conditions": .conditions("Conditions of the export: Conflict.")
                            ]),
                    ],
                    limitsNameLength: false))
        ],
        summary: """
            Internal: a member's export as the hub sees it, in the hub namespace \
            `fleet-member-<cluster>`, named after the Service. Written by the member's \
            member-net-controller-manager; the hub reports the `Conflict` condition in its status, \
            which the member copies back to the ServiceExport.
            """,
        conditions: [
            .init(type: "Conflict", status: "False", reason: "NoConflictFound", message: "service <ns>/<name> is exported without conflict"),
            .init(
                type: "Conflict", status: "True", reason: "ConflictFound",
                message: "service <ns>/<name> is in conflict with other exported services"),
        ])
}
