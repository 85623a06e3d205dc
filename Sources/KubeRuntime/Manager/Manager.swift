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
/// `/healthz` (liveness checks, none by default) and `/readyz` (readiness checks) answer as
/// controller-runtime's healthz handler: 200 `ok` when every check passes, else 500 listing each
/// check as `[+]name ok` / `[-]name failed: reason withheld` (sorted by name) and ending with
/// `healthz check failed`; `?verbose` lists on success too, `?exclude=name` skips a check, and
/// `/readyz/<name>` runs one check. `/metrics` serves `metrics.exposition()`.
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
        var healthChecks: [(name: String, check: ReadinessCheck)] = []
        var port: Int?
        /// Set when `run()` ended without listening.
        var notListening: ManagerError?
        var portWaiters: [CheckedContinuation<Int, any Error>] = []
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

    /// Registers a liveness check reported by `/healthz` under `name` (without any, `/healthz`
    /// answers `ok` while the manager serves, from its implicit `ping` check).
    public func addHealthCheck(_ name: String, _ check: @escaping ReadinessCheck) {
        state.withLock { $0.healthChecks.append((name, check)) }
    }

    /// Suspends until the HTTP listener is bound; returns its port.
    /// Throws `ManagerError.notListening` when `run()` ends without having listened.
    public func waitUntilListening() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, ManagerError>? = state.withLock { state in
                if let port = state.port { return .success(port) }
                if let failure = state.notListening { return .failure(failure) }
                state.portWaiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// The result of every readiness check, in registration order.
    public func readiness() async -> [(name: String, ready: Bool)] {
        let checks = state.withLock { $0.checks }
        var results: [(name: String, ready: Bool)] = []
        for (name, check) in checks { results.append((name, await check())) }
        return results
    }

    /// The result of every health check, in registration order.
    public func health() async -> [(name: String, ready: Bool)] {
        let checks = state.withLock { $0.healthChecks }
        var results: [(name: String, ready: Bool)] = []
        for (name, check) in checks { results.append((name, await check())) }
        return results
    }

    public func run() async throws {
        do {
            try await serve()
            markEnded(nil)
        } catch {
            markEnded(error)
            throw error
        }
    }

    private func markEnded(_ error: (any Error)?) {
        let failure = ManagerError.notListening(
            host: configuration.host, port: configuration.port, cause: error.map { "\($0)" })
        let waiters = state.withLock { state in
            guard state.port == nil else { return [CheckedContinuation<Int, any Error>]() }
            state.notListening = failure
            defer { state.portWaiters.removeAll() }
            return state.portWaiters
        }
        for waiter in waiters { waiter.resume(throwing: failure) }
    }

    private func serve() async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [weak self] channel in self?.markListening(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        // The server runs in a group of its own (no signal handling: that is the binary's group),
        // so that it can be shut down when a runnable fails, not only on the outer shutdown.
        let server = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            group.addTask {
                do {
                    try await cancelWhenGracefulShutdown { try await self.runRunnables() }
                } catch {
                    await server.triggerGracefulShutdown()
                    throw error
                }
                // Runnables may all return early; probes stay up until shutdown (or cancellation).
                try? await gracefulShutdown()
                await server.triggerGracefulShutdown()
            }
            // Not `waitForAll()`: it rethrows only once every child has finished, so a server
            // that fails to bind would leave the runnables running. Leaving the group on the
            // first error cancels the others.
            while let _ = try await group.next() {}
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
        for endpoint in ["healthz", "readyz"] {
            let isReadiness = endpoint == "readyz"
            router.get(RouterPath(endpoint)) { [weak self] request, _ in
                let results = await self?.results(readiness: isReadiness) ?? []
                let excluded = Set(request.uri.queryParameters.getAll("exclude").map { String($0) })
                let verbose = request.uri.queryParameters.has("verbose")
                return Self.aggregate(results, excluded: excluded, verbose: verbose)
            }
            router.get(RouterPath("\(endpoint)/:check")) { [weak self] _, context in
                let name = context.parameters.get("check") ?? ""
                let results = await self?.results(readiness: isReadiness) ?? []
                guard let result = results.first(where: { $0.name == name }) else {
                    return Self.text("404 page not found\n", status: .notFound)
                }
                return result.ready
                    ? Self.text("ok") : Self.text("internal server error: check failed\n", status: .internalServerError)
            }
        }
        router.get("metrics") { [weak self] _, _ in
            let bytes = self?.metrics.expositionBytes() ?? []
            return Response(
                status: .ok, headers: [.contentType: MetricsRegistry.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        return router
    }

    private func results(readiness: Bool) async -> [(name: String, ready: Bool)] {
        readiness ? await self.readiness() : await self.health()
    }

    /// controller-runtime's aggregated check output: checks sorted by name, `ok` alone on
    /// success unless `verbose`, one line per check otherwise; `exclude`d checks count as passing.
    /// Failures always end with `healthz check failed` (controller-runtime uses the same wording
    /// for `/readyz`).
    static func aggregate(_ results: [(name: String, ready: Bool)], excluded: Set<String>, verbose: Bool) -> Response {
        var parts = results.map { (name: $0.name, ready: $0.ready, excluded: excluded.contains($0.name)) }
        if parts.isEmpty { parts = [(name: "ping", ready: true, excluded: false)] }
        parts.sort { $0.name < $1.name }
        let failed = parts.contains { !$0.ready && !$0.excluded }
        if !failed, !verbose { return text("ok") }
        var body = ""
        for part in parts {
            if part.excluded {
                body += "[+]\(part.name) excluded: ok\n"
            } else if part.ready {
                body += "[+]\(part.name) ok\n"
            } else {
                // The reason stays out: the endpoint is unauthenticated.
                body += "[-]\(part.name) failed: reason withheld\n"
            }
        }
        let unknown = excluded.subtracting(parts.map(\.name)).sorted()
        if !unknown.isEmpty {
            body += "warn: some health checks cannot be excluded: no matches for "
                + unknown.map { "\"\($0)\"" }.joined(separator: ",") + "\n"
        }
        body += failed ? "healthz check failed\n" : "healthz check passed\n"
        return text(body, status: failed ? .internalServerError : .ok)
    }

    private static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"],
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

public enum ManagerError: Error, CustomStringConvertible, Equatable {
    /// The manager stopped before its probe and metrics listener was bound.
    case notListening(host: String, port: Int, cause: String?)

    public var description: String {
        switch self {
        case .notListening(let host, let port, let cause):
            "manager stopped before listening on \(host):\(port)" + (cause.map { ": \($0)" } ?? "")
        }
    }
}
