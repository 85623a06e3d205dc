import Foundation
import KubeClient
import KubeServer
import KubeTestSupport
import Logging
import ServiceLifecycle
import Testing

// The embedded API server over plain HTTP (anonymous, no RBAC) for integration tests, and
// polling for asynchronous outcomes.

enum EmbeddedServer {
    static let quiet: Logger = {
        var logger = Logger(label: "kube-runtime-test")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs a server over `core` on `port` (0: any free port) during `body`, which gets its URL.
    static func serving<T: Sendable>(_ core: APIServerCore, port: Int = 0, _ body: @Sendable (String) async throws -> T)
        async throws -> T
    {
        let server = APIServer(
            configuration: APIServerConfiguration(name: "runtime-test", port: port, allowsAnonymous: true, authorizationEnabled: false),
            core: core, logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quiet))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let value = try await body(try await server.url())
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return value
        }
    }

    /// Like `serving`, with a client of that server that is shut down afterwards.
    static func withClient<T: Sendable>(_ core: APIServerCore, _ body: @Sendable (KubeClient) async throws -> T) async throws -> T {
        try await serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: quiet)
            do {
                let value = try await body(client)
                try await client.shutdown()
                return value
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    /// A server that can be stopped and started again over the same storage and port.
    struct Running {
        let group: ServiceGroup
        let task: Task<Void, any Error>
        let url: String
        let port: Int

        /// Starts a server over `core` on `port` (0: any free port), over HTTPS when `tls` is given.
        /// A port that is taken (by what is written to standard error) is tried again for a while.
        static func start(core: APIServerCore, port: Int, tls: ServerIdentity? = nil) async throws -> Running {
            try await RestartablePort.retryingWhileInUse(port: port) { try await startOnce(core: core, port: port, tls: tls) }
        }

        private static func startOnce(core: APIServerCore, port: Int, tls: ServerIdentity?) async throws -> Running {
            let server = APIServer(
                configuration: APIServerConfiguration(
                    name: "runtime-test", port: port, transport: tls?.transport ?? .plainHTTP, allowsAnonymous: true,
                    authorizationEnabled: false),
                core: core, logger: quiet)
            let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quiet))
            let task = Task { try await group.run() }
            let bound = try await server.waitUntilListening()
            return Running(group: group, task: task, url: try await server.url(), port: bound)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }
}

/// Polls `condition` until it holds, recording an issue after `timeout`.
func eventually(_ description: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting until \(description)")
}
