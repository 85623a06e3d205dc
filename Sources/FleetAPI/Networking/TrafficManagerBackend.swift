import KubeModel

// TrafficManagerBackend: the exported service behind a TrafficManagerProfile, one Azure endpoint
// per exporting cluster (reference-api §1.11).

/// A Traffic Manager backend (networking.fleet.azure.com/v1beta1).
public struct TrafficManagerBackend: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1beta1
    public static let kind = "TrafficManagerBackend"
    public static let plural = "trafficmanagerbackends"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: TrafficManagerBackendSpec
    public var status: TrafficManagerBackendStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: TrafficManagerBackendSpec,
        status: TrafficManagerBackendStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The v1alpha1 form of TrafficManagerBackend (same fields).
public struct TrafficManagerBackendV1Alpha1: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "TrafficManagerBackend"
    public static let plural = "trafficmanagerbackends"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: TrafficManagerBackendSpec
    public var status: TrafficManagerBackendStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: TrafficManagerBackendSpec,
        status: TrafficManagerBackendStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct TrafficManagerBackendSpec: Codable, Sendable, Hashable {
    /// The TrafficManagerProfile (same namespace); immutable.
    public var profile: LocalObjectName
    /// The ServiceImport (same namespace) whose exporting clusters become endpoints; immutable.
    public var backend: LocalObjectName
    /// [0, 1000], default 1; 0 removes every endpoint.
    public var weight: Int64?

    public init(profile: LocalObjectName, backend: LocalObjectName, weight: Int64? = nil) {
        self.profile = profile
        self.backend = backend
        self.weight = weight
    }
}

public struct TrafficManagerBackendStatus: Codable, Sendable, Hashable {
    public var endpoints: [TrafficManagerEndpointStatus]?
    /// `Accepted`.
    public var conditions: [Condition]?

    public init(endpoints: [TrafficManagerEndpointStatus]? = nil, conditions: [Condition]? = nil) {
        self.endpoints = endpoints
        self.conditions = conditions
    }
}

public struct TrafficManagerEndpointStatus: Codable, Sendable, Hashable {
    public var name: String
    public var resourceID: String?
    public var weight: Int64?
    public var target: String?
    public var from: FromCluster?

    public init(
        name: String, resourceID: String? = nil, weight: Int64? = nil, target: String? = nil, from: FromCluster? = nil
    ) {
        self.name = name
        self.resourceID = resourceID
        self.weight = weight
        self.target = target
        self.from = from
    }
}

/// The cluster an endpoint comes from, with its export weight.
public struct FromCluster: Codable, Sendable, Hashable {
    public var cluster: String
    public var weight: Int64?

    public init(cluster: String, weight: Int64? = nil) {
        self.cluster = cluster
        self.weight = weight
    }
}

extension TrafficManagerBackend {
    static let schema = OpenAPISchema.root(
        "TrafficManagerBackend is used to manage the Azure Traffic Manager Endpoints using cloud native way.",
        properties: [
            "spec": .object(
                "The desired state of TrafficManagerBackend.",
                properties: [
                    "profile": OpenAPISchema.localReference(
                        "Which TrafficManagerProfile the backend should be attached to. Immutable.",
                        nameDescription: "Name is the name of the referenced trafficManagerProfile."
                    ).validations([(rule: "self == oldSelf", message: "spec.profile is immutable")]),
                    "backend": OpenAPISchema.localReference(
                        "The reference to a Service (ServiceImport) exported from the member clusters. Immutable.",
                        nameDescription: "Name is the reference to the ServiceImport in the same namespace as the TrafficManagerBackend object."
                    ).validations([(rule: "self == oldSelf", message: "spec.backend is immutable")]),
                    "weight": OpenAPISchema.int64(
                        "The total weight of endpoints behind the serviceImport when using the 'Weighted' traffic routing method, 0 to 1000.")
                        .minimum(0).maximum(1000).defaultValue(.int(1)),
                ],
                required: ["backend", "profile"]),
            "status": .object(
                "The observed status of TrafficManagerBackend.",
                properties: [
                    "endpoints": OpenAPISchema.array(
                        "Endpoints contains a list of accepted Azure endpoints which are created or updated.",
                        of: .object(
                            "TrafficManagerEndpointStatus is the status of Azure Traffic Manager endpoint which is successfully accepted under the traffic manager Profile.",
                            properties: [
                                "name": .string("Name of the endpoint."),
                                "resourceID": .string("ResourceID of the endpoint."),
                                "weight": .int64("The weight of this endpoint when the profile has routing method of type 'Weighted'."),
                                "target": .string("The fully-qualified DNS name or IP address of the endpoint."),
                                "from": .object(
                                    "From is where the endpoint is exported from.",
                                    properties: [
                                        "cluster": .string("cluster is the name of the exporting cluster."),
                                        "weight": .int64("Weight is the weight of the exported service."),
                                    ],
                                    required: ["cluster"]),
                            ],
                            required: ["name"])),
                    "conditions": .conditions("Current backend status."),
                ]),
        ],
        required: ["spec"], limitsNameLength: true)

    /// The CRD of TrafficManagerBackend.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["tmb"], categories: [NetworkingGroup.category],
        versions: [
            .init(name: NetworkingGroup.v1alpha1, storage: false, schema: schema, printerColumns: columns),
            .init(name: NetworkingGroup.v1beta1, storage: true, schema: schema, printerColumns: columns),
        ],
        summary: """
            Attaches an exported service (a ServiceImport of the same namespace) to a \
            TrafficManagerProfile: one weighted Azure endpoint per exporting cluster. (The Traffic \
            Manager controllers are not part of this release; the API validates as the reference's does.)
            """,
        conditions: [
            .init(
                type: "Accepted", status: "True", reason: "Accepted",
                message: "<n> service(s) exported from clusters have been accepted as Traffic Manager endpoints"),
            .init(type: "Accepted", status: "False", reason: "Invalid", message: "TrafficManagerProfile \"<name>\" is not found (and other reasons)"),
            .init(type: "Accepted", status: "Unknown", reason: "Pending", message: "In the processing of trafficManagerProfile \"<name>\""),
        ])

    private static let columns: [CRDDefinition.PrinterColumn] = [
        .init(name: "Profile", jsonPath: ".spec.profile.name"),
        .init(name: "Backend", jsonPath: ".spec.backend.name"),
        .conditionStatus("Is-Accepted", type: TrafficManagerBackendConditions.accepted),
        .age,
    ]
}
