import FleetAPI
import KubeModel

// What a member's agents (member-net-controller-manager and mcs-controller-manager, sharing one
// hub identity) may do on the hub: only in their namespace `fleet-member-<cluster>`, only the
// kinds they read or write there, only the verbs they use. This list is the source of truth:
// LocalFleet grants it when a member joins, and config/member-hub-access/rbac.yaml must say the
// same (Tests/FleetNetworkingTests/Deploy checks the rendered Role against it and runs the
// agents with nothing more).
//
// Derived from Sources/FleetNetworking/Member/** and Membership/**: hub informers (list + watch,
// namespace-scoped), `create`, `replace` (update), `replaceStatus` (update on status),
// `deleteIgnoringNotFound` (delete). The agents record no events on the hub and keep their
// leases in the member cluster.

public enum MemberAgentHubAccess {
    /// The name of the hub-side Role, RoleBinding and ServiceAccount of a member's agents.
    public static let name = "fleet-networking-member-agent"

    /// The hub user of a member's agents when they authenticate with a token of the hub-side
    /// ServiceAccount `fleet-member-<cluster>/fleet-networking-member-agent`.
    public static func serviceAccountUser(member: String) -> String {
        "system:serviceaccount:\(FleetNamespaces.member(member)):\(name)"
    }

    /// The rules of the hub-side Role in `fleet-member-<cluster>`.
    public static let rules: [PolicyRule] = [
        // ServiceExport → InternalServiceExport; ServiceImport → InternalServiceImport;
        // EndpointSlice → EndpointSliceExport: created, kept in sync, deleted.
        PolicyRule(
            verbs: ["list", "watch", "create", "update", "delete"], apiGroups: [NetworkingGroup.name],
            resources: [InternalServiceExport.plural, InternalServiceImport.plural, EndpointSliceExport.plural]),
        // EndpointSliceImport: the agent's finalizer.
        PolicyRule(verbs: ["list", "watch", "update"], apiGroups: [NetworkingGroup.name], resources: [EndpointSliceImport.plural]),
        // ClusterSetImport: the services exported through the MCS API, read only.
        PolicyRule(verbs: ["list", "watch"], apiGroups: [NetworkingGroup.name], resources: [ClusterSetImport.plural]),
        // InternalMemberCluster: join/leave and heartbeat, written to status.
        PolicyRule(verbs: ["list", "watch"], apiGroups: [ClusterGroup.name], resources: [InternalMemberCluster.plural]),
        PolicyRule(verbs: ["update"], apiGroups: [ClusterGroup.name], resources: [InternalMemberCluster.plural + "/status"]),
    ]
}
