import KubeClient
import KubeModel
import Logging
import Synchronization

/// One cluster's shared informers (client-go `SharedInformerFactory`, controller-runtime's
/// cache): every controller asking for the same kind and namespace scope gets the same informer,
/// so the cluster is listed and watched once and every controller reads the same store.
///
/// Identity: an informer is shared per (this factory — i.e. one `KubeClient`, one cluster —
/// kind, namespace scope). `namespace: nil` (all namespaces) and `namespace: "a"` are different
/// scopes with different informers and stores.
///
/// Lifecycle: `run()` runs every informer created so far and every informer created while it
/// runs, until its task is cancelled; call it once. Informers created before `run()` start when
/// it starts. `waitForCacheSync()` waits for the informers that exist when it is called.
public final class SharedInformers: Sendable {
    /// The cluster the informers list and watch.
    public let client: KubeClient

    private struct ScopeKey: Hashable, Sendable {
        let kind: ObjectIdentifier
        let namespace: String?
    }

    private struct Entry: Sendable {
        let informer: any Sendable
        let run: @Sendable () async -> Void
        let hasSynced: @Sendable () -> Bool
        let waitUntilSynced: @Sendable () async -> Void
    }

    private struct State {
        var entries: [ScopeKey: Entry] = [:]
        /// Order of creation, so `run()` starts informers deterministically.
        var order: [ScopeKey] = []
        /// Set while `run()` runs: hands it informers created meanwhile.
        var starter: AsyncStream<@Sendable () async -> Void>.Continuation?
        var hasRun = false
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let backoff: InformerBackoff
    private let watchTimeoutSeconds: Int

    /// - Parameters:
    ///   - client: the cluster's client.
    ///   - backoff: used by every informer this factory creates.
    ///   - watchTimeoutSeconds: server-side watch timeout of every informer's watches.
    public init(
        client: KubeClient, backoff: InformerBackoff = InformerBackoff(), watchTimeoutSeconds: Int = 300,
        logger: Logger = Logger(label: "KubeRuntime.SharedInformers")
    ) {
        self.client = client
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.logger = logger
    }

    /// The shared informer of `kind` in `namespace` (nil: all namespaces; ignored for
    /// cluster-scoped kinds), created on first request. If `run()` is running, a new informer
    /// starts at once.
    public func informer<K: Resource>(for kind: K.Type, namespace: String? = nil) -> Informer<ResourceListWatch<K>> {
        let scope = ScopeKey(kind: ObjectIdentifier(kind), namespace: K.isNamespaced ? namespace : nil)
        return state.withLock { state in
            if let existing = state.entries[scope] {
                // The key includes the kind's type identity, so the cast cannot fail.
                return existing.informer as! Informer<ResourceListWatch<K>>
            }
            let source = ResourceListWatch(api: client.api(kind, namespace: scope.namespace), watchTimeoutSeconds: watchTimeoutSeconds)
            let informer = Informer(source: source, backoff: backoff, logger: logger)
            let entry = Entry(
                informer: informer, run: { await informer.run() }, hasSynced: { informer.store.hasSynced },
                waitUntilSynced: { await informer.store.waitUntilSynced() })
            state.entries[scope] = entry
            state.order.append(scope)
            state.starter?.yield(entry.run)
            return informer
        }
    }

    /// How many informers exist (one per kind and namespace scope asked for).
    public var count: Int { state.withLock { $0.entries.count } }

    /// Whether every informer created so far has completed its first list.
    public var hasSynced: Bool {
        state.withLock { state in state.order.map { state.entries[$0]! } }.allSatisfy { $0.hasSynced() }
    }

    /// Returns once every informer that exists now has completed its first list, or when the
    /// calling task is cancelled (check `hasSynced` afterwards if that matters).
    public func waitForCacheSync() async {
        let entries = state.withLock { state in state.order.map { state.entries[$0]! } }
        for entry in entries {
            guard !Task.isCancelled else { return }
            await entry.waitUntilSynced()
        }
    }

    /// Runs all informers, including those created later, until the calling task is cancelled.
    /// Calling it a second time is a programming error.
    public func run() async {
        let (stream, continuation) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        let existing = state.withLock { state in
            precondition(!state.hasRun, "SharedInformers.run() may only be called once")
            state.hasRun = true
            state.starter = continuation
            return state.order.map { state.entries[$0]!.run }
        }
        await withTaskCancellationHandler {
            await withDiscardingTaskGroup { group in
                for run in existing { group.addTask { await run() } }
                for await run in stream { group.addTask { await run() } }
            }
        } onCancel: {
            continuation.finish()
        }
        state.withLock { $0.starter = nil }
    }
}
