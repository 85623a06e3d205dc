import KubeModel

// Fleet core membership kinds (cluster.kubernetes-fleet.io/v1beta1, reference-api §2), as far as
// networking reads and writes them: the hub's MemberCluster (watched for force-deletion) and the
// per-member InternalMemberCluster (join/leave and the agents' heartbeats). Fleet installs these
// CRDs in real fleets; the local fleet and the tests install the ones generated here.

/// A member of the fleet (cluster-scoped, on the hub).
public struct MemberCluster: Resource, Hashable {
    public static let group = ClusterGroup.name
    public static let version = ClusterGroup.v1beta1
    public static let kind = "MemberCluster"
    public static let plural = "memberclusters"
    public static let isNamespaced = false

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MemberClusterSpec
    public var status: MemberClusterStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: MemberClusterSpec, status: MemberClusterStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct MemberClusterSpec: Codable, Sendable, Hashable {
    /// The identity the member's agents use on the hub (an rbac/v1 Subject).
    public var identity: Subject
    public var heartbeatPeriodSeconds: Int32?
    public var taints: [Taint]?

    public init(identity: Subject, heartbeatPeriodSeconds: Int32? = nil, taints: [Taint]? = nil) {
        self.identity = identity
        self.heartbeatPeriodSeconds = heartbeatPeriodSeconds
        self.taints = taints
    }
}

public struct Taint: Codable, Sendable, Hashable {
    public var key: String
    public var value: String?
    /// `NoSchedule`.
    public var effect: String

