import KubeRuntime

// The controllers of hub-net-controller-manager, in the order they are started.

public enum HubNetControllers {
    /// Every hub controller, built over `context` (not yet running).
    public static func all(_ context: HubAgentContext) -> [ControllerRunnable] {
        []
    }
}
