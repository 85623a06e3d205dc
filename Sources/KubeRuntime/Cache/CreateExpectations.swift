import KubeModel
import Synchronization

/// Objects a controller created that its cache does not show yet (client-go's
/// `ControllerExpectations`, for creates). A reconcile that runs again before the watch event of
/// its own create arrives — woken by another change — would otherwise find the object missing
/// and create it again, costing a request that fails with AlreadyExists. With expectations it
/// skips the create; the object's watch event brings the key back.
///
/// An expectation ends when the informer it tracks shows the object (added, updated or
/// deleted: any event means the cache has caught up), or after `timeout`, so a lost event
/// never stops a controller for good.
public final class CreateExpectations: Sendable {
    private let pending = Mutex<[ObjectKey: ContinuousClock.Instant]>([:])
    private let timeout: Duration

    /// - Parameter timeout: how long a create is trusted to show up (client-go: 5 minutes; a
    ///   shorter bound here, since a missed create is repaired by creating again).
    public init(timeout: Duration = .seconds(30)) {
        self.timeout = timeout
    }

    /// Starts clearing expectations from `informer`'s events. Call before the informer runs.
    public func observe<Source: ListWatch>(_ informer: Informer<Source>) {
        informer.addHandler { [weak self] change in
            self?.observed(ObjectKey(change.object))
        }
    }

    /// Records that `key` was just created.
    public func expectCreated(_ key: ObjectKey) {
        let deadline = ContinuousClock.now + timeout
        pending.withLock { $0[key] = deadline }
    }

    /// Whether a create of `key` is still on its way to the cache.
    public func isPending(_ key: ObjectKey) -> Bool {
        pending.withLock { pending in
            guard let deadline = pending[key] else { return false }
            if ContinuousClock.now < deadline { return true }
            pending[key] = nil
            return false
        }
    }

    /// The cache showed `key`.
    public func observed(_ key: ObjectKey) {
        pending.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Creates awaited (for tests and metrics).
    public var count: Int { pending.withLock { $0.count } }
}
