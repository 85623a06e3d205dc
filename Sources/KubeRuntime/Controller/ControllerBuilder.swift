import KubeClient
import KubeModel
import Logging
import Metrics

/// Wires shared informers to a controller's work queue (controller-runtime's `builder`, kube-rs
/// `Controller::new(…).owns(…).watches(…)`):
///
///     let controller = ControllerBuilder(name: "configmap-secrets")
///         .for(ConfigMap.self, in: informers)
///         .owns(Secret.self, in: informers)
///         .watches(ServiceExport.self, in: hubInformers) { export in [ObjectKey(namespace: "a", name: "b")] }
///         .workers(4)
///         .build(reconciler: reconciler)
///     // run `informers.run()`, `hubInformers.run()` and `controller.run()` side by side.
///
/// Every source maps a change to the keys (`ObjectKey`s of the primary kind) to reconcile. An
/// update maps both the old and the new object, so a key the object no longer maps to is
/// reconciled too (e.g. to clean up); deletions are mapped like any change. Sources may come from
/// different `SharedInformers`, i.e. different clusters.
///
/// The built controller's `run()` waits for all its sources' caches to sync, then queues the keys
/// of every object already cached (handlers only see changes after they are added), then starts
/// its workers. It does not run the informers: run their `SharedInformers` alongside.
public struct ControllerBuilder: Sendable {
    /// Connects one informer to a queue: `register` adds the handler (at build time);
    /// `prepare` is what `Controller.run()` performs before its workers start.
    struct Source: Sendable {
        let register: @Sendable (WorkQueue<ObjectKey>) -> Void
        let prepare: @Sendable (WorkQueue<ObjectKey>) async -> Void
    }

    public let name: String
    private var sources: [Source] = []
    private var primaryGroupKind: (group: String, kind: String, isNamespaced: Bool)?
    private var workerCount = 1
    private var rateLimiter: any RateLimiter<ObjectKey> = MaxOfRateLimiter<ObjectKey>.controllerDefault()
    private var logger: Logger?
    private var metricsFactory: (any MetricsFactory)?

    /// - Parameter name: the controller's name (queue and metrics dimension, logger metadata).
    public init(name: String) {
        self.name = name
    }

    /// The primary kind: every change to a `K` in `informers` (scope `namespace`, nil for all)
    /// queues that object's key. Call exactly once before `owns`.
    public func `for`<K: Resource>(_ kind: K.Type, in informers: SharedInformers, namespace: String? = nil) -> ControllerBuilder {
        precondition(primaryGroupKind == nil, "a controller has one primary kind")
        var copy = self
        copy.primaryGroupKind = (K.group, K.kind, K.isNamespaced)
        copy.sources.append(Self.source(informers.informer(for: kind, namespace: namespace)) { [ObjectKey($0)] })
        return copy
    }

    /// Objects of kind `D` controlled by a primary: a change to a `D` whose **controller**
    /// owner reference (`controller: true`, as controller-runtime's `Owns` requires) names the
    /// primary kind queues the owner's key. Owner references are matched by API group and kind,
    /// not version (as controller-runtime does). The owner is taken to live in the dependent's
    /// namespace (owner references cannot cross namespaces), or cluster-scoped if the primary
    /// kind is. References without `controller: true` are ignored.
    public func owns<D: Resource>(_ kind: D.Type, in informers: SharedInformers, namespace: String? = nil) -> ControllerBuilder {
        guard let primary = primaryGroupKind else { preconditionFailure("call for(_:in:) before owns(_:in:)") }
        var copy = self
        copy.sources.append(
            Self.source(informers.informer(for: kind, namespace: namespace)) { dependent in
                Self.controllerOwnerKeys(of: dependent, group: primary.group, kind: primary.kind, ownerIsNamespaced: primary.isNamespaced)
            })
        return copy
    }

    /// Any kind, mapped to primary keys by `map` (e.g. a hub cluster's object to the member
    /// objects derived from it). `informers` may belong to another cluster than the primary's.
    public func watches<O: Resource>(
        _ kind: O.Type, in informers: SharedInformers, namespace: String? = nil, map: @escaping @Sendable (O) -> [ObjectKey]
    ) -> ControllerBuilder {
        var copy = self
        copy.sources.append(Self.source(informers.informer(for: kind, namespace: namespace), map: map))
        return copy
    }

    /// How many reconciles may run at once (default 1).
    public func workers(_ count: Int) -> ControllerBuilder {
        precondition(count > 0, "a controller needs at least one worker")
        var copy = self
        copy.workerCount = count
        return copy
    }

    /// The rate limiter for failed reconciles (controller-runtime's default otherwise).
    public func rateLimiter(_ limiter: any RateLimiter<ObjectKey>) -> ControllerBuilder {
        var copy = self
        copy.rateLimiter = limiter
        return copy
    }

    /// Where the controller's and queue's metrics go (`MetricsSystem.factory` otherwise).
    public func metricsFactory(_ factory: any MetricsFactory) -> ControllerBuilder {
        var copy = self
        copy.metricsFactory = factory
        return copy
    }

    public func logger(_ logger: Logger) -> ControllerBuilder {
        var copy = self
        copy.logger = logger
        return copy
    }

    /// Creates the controller and registers its handlers on the informers. Run it with `run()`.
    public func build<R: Reconciler>(reconciler: R) -> Controller<R> where R.Request == ObjectKey {
        precondition(!sources.isEmpty, "a controller needs at least one source")
        let controller = Controller(
            name: name, reconciler: reconciler, workers: workerCount, rateLimiter: rateLimiter, clock: ContinuousClock(),
            metricsFactory: metricsFactory ?? MetricsSystem.factory, logger: logger,
            preparations: sources.map(\.prepare))
        // Handlers go in now, so changes from here on are queued even before `run()`; objects
        // cached before this point are queued by the preparations.
        for source in sources { source.register(controller.queue) }
        return controller
    }

    // MARK: Mapping

    static func source<O: Resource>(
        _ informer: Informer<ResourceListWatch<O>>, map: @escaping @Sendable (O) -> [ObjectKey]
    ) -> Source {
        Source(
            register: { queue in
                informer.addHandler { change in
                    switch change {
                    case .added(let object), .deleted(let object):
                        for key in map(object) { await queue.add(key) }
                    case .updated(let old, let new):
                        for key in Set(map(old) + map(new)) { await queue.add(key) }
                    }
                }
            },
            prepare: { queue in
                await informer.store.waitUntilSynced()
                guard !Task.isCancelled else { return }
                for object in informer.store.list() {
                    for key in map(object) { await queue.add(key) }
                }
            })
    }

    /// The key of `dependent`'s controlling owner if that owner is of the given group and kind.
    static func controllerOwnerKeys(of dependent: some Resource, group: String, kind: String, ownerIsNamespaced: Bool) -> [ObjectKey] {
        guard
            let owner = dependent.metadata.ownerReferences?.first(where: { $0.controller == true }),
            owner.kind == kind, Self.group(ofAPIVersion: owner.apiVersion) == group
        else { return [] }
        return [ObjectKey(namespace: ownerIsNamespaced ? dependent.metadata.namespace ?? "" : "", name: owner.name)]
    }

    /// The group of `group/version`; "" for the core group's bare `v1`.
    static func group(ofAPIVersion apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }
}
