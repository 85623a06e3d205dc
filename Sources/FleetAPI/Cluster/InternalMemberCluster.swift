import KubeModel

// InternalMemberCluster: the hub's per-member object in `fleet-member-<name>` through which the
// member's agents learn whether to join or leave and report their status and heartbeats.

/// A member's membership state on the hub (cluster.kubernetes-fleet.io/v1beta1).
public struct InternalMemberCluster: Resource, Hashable {
    public static let group = ClusterGroup.name
    public static let version = ClusterGroup.v1beta1
    public static let kind = "InternalMemberCluster"
    public static let plural = "internalmemberclusters"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: InternalMemberClusterSpec
    public var status: MemberClusterStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: InternalMemberClusterSpec, status: MemberClusterStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct InternalMemberClusterSpec: Codable, Sendable, Hashable {
    /// `Join` or `Leave`.
    public var state: String
    public var heartbeatPeriodSeconds: Int32?

    public init(state: String, heartbeatPeriodSeconds: Int32? = nil) {
        self.state = state
        self.heartbeatPeriodSeconds = heartbeatPeriodSeconds
    }

    public static let join = "Join"
    public static let leave = "Leave"
}

extension InternalMemberCluster {
    /// The CRD of InternalMemberCluster.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["imc"], categories: ClusterGroup.categories,
        versions: [
            .init(
                name: ClusterGroup.v1beta1, storage: true,
                schema: .root(
                    "InternalMemberCluster is used by hub agent to notify the member agents about the member cluster state changes, and is used by the member agents to report their status.",
                    properties: [
                        "spec": .object(
                            "The desired state of InternalMemberCluster.",
                            properties: [
                                "state": OpenAPISchema.string("The desired state of the member cluster: Join or Leave.")
                                    .enumValues([InternalMemberClusterSpec.join, InternalMemberClusterSpec.leave]),
                                "heartbeatPeriodSeconds": .heartbeatPeriodSeconds,
                            ],
                            required: ["state"]),
                        "status": .object(
                            "The observed status of InternalMemberCluster.", properties: OpenAPISchema.clusterStatusProperties),
                    ],
                    required: ["spec"], limitsNameLength: false))
        ],
        summary: """
            Fleet core (not installed by net-crd-installer): a member's membership state on the hub, \
            `fleet-member-<name>/<name>`. The networking agents report `Joined` and heartbeats in \
            `status.agentStatus` (types `ServiceExportImportAgent` and `MultiClusterServiceAgent`) and \
            clean up their objects when `spec.state` becomes `Leave`.
            """,
        conditions: [
            .init(type: "Joined", status: "True", reason: "AgentJoined", message: ""),
            .init(type: "Joined", status: "False", reason: "AgentLeft", message: ""),
        ])
}
