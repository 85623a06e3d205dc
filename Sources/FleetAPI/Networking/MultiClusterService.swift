import KubeModel

// MultiClusterService: a member's request to load-balance over a fleet service's endpoints in
// every exporting cluster (reference-api §1.9).

/// A multi-cluster service (networking.fleet.azure.com/v1alpha1).
public struct MultiClusterService: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "MultiClusterService"
    public static let plural = "multiclusterservices"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MultiClusterServiceSpec
    public var status: MultiClusterServiceStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: MultiClusterServiceSpec = MultiClusterServiceSpec(),
        status: MultiClusterServiceStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try container.decodeIfPresent(MultiClusterServiceSpec.self, forKey: .spec) ?? MultiClusterServiceSpec()
        status = try container.decodeIfPresent(MultiClusterServiceStatus.self, forKey: .status)
    }
}

public struct MultiClusterServiceSpec: Codable, Sendable, Hashable {
    /// The ServiceImport (same namespace) to load-balance over.
    public var serviceImport: LocalObjectName?

    public init(serviceImport: LocalObjectName? = nil) {
        self.serviceImport = serviceImport
    }
}

public struct MultiClusterServiceStatus: Codable, Sendable, Hashable {
    /// The derived Service's load balancer.
    public var loadBalancer: LoadBalancerStatus?
    /// `Valid`.
    public var conditions: [Condition]?

    public init(loadBalancer: LoadBalancerStatus? = nil, conditions: [Condition]? = nil) {
        self.loadBalancer = loadBalancer
        self.conditions = conditions
    }
}

extension MultiClusterService {
    /// The CRD of MultiClusterService.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["mcs"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "MultiClusterService is the Schema for creating north-south L4 load balancer to consume services across clusters.",
                    properties: [
                        "spec": .object(
                            "MultiClusterServiceSpec defines the desired state of MultiClusterService.",
                            properties: [
                                "serviceImport": .object(
                                    "ServiceImport is the reference to the Service with the same name exported in the member clusters.",
                                    properties: [
                                        "name": OpenAPISchema.string("Name is the name of the referent.")
                                            .maxLength(63)
                                            .pattern("^([a-z]([-a-z0-9]*[a-z0-9])?)$")
                                    ],
                                    required: ["name"])
                            ]),
                        "status": .object(
                            "MultiClusterServiceStatus represents the current status of a multi-cluster service.",
                            properties: [
                                "loadBalancer": OpenAPISchema.loadBalancerStatus.describing(
                                    "LoadBalancer contains the current status of the load-balancer, if one is present."),
                                "conditions": .conditions("Current service state"),
                            ]),
                    ],
                    required: ["spec"], limitsNameLength: true),
                printerColumns: [
                    .init(name: "Service-Import", jsonPath: ".spec.serviceImport.name"),
                    .init(name: "External-IP", jsonPath: ".status.loadBalancer.ingress[0].ip"),
                    .conditionStatus("Is-Valid", type: MultiClusterServiceConditions.valid),
                    .age,
                ])
        ],
        summary: """
            Load-balances over the endpoints of a fleet service in every exporting cluster. Created \
            in any member (whether or not it exports the service), it imports the ServiceImport \
            named by `spec.serviceImport.name` and derives a `LoadBalancer` Service \
            `<namespace>-<name>` in `fleet-system` whose endpoints are the pods of every exporting \
            cluster; `status.loadBalancer` is that Service's. The annotation \
            `networking.fleet.azure.com/azure-load-balancer-internal: "true"` asks for an internal \
            load balancer.
            """,
        conditions: [
            .init(type: "Valid", status: "True", reason: "FoundServiceImport", message: "found valid service import"),
            .init(
                type: "Valid", status: "Unknown", reason: "UnknownServiceImport",
                message: "importing service; if the condition remains for a while, please verify that service has been exported or service has been exported by other multiClusterService"),
        ])
}
