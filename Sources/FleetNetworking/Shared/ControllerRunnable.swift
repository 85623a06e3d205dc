import KubeRuntime

// A built controller as the managers see it: a name and something to run. Each group of
// controllers (hub, member-net, mcs, membership) hands its controllers to the managers in this
// form, so a manager's wiring does not depend on each reconciler's type.

/// A controller ready to be added to a `Manager`.
public struct ControllerRunnable: Sendable {
    public let name: String
    public let run: @Sendable () async -> Void

    public init(name: String, run: @escaping @Sendable () async -> Void) {
        self.name = name
        self.run = run
    }

    public init<R: Reconciler>(_ controller: Controller<R>) {
        self.init(name: controller.name, run: { await controller.run() })
    }
}
