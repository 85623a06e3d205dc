import KubeRuntime

// The controllers of hub-net-controller-manager, in the order they are started. They share one
// set of hub caches (`HubCaches`), whose indexes map every exchange object to its service.

public enum HubNetControllers {
    /// Every hub controller, built over `context` (not yet running). Call once per context: the
    /// controllers register their indexes on `context.informers`.
    public static func all(_ context: HubAgentContext) -> [ControllerRunnable] {
        let caches = HubCaches(context.informers)
        let slices = HubEndpointSliceExportController.make(context, caches: caches)
        return [
            ControllerRunnable(HubInternalServiceExportController.make(context, caches: caches)),
            ControllerRunnable(HubInternalServiceImportController.make(context, caches: caches)),
            ControllerRunnable(slices),
            ControllerRunnable(MemberClusterController.make(context, caches: caches)),
            ControllerRunnable(
                MemberLivenessController.make(context, caches: caches) { keys in
                    for key in keys { await slices.enqueue(key) }
                }),
        ]
    }
}
