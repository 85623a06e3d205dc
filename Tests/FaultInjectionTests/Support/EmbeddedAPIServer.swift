import KubeServer
import Logging
import ServiceLifecycle

// The embedded API server (anonymous, no RBAC; plain HTTP unless told otherwise), run under a
// ServiceGroup for the length of a test.

enum EmbeddedAPIServer {
    /// Runs a server on a free port during `body`, which gets the port, then stops it. Close the
    /// connections to it first (shut clients down, stop proxies): a graceful stop waits for them.
    static func serving<T: Sendable>(
        transport: APIServerConfiguration.Transport = .plainHTTP, _ body: @Sendable (Int) async throws -> T
    ) async throws -> T {
        let server = APIServer(
            configuration: APIServerConfiguration(
                name: "fault-injection-test", port: 0, transport: transport, allowsAnonymous: true, authorizationEnabled: false),
            core: try APIServerCore(), logger: ProxyFixture.quiet)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: ProxyFixture.quiet))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            do {
                let value = try await body(try await server.waitUntilListening())
                await group.triggerGracefulShutdown()
                for try await _ in tasks {}
                return value
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }
}
