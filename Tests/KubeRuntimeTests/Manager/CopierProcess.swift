import KubeClient
import KubeModel
import KubeRuntime
import ServiceLifecycle

/// One operator process assembled as a binary would assemble it: a client of the API server,
/// shared informers, the `ConfigMapCopier` controller (leader-gated), and a `Manager` (with a
/// `LeaderElector` when given a configuration) running under a ServiceGroup, serving its probes and
/// metrics on a free port.
struct CopierProcess: Sendable {
    static let controllerName = "configmap-copier"
    static let readinessCheck = "informers-synced"

    let client: KubeClient
    let manager: Manager
    let reconciles: Recording<ObjectKey>
    let probeURL: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    static func start(client configuration: ClientConfiguration, leaderElection: LeaderElectionConfiguration? = nil) async throws
        -> CopierProcess
    {
        let quiet = EmbeddedServer.quiet
        let client = try KubeClient(configuration: configuration, logger: quiet)
        let metrics = MetricsRegistry()
        // Short reconnect delays: the tests stop the API server under the informers.
        let informers = SharedInformers(
            client: client, backoff: InformerBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(500)), logger: quiet)
        let reconciles = Recording<ObjectKey>()
        let reconciler = ConfigMapCopier(
            configMaps: informers.informer(for: ConfigMap.self, namespace: "default").store,
            api: client.api(ConfigMap.self, namespace: "default"), reconciles: reconciles)
        let controller = ControllerBuilder(name: controllerName)
            .for(ConfigMap.self, in: informers, namespace: "default")
            .owns(ConfigMap.self, in: informers, namespace: "default")
            .metricsFactory(metrics.factory)
            .logger(quiet)
            .build(reconciler: reconciler)
        let elector = leaderElection.map { LeaderElector(client: client, configuration: $0, metricsFactory: metrics.factory, logger: quiet) }
        let manager = Manager(configuration: ManagerConfiguration(port: 0), leaderElector: elector, metrics: metrics, logger: quiet)
        manager.add("informers", needsLeaderElection: false) { await informers.run() }
        manager.add(controllerName, needsLeaderElection: true) { await controller.run() }
        manager.addReadinessCheck(readinessCheck) { informers.hasSynced }

        let group = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: quiet))
        let task = Task { try await group.run() }
        let port = try await manager.waitUntilListening()
        return CopierProcess(
            client: client, manager: manager, reconciles: reconciles, probeURL: "http://127.0.0.1:\(port)", group: group, task: task)
    }

    /// Shuts the manager down gracefully (releasing its lease if it leads), then closes its client.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        let outcome = await task.result
        try await client.shutdown()
        try outcome.get()
    }

    /// `GET` of a probe or metrics path, e.g. `/readyz?verbose`.
    func get(_ path: String) async throws -> (status: Int, body: String) {
        try await ManagerTests.get(probeURL + path)
    }
}
