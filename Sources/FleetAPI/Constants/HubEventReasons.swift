// Reasons of the Events the hub controllers (hub-net-controller-manager) record on hub objects.
// The first two are the reference's; the others report what the hub refuses to trust.

public enum HubEventReasons {
    /// On a hub ServiceImport that is deleted because no cluster exports the service any more.
    public static let noExportedService = "NoExportedService"
    /// On a hub ServiceImport whose resolved status (ports, clusters) was written.
    public static let successfulUpdateStatus = "SuccessfulUpdateStatus"
    /// Warning on an InternalServiceExport / EndpointSliceExport whose self-reported cluster ID
    /// differs from the cluster of its `fleet-member-<cluster>` namespace (the namespace wins).
    public static let clusterIDMismatch = "ClusterIDMismatch"
    /// Warning on an exchange object outside any `fleet-member-<cluster>` namespace (ignored).
    public static let notInMemberNamespace = "NotInMemberNamespace"
    /// Warning on an InternalServiceExport whose service's namespace does not exist on the hub: the
    /// hub ServiceImport (fleet API) waits for it. Services governed by the MCS API need none.
    public static let noHubNamespace = "NamespaceNotOnHub"
    /// Warning on an InternalMemberCluster whose member-net agent stopped heartbeating: its
    /// exported endpoints are withdrawn from every importer until it heartbeats again.
    public static let heartbeatLost = "MemberHeartbeatLost"
    /// On an InternalMemberCluster told to leave (`spec.state: Leave`): its endpoints are withdrawn
    /// from every importer at once, whether or not its agent is alive to withdraw its exports.
    public static let memberLeaving = "MemberLeaving"
    /// On an InternalMemberCluster whose member-net agent heartbeats again: its endpoints return.
    public static let heartbeatResumed = "MemberHeartbeatResumed"
    /// Warning on an EndpointSliceExport some endpoints of which lie outside its member's declared
    /// CIDRs (`FleetAnnotations.podCIDRs`): those endpoints are not distributed.
    public static let endpointsOutsideDeclaredCIDRs = "EndpointsOutsideDeclaredCIDRs"
    /// Warning on an EndpointSliceExport whose name another member's older EndpointSliceExport
    /// already has: it is not distributed (its copies would replace the other's).
    public static let endpointSliceExportNameTaken = "EndpointSliceExportNameTaken"
    /// Warning on a MemberCluster whose declared CIDRs do not all parse (the valid ones apply).
    public static let invalidDeclaredCIDRs = "InvalidDeclaredCIDRs"
}

/// Reasons of the Events the Traffic Manager controllers record (the reference's).
public enum TrafficManagerEventReasons {
    /// Warning: an Azure Resource Manager call failed.
    public static let azureAPIError = "AzureAPIError"
    /// The Azure Traffic Manager profile was created or updated.
    public static let programmed = "Programmed"
    /// The Azure profile (or a backend's endpoints) was deleted.
    public static let deleted = "Deleted"
    /// A backend's endpoint was created or updated.
    public static let accepted = "Accepted"
}
