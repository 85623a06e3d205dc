import FaultInjection
import Foundation
import KubeServer
import Logging
import ServiceLifecycle
import Synchronization

// A cluster's API server in a fault test, behind a FaultProxy that every client of the cluster
// goes through (controllers, agents, the test itself): the proxy injects network faults, and the
// server can be stopped and started again over the same storage — keeping or losing its watch
// history — while clients keep the proxy's address, as they keep a restarted kube-apiserver's.

final class RestartableServer: Sendable {
    let name: String
    let core: APIServerCore
    let proxy: FaultProxy
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)
    private let logger: Logger

    /// The URL clients use: the proxy's.
    var url: String { "http://127.0.0.1:\(proxy.port)" }

    private init(name: String, core: APIServerCore, proxy: FaultProxy, logger: Logger) {
        self.name = name
        self.core = core
        self.proxy = proxy
        self.logger = logger
    }

    static func start(name: String, logger: Logger) async throws -> RestartableServer {
        let core = try APIServerCore()
        let (group, task, port) = try await serve(core, name: name, logger: logger)
        let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: port, logger: logger)
        let server = RestartableServer(name: name, core: core, proxy: proxy, logger: logger)
        server.running.withLock { $0 = (group, task) }
        return server
    }

    /// Stops the server (gracefully: watches end, requests in flight finish).
    func stopServer() async {
        guard let (group, task) = running.withLock({ state in defer { state = nil }; return state }) else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Starts a server over the same storage on a new port and points the proxy at it. With
    /// `losingHistory`, the watch history is gone first: every client resuming a watch gets 410
    /// and lists again.
    func startServer(losingHistory: Bool) async throws {
        if losingHistory { core.store.compactHistory() }
        let (group, task, port) = try await Self.serve(core, name: name, logger: logger)
        running.withLock { $0 = (group, task) }
        proxy.upstream = FaultProxy.Upstream(host: "127.0.0.1", port: port)
    }

    /// Stops the server and the proxy.
    func stop() async {
        await stopServer()
        await proxy.stop()
    }

    /// Stops the server, then starts it again; returns when it listens.
    func restart(losingHistory: Bool, downFor downtime: Duration = .zero) async throws {
        await stopServer()
        if downtime > .zero { try await Task.sleep(for: downtime) }
        try await startServer(losingHistory: losingHistory)
    }

    private static func serve(_ core: APIServerCore, name: String, logger: Logger) async throws -> (ServiceGroup, Task<Void, any Error>, Int) {
        let server = APIServer(
            configuration: APIServerConfiguration(name: name, port: 0, allowsAnonymous: true, authorizationEnabled: false),
            core: core, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let task = Task { try await group.run() }
        let port = try await server.waitUntilListening()
        return (group, task, port)
    }
}
