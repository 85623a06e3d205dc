import NIOCore
import Synchronization

// What a FaultProxy's listener, its connections (on their event loops) and its callers (on any
// thread) share: the mode, the upstream address, the registry of open connections and the
// counters.

/// A connection as the registry holds it, usable from any thread.
struct RegisteredConnection: Sendable {
    let eventLoop: any EventLoop
    let connection: NIOLoopBound<FaultConnection>
    /// Succeeds once both of the connection's sockets are closed.
    let closed: EventLoopFuture<Void>
}

/// What the listener does with a connection it has just accepted.
enum Admission {
    /// Relay it; `id` names it in the registry.
    case relay(id: Int)
    /// Reset it (`.refuse`).
    case refuse
    /// Close it: the proxy is stopping.
    case close
}

final class FaultProxyState: Sendable {
    private struct Registry {
        var mode: FaultMode = .pass
        var upstream: FaultProxy.Upstream
        var isStopped = false
        var nextID = 0
        /// Admitted connections; nil until the connection is built and attached.
        var connections: [Int: RegisteredConnection?] = [:]
        var whenEmpty: [CheckedContinuation<Void, Never>] = []
    }

    private let registry: Mutex<Registry>
    let acceptedCount = Atomic<Int>(0)
    let refusedCount = Atomic<Int>(0)
    let bytesToUpstream = Atomic<Int>(0)
    let bytesToClient = Atomic<Int>(0)

    init(upstream: FaultProxy.Upstream) {
        registry = Mutex(Registry(upstream: upstream))
    }

    var mode: FaultMode { registry.withLock { $0.mode } }

    /// Sets the mode; returns the connections to tell.
    func setMode(_ mode: FaultMode) -> [RegisteredConnection] {
        registry.withLock { registry in
            registry.mode = mode
            return registry.connections.values.compactMap { $0 }
        }
    }

    var upstream: FaultProxy.Upstream {
        get { registry.withLock { $0.upstream } }
        set { registry.withLock { $0.upstream = newValue } }
    }

    var openCount: Int { registry.withLock { $0.connections.count } }

    /// Counts an accepted connection and decides its fate.
    func admit() -> Admission {
        acceptedCount.add(1, ordering: .relaxed)
        return registry.withLock { registry in
            if registry.isStopped { return .close }
            if registry.mode == .refuse {
                refusedCount.add(1, ordering: .relaxed)
                return .refuse
            }
            registry.nextID += 1
            registry.connections[registry.nextID] = .some(nil)
            return .relay(id: registry.nextID)
        }
    }

    /// Records the connection admitted as `id`, now built. Returns the mode it must apply from
    /// now on (one set since admission has not been told to it), or nil when the proxy stopped
    /// in the meantime and it must close.
    func attach(_ connection: RegisteredConnection, id: Int) -> FaultMode? {
        registry.withLock { registry in
            guard !registry.isStopped else { return nil }
            registry.connections[id] = connection
            return registry.mode
        }
    }

    /// Forgets a connection whose sockets are both closed.
    func remove(id: Int) {
        let waiters = registry.withLock { registry -> [CheckedContinuation<Void, Never>] in
            registry.connections[id] = nil
            guard registry.connections.isEmpty else { return [] }
            defer { registry.whenEmpty = [] }
            return registry.whenEmpty
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The attached connections.
    var connections: [RegisteredConnection] {
        registry.withLock { $0.connections.values.compactMap { $0 } }
    }

    /// Refuses every connection from now on; returns the attached ones to close.
    func markStopped() -> [RegisteredConnection] {
        registry.withLock { registry in
            registry.isStopped = true
            return registry.connections.values.compactMap { $0 }
        }
    }

    /// Suspends until no connection is registered.
    func waitUntilEmpty() async {
        await withCheckedContinuation { continuation in
            let isEmpty = registry.withLock { registry in
                if registry.connections.isEmpty { return true }
                registry.whenEmpty.append(continuation)
                return false
            }
            if isEmpty { continuation.resume() }
        }
    }
}
