import Hummingbird
import NIOCore
import Logging
import ServiceLifecycle
import Synchronization

// controller-runtime's Manager reduced to what this project needs: runnables (some gated on
// leader election), readiness checks, and one HTTP endpoint for probes and metrics. It is a
// swift-service-lifecycle `Service`, so signals and graceful shutdown come from the ServiceGroup
// of the binary:
//
//     let metrics = MetricsRegistry()
//     let elector = LeaderElector(
//         client: client,
//         configuration: LeaderElectionConfiguration(namespace: "fleet-system", leaseName: "fleet-networking", identity: hostname),
//         metricsFactory: metrics.factory)
//     let manager = Manager(configuration: ManagerConfiguration(port: 8081), leaderElector: elector, metrics: metrics)
//     manager.add("endpointslice-controller", needsLeaderElection: true) { await controller.run() }
//     manager.add("informers", needsLeaderElection: false) { await informer.run() }
//     manager.addReadinessCheck("informers-synced") { informer.store.hasSynced }
//     let group = ServiceGroup(configuration: .init(
//         services: [.init(service: manager)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
//     try await group.run()

/// Where the manager serves `/healthz`, `/readyz` and `/metrics`.
public struct ManagerConfiguration: Sendable, Hashable {
    /// Listen address; `127.0.0.1` by default.
    public var host: String
    /// Listen port; 0 picks a free one (see `Manager.waitUntilListening()`).
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 8081) {
        self.host = host
        self.port = port
    }
}

/// Runs a set of runnables for the life of the process, leader-gated ones only while leading.
///
/// - Runnables with `needsLeaderElection: false` start when `run()` starts.
/// - Runnables with `needsLeaderElection: true` start each time the `LeaderElector` acquires the
///   lease and are cancelled the moment leadership is lost; without an elector they start at once.
/// - A runnable that throws stops the manager (`run()` rethrows), as in controller-runtime.
/// - On graceful shutdown (or cancellation) all runnables are cancelled and awaited; the elector
///   then releases the lease if configured to.
///
/// `/healthz` answers 200 `ok` while the manager runs. `/readyz` answers 200 `ok` when every
/// readiness check passes, else 500 with one `[+]name ok` / `[-]name failed: reason withheld` line
/// per check and `readyz check failed`, as Kubernetes' healthz handlers do. `/metrics` serves
/// `metrics.exposition()`.
///
/// Add runnables and checks before calling `run()`; later additions are ignored by that run.
public final class Manager: Service, Sendable {
    public typealias Runnable = @Sendable () async throws -> Void
    public typealias ReadinessCheck = @Sendable () async -> Bool

    public let configuration: ManagerConfiguration
    public let leaderElector: LeaderElector?
    public let metrics: MetricsRegistry

    private struct Entry {
        var name: String
        var needsLeaderElection: Bool
        var run: Runnable
    }

    private struct State {
        var runnables: [Entry] = []
        var checks: [(name: String, check: ReadinessCheck)] = []
        var port: Int?
        var portWaiters: [CheckedContinuation<Int, Never>] = []
    }

    private let state = Mutex(State())
    private let logger: Logger

    public init(
        configuration: ManagerConfiguration = ManagerConfiguration(), leaderElector: LeaderElector? = nil,
        metrics: MetricsRegistry = MetricsRegistry(), logger: Logger? = nil
    ) {
        self.configuration = configuration
        self.leaderElector = leaderElector
        self.metrics = metrics
        self.logger = logger ?? Logger(label: "KubeRuntime.Manager")
    }

    /// Whether leader-gated runnables may run now (always true without an elector).
    public var isLeader: Bool { leaderElector?.isLeader ?? true }

    /// Registers `run` under `name` (for logs).
    public func add(_ name: String, needsLeaderElection: Bool, _ run: @escaping Runnable) {
        state.withLock { $0.runnables.append(Entry(name: name, needsLeaderElection: needsLeaderElection, run: run)) }
    }

    /// Registers a readiness check reported by `/readyz` under `name`.
    public func addReadinessCheck(_ name: String, _ check: @escaping ReadinessCheck) {
        state.withLock { $0.checks.append((name, check)) }
    }

    /// Suspends until the HTTP listener is bound; returns its port.
    public func waitUntilListening() async -> Int {
        await withCheckedContinuation { continuation in
            let ready: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.portWaiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The result of every readiness check, in registration order.
    public func readiness() async -> [(name: String, ready: Bool)] {
        let checks = state.withLock { $0.checks }
        var results: [(name: String, ready: Bool)] = []
        for (name, check) in checks { results.append((name, await check())) }
        return results
    }

    public func run() async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [weak self] channel in self?.markListening(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The server follows the ServiceGroup's graceful shutdown by itself.
            group.addTask { try await app.run() }
            group.addTask { try await cancelWhenGracefulShutdown { try await self.runRunnables() } }
            try await group.waitForAll()
        }
    }

    // MARK: Runnables

    private func runRunnables() async throws {
        let entries = state.withLock { $0.runnables }
        let gated = entries.filter(\.needsLeaderElection)
        let (failures, failureSink) = AsyncStream.makeStream(of: (any Error).self)
        try await withThrowingDiscardingTaskGroup { group in
            for entry in entries where !entry.needsLeaderElection || leaderElector == nil {
                group.addTask { try await self.runLogged(entry) }
            }
            guard let leaderElector else { return }
            // Gated runnables cannot throw through the elector; their failures come back here.
            group.addTask {
                for await error in failures { throw error }
            }
            group.addTask {
                await leaderElector.run {
                    do {
                        try await withThrowingDiscardingTaskGroup { term in
                            for entry in gated { term.addTask { try await self.runLogged(entry) } }
                        }
                    } catch is CancellationError {
                    } catch {
                        failureSink.yield(error)
                    }
                }
            }
        }
    }

    private func runLogged(_ entry: Entry) async throws {
        logger.debug("starting runnable", metadata: ["runnable": "\(entry.name)"])
        do {
            try await entry.run()
        } catch is CancellationError {
        } catch {
            logger.error("runnable failed", metadata: ["runnable": "\(entry.name)", "error": "\(error)"])
            throw error
        }
    }

    // MARK: HTTP

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in Self.text("ok") }
        router.get("readyz") { [weak self] _, _ in
            guard let self else { return Self.text("manager stopped", status: .serviceUnavailable) }
            let results = await self.readiness()
            if results.allSatisfy(\.ready) { return Self.text("ok") }
            var body = ""
            for result in results {
                body += result.ready ? "[+]\(result.name) ok\n" : "[-]\(result.name) failed: reason withheld\n"
            }
            body += "readyz check failed\n"
            return Self.text(body, status: .internalServerError)
        }
        router.get("metrics") { [weak self] _, _ in
            let bytes = self?.metrics.expositionBytes() ?? []
            return Response(
                status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return router
    }

    private static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private func markListening(port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.portWaiters.removeAll() }
            return state.portWaiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }
}
