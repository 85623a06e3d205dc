import FleetAPI
import FleetNetworking
import KubeClient
import KubeModel

// What Fleet's hub agent does when a member joins, for the local fleet: the member's exchange
// namespace `fleet-member-<name>` on the hub, its MemberCluster (with its pod CIDR declared, as a
// fleet admin would) and InternalMemberCluster (state Join), and a Role + RoleBinding that confine the member's agents to their own namespace and to
// the kinds they use there.

public enum FleetMembership {
    /// The hub user a member's agents authenticate as.
    public static func agentUser(_ member: String) -> String { "fleetnet:member:\(member)" }

    /// The name of the Role and RoleBinding granting a member's agents their hub permissions.
    public static let roleName = MemberAgentHubAccess.name

    /// What a member's agents do in their hub namespace, and nothing else (the one list the
    /// manifests in config/member-hub-access are checked against).
    public static var hubRules: [PolicyRule] { MemberAgentHubAccess.rules }

    /// Joins `member` to the fleet on `hub` (idempotent). `podCIDRs` (if any) are declared on its
    /// MemberCluster: the hub then accepts only endpoints inside them from this member.
    public static func join(
        _ member: String, heartbeatPeriodSeconds: Int32, podCIDRs: [String] = [], hub: KubeClient
    ) async throws {
        let namespace = FleetNamespaces.member(member)
        try await createIfMissing(
            hub.api(Namespace.self),
            Namespace(metadata: ObjectMeta(name: namespace, labels: [FleetLabels.isFleetResource: "true"])))
        let identity = Subject(kind: "User", apiGroup: "rbac.authorization.k8s.io", name: agentUser(member))
        try await createIfMissing(
            hub.api(MemberCluster.self),
            MemberCluster(
                metadata: ObjectMeta(
                    name: member,
                    annotations: podCIDRs.isEmpty ? nil : [FleetAnnotations.podCIDRs: podCIDRs.joined(separator: ",")]),
                spec: MemberClusterSpec(identity: identity, heartbeatPeriodSeconds: heartbeatPeriodSeconds)))
        try await createIfMissing(
            hub.api(InternalMemberCluster.self, namespace: namespace),
            InternalMemberCluster(
                metadata: ObjectMeta(name: member, namespace: namespace),
                spec: InternalMemberClusterSpec(
                    state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: heartbeatPeriodSeconds)))
        try await createIfMissing(
            hub.api(Role.self, namespace: namespace),
            Role(metadata: ObjectMeta(name: roleName, namespace: namespace), rules: hubRules))
        try await createIfMissing(
            hub.api(RoleBinding.self, namespace: namespace),
            RoleBinding(
                metadata: ObjectMeta(name: roleName, namespace: namespace), subjects: [identity],
                roleRef: RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName)))
    }

    private static func createIfMissing<K: Resource>(_ api: ResourceAPI<K>, _ object: K) async throws {
        do {
            _ = try await api.create(object)
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }
}