    public init(key: String, value: String? = nil, effect: String = "NoSchedule") {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

public struct MemberClusterStatus: Codable, Sendable, Hashable {
    public var conditions: [Condition]?
    public var properties: [String: PropertyValue]?
    public var resourceUsage: ResourceUsage?
    public var agentStatus: [AgentStatus]?

    public init(
        conditions: [Condition]? = nil, properties: [String: PropertyValue]? = nil,
        resourceUsage: ResourceUsage? = nil, agentStatus: [AgentStatus]? = nil
    ) {
        self.conditions = conditions
        self.properties = properties
        self.resourceUsage = resourceUsage
        self.agentStatus = agentStatus
    }
}

/// A cluster property reported by a property provider.
public struct PropertyValue: Codable, Sendable, Hashable {
    public var value: String
    public var observationTime: Time

    public init(value: String, observationTime: Time) {
        self.value = value
        self.observationTime = observationTime
    }
}

/// A cluster's resource totals (quantities as strings or numbers).
public struct ResourceUsage: Codable, Sendable, Hashable {
    public var capacity: [String: IntOrString]?
    public var allocatable: [String: IntOrString]?
    public var available: [String: IntOrString]?
    public var observationTime: Time?

    public init(
        capacity: [String: IntOrString]? = nil, allocatable: [String: IntOrString]? = nil,
        available: [String: IntOrString]? = nil, observationTime: Time? = nil
    ) {
        self.capacity = capacity
        self.allocatable = allocatable
        self.available = available
        self.observationTime = observationTime
    }
}

/// The status one agent reports for its cluster.
public struct AgentStatus: Codable, Sendable, Hashable {
    /// `MemberAgent`, `MultiClusterServiceAgent` or `ServiceExportImportAgent`.
    public var type: String
    /// `Joined` and `Healthy`.
    public var conditions: [Condition]?
    public var lastReceivedHeartbeat: Time?

    public init(type: String, conditions: [Condition]? = nil, lastReceivedHeartbeat: Time? = nil) {
        self.type = type
        self.conditions = conditions
        self.lastReceivedHeartbeat = lastReceivedHeartbeat
    }
}

extension OpenAPISchema {
    /// A map of resource quantities.
    static func quantities(_ description: String) -> OpenAPISchema {
        OpenAPISchema(keywords: [
            "type": .string("object"),
            "additionalProperties": .object([
                "anyOf": .array([.object(["type": .string("integer")]), .object(["type": .string("string")])]),
                "pattern": .string(#"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#),
                "x-kubernetes-int-or-string": .bool(true),
            ]),
        ]).describing(description)
    }

    static let heartbeatPeriodSeconds = OpenAPISchema.int32(
        "How often (in seconds) the member cluster sends a heartbeat to the hub cluster. Default: 60 seconds. Min: 1 second. Max: 10 minutes.")
        .minimum(1).maximum(600).defaultValue(.int(60))

    /// The status fields MemberCluster and InternalMemberCluster share.
    static let clusterStatusProperties: [String: OpenAPISchema] = [
        "conditions": .conditions("Conditions is an array of current observed conditions for the member cluster."),
        "properties": OpenAPISchema(keywords: [
            "type": .string("object"),
            "additionalProperties": OpenAPISchema.object(
                "PropertyValue is the value of a cluster property.",
                properties: [
                    "value": .string("Value is the value of the cluster property."),
                    "observationTime": .dateTime("ObservationTime is when the cluster property is observed."),
                ],
                required: ["observationTime", "value"]
            ).json,
        ]).describing("Properties is an array of properties observed for the member cluster."),
        "resourceUsage": .object(
            "The current observed resource usage of the member cluster.",
            properties: [
                "capacity": .quantities("Capacity represents the total resource capacity of all the nodes on a member cluster."),
                "allocatable": .quantities("Allocatable represents the total allocatable resources of all the nodes on a member cluster."),
                "available": .quantities("Available represents the total available resources of all the nodes on a member cluster."),
                "observationTime": .dateTime("When the resource usage is observed."),
            ]),
        "agentStatus": OpenAPISchema.array(
            "AgentStatus is an array of current observed status, each corresponding to one member agent running in the member cluster.",
            of: .object(
                "AgentStatus defines the observed status of the member agent of the given type.",
                properties: [
                    "type": OpenAPISchema.string("Type of member agent.")
                        .enumValues([AgentTypes.memberAgent, AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent]),
                    "conditions": .conditions("Conditions is an array of current observed conditions for the member agent."),
                    "lastReceivedHeartbeat": .dateTime("Last time we received a heartbeat from the member agent."),
                ],
                required: ["type"])),
    ]
}

extension MemberCluster {
    /// The CRD of MemberCluster (as Fleet v0.14 serves it, v1beta1 only).
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["cluster"], categories: ClusterGroup.categories,
        isNamespaced: false,
        versions: [
            .init(
                name: ClusterGroup.v1beta1, storage: true,
                schema: .root(
                    "MemberCluster is a resource created in the hub cluster to represent a member cluster within a fleet.",
                    properties: [
                        "spec": .object(
                            "The desired state of MemberCluster.",
                            properties: [
                                "identity": .object(
                                    "The identity used by the member cluster to access the hub cluster.",
                                    properties: [
                                        "kind": .string("Kind of object being referenced: User, Group or ServiceAccount."),
                                        "apiGroup": .string("APIGroup holds the API group of the referenced subject."),
                                        "name": .string("Name of the object being referenced."),
                                        "namespace": .string("Namespace of the referenced object."),
                                    ],
                                    required: ["kind", "name"]
                                ).atomicMap(),
                                "heartbeatPeriodSeconds": .heartbeatPeriodSeconds,
                                "taints": OpenAPISchema.array(
                                    "If specified, the MemberCluster's taints.",
                                    of: .object(
                                        "Taint attached to MemberCluster has the \"effect\" on any ClusterResourcePlacement that does not tolerate the Taint.",
                                        properties: [
                                            "key": .string("The taint key to be applied to a MemberCluster."),
                                            "value": .string("The taint value corresponding to the taint key."),
                                            "effect": OpenAPISchema.string("The effect of the taint on ClusterResourcePlacements that do not tolerate the taint.")
                                                .enumValues(["NoSchedule"]),
                                        ],
                                        required: ["effect", "key"])
                                ).maxItems(100),
                            ],
                            required: ["identity"]),
                        "status": .object("The observed status of MemberCluster.", properties: OpenAPISchema.clusterStatusProperties),
                    ],
                    required: ["spec"], limitsNameLength: true),
                printerColumns: [
                    .conditionStatus("Joined", type: MemberClusterConditions.joined),
                    .age,
                    .init(
                        name: "Member-Agent-Last-Seen", type: "date",
                        jsonPath: ".status.agentStatus[?(@.type==\"MemberAgent\")].lastReceivedHeartbeat"),
                ])
        ],
        summary: """
            Fleet core (not installed by net-crd-installer): a member of the fleet, on the hub. \
            hub-net-controller-manager watches it only to clean up after a member that is \
            force-deleted.
            """)
}
