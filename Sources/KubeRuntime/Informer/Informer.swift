import KubeClient
import KubeModel
import Logging
import Synchronization

/// Keeps an `InformerStore` in step with the server by listing and watching one kind, and tells
/// registered handlers about every change (client-go `SharedIndexInformer`, kube-rs `watcher` +
/// `reflector`).
///
/// Flow: list → replace the store → watch from the list's resourceVersion → apply each event →
/// on disconnect, watch again from the last version seen → on `410 Expired`, list again. The
/// decisions live in `InformerStateMachine` (see its rules for backoff); this type only performs
/// them. A relist reports, through the store's diff, `deleted` for objects that vanished while the
/// watch was down and `added`/`updated` for the rest that changed, so handlers miss nothing.
///
/// Guarantees: handlers are called one change at a time, in the order the store applied them,
/// after the store already reflects the change. A slow handler slows the informer (there is no
/// unbounded buffer). Every error is retried; none ends `run()`.
///
/// Caveats: handlers added after `run()` has started do not see earlier changes (read the store
/// for those); there is no periodic resync.
public final class Informer<Source: ListWatch>: Sendable {
    public typealias Object = Source.Object
    public typealias Handler = @Sendable (StoreChange<Object>) async -> Void

    /// The cache this informer fills.
    public let store: InformerStore<Object>

    private let source: Source
    private let clock: ElapsedClock
    private let backoff: InformerBackoff
    private let logger: Logger
    private let handlers = Mutex<[Handler]>([])

    /// - Parameters:
    ///   - source: lists and watches the kind.
    ///   - store: the cache to fill; a new one by default.
    ///   - clock: the time source for backoff delays.
    ///   - backoff: delays between failed attempts (client-go's reflector values by default).
    public init(
        source: Source,
        store: InformerStore<Object> = InformerStore(),
        clock: any Clock<Duration> = ContinuousClock(),
        backoff: InformerBackoff = InformerBackoff(),
        logger: Logger = Logger(label: "KubeRuntime.Informer")
    ) {
        self.source = source
        self.store = store
        self.clock = ElapsedClock(clock)
        self.backoff = backoff
        var logger = logger
        logger[metadataKey: "kind"] = "\(Object.kind)"
        self.logger = logger
    }

    /// Calls `handler` for every change from now on.
    public func addHandler(_ handler: @escaping Handler) {
        handlers.withLock { $0.append(handler) }
    }

    /// Calls the closure matching each kind of change (client-go `ResourceEventHandlerFuncs`).
    public func addHandler(
        onAdd: (@Sendable (Object) async -> Void)? = nil,
        onUpdate: (@Sendable (_ old: Object, _ new: Object) async -> Void)? = nil,
        onDelete: (@Sendable (Object) async -> Void)? = nil
    ) {
        addHandler { change in
            switch change {
            case .added(let object): await onAdd?(object)
            case .updated(let old, let new): await onUpdate?(old, new)
            case .deleted(let object): await onDelete?(object)
            }
        }
    }

    /// Lists and watches until the calling task is cancelled.
    public func run() async {
        var machine = InformerStateMachine(backoff: backoff)
        // The outage the last failure fell into, when the server did not answer at all.
        var outage: ServerOutage?
        while !Task.isCancelled {
            switch machine.nextStep() {
            case .backOff(let delay):
                logger.debug("backing off", metadata: ["delay": "\(delay)"])
                do { try await backOff(delay, unlessEnded: outage) } catch { return }
            case .list:
                outage = await list(&machine)
            case .watch(let resourceVersion):
                outage = await watch(from: resourceVersion, &machine)
            }
        }
    }

    /// Sleeps `delay`, or until `outage` ends (plus up to 100 ms, so that a client's informers
    /// do not all reconnect in the same instant) if that comes first: a server that comes back
    /// is watched again at once, whatever the backoff grew to while it was away. An outage that
    /// already ended (the server answered since the failure) means: retry now.
    private func backOff(_ delay: Duration, unlessEnded outage: ServerOutage?) async throws {
        guard let outage else {
            try await clock.sleep(for: delay)
            return
        }
        let clock = self.clock
        let spread = Duration.milliseconds(Int64.random(in: 0...100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await clock.sleep(for: delay) }
            group.addTask {
                await outage.ended()
                try await clock.sleep(for: spread)
            }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// Lists; returns the server outage a failure fell into, if any.
    private func list(_ machine: inout InformerStateMachine) async -> ServerOutage? {
        do {
            let result = try await source.list()
            let changes = store.replace(all: result.items, resourceVersion: result.resourceVersion)
            machine.listSucceeded(resourceVersion: result.resourceVersion)
            logger.debug("listed", metadata: ["resourceVersion": "\(result.resourceVersion)", "count": "\(result.items.count)"])
            for change in changes { await deliver(change) }
        } catch {
            guard !Task.isCancelled else { return nil }
            logger.warning("list failed", metadata: ["error": "\(error)"])
            machine.listFailed()
            return error.serverOutage
        }
        return nil
    }

    /// Watches; returns the server outage a failure fell into, if any.
    private func watch(from resourceVersion: String, _ machine: inout InformerStateMachine) async -> ServerOutage? {
        var receivedEvents = false
        let opened = clock.now
        do {
            let events = try await source.watch(resourceVersion: resourceVersion)
            for try await event in events {
                receivedEvents = true
                let change = store.apply(event)
                machine.eventReceived(resourceVersion: event.resourceVersion)
                if let change { await deliver(change) }
            }
            guard !Task.isCancelled else { return nil }
            logger.debug("watch closed", metadata: ["resourceVersion": "\(machine.resourceVersion ?? "")"])
            let lasted = clock.now - opened
            machine.watchClosed(receivedEvents: receivedEvents, lasted: lasted)
            // A server that closes watches at once may be going away (one shutting down ends its
            // watches and refuses new ones): if it no longer answers, wait for its return
            // rather than for the backoff alone.
            guard !receivedEvents, lasted < InformerStateMachine.veryShortWatch else { return nil }
            return await source.checkServer()
        } catch {
            guard !Task.isCancelled else { return nil }
            let isExpired = error.isResourceVersionExpired
            logger.log(
                level: isExpired ? .info : .warning,
                isExpired ? "resourceVersion expired; relisting" : "watch failed",
                metadata: ["error": "\(error)", "resourceVersion": "\(machine.resourceVersion ?? "")"]
            )
            machine.watchFailed(isExpired: isExpired)
            return error.serverOutage
        }
    }

    private func deliver(_ change: StoreChange<Object>) async {
        for handler in handlers.withLock({ $0 }) { await handler(change) }
    }
}

extension ListWatchEvent where Object: Resource {
    /// The resourceVersion a watch can resume from after this event.
    var resourceVersion: String? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object.metadata.resourceVersion
        case .bookmark(let resourceVersion): resourceVersion
        }
    }
}
