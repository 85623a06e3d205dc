import KubeRuntime

// The controllers of member-net-controller-manager, split as the reference splits them between
// its two managers (member side: driven by member objects; hub side: driven by objects in the
// member's hub namespace). Both halves may watch both clusters.

public enum MemberNetControllers {
    /// Controllers of the member-side manager (lease `2bf2b407.member.networking.fleet.azure.com`):
    /// member/serviceexport, member/endpointslice, member/serviceimport, and the MCS API's
    /// member/clusterset-serviceexport.
    public static func memberSide(_ context: MemberAgentContext) -> [ControllerRunnable] {
        [
            ServiceExportReconciler.make(context),
            EndpointSliceReconciler.make(context),
            ServiceImportReconciler.make(context),
            ClusterSetServiceExportReconciler.make(context),
        ]
    }

    /// Controllers of the hub-side manager (lease `2bf2b407.hub.networking.fleet.azure.com`,
    /// kept in the member cluster), except the membership controller:
    /// member/endpointsliceexport, member/internalserviceexport, member/internalserviceimport,
    /// member/endpointsliceimport, and the MCS API's member/clusterset-import and
    /// member/clusterset-endpointslice.
    public static func hubSide(_ context: MemberAgentContext) -> [ControllerRunnable] {
        [
            EndpointSliceExportReconciler.make(context),
            InternalServiceExportReconciler.make(context),
            InternalServiceImportReconciler.make(context),
            EndpointSliceImportReconciler.make(context),
            ClusterSetImportReconciler.make(context),
            ClusterSetEndpointSliceReconciler.make(context),
        ]
    }
}
