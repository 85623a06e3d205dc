import AsyncHTTPClient
import Foundation
import KubeModel
import KubeServer
import KubeTestSupport
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

// A server restarted on the same port over the same storage serves the same objects, and
// resource versions keep increasing — what clients see when kube-apiserver restarts.

@Suite struct ServerRestartTests {
    @Test func restartedServerKeepsObjectsPortAndResourceVersions() async throws {
        var logger = Logger(label: "restart-test")
        logger.logLevel = .critical
        let core = try APIServerCore()
        let first = APIServer(configuration: APIServerConfiguration(name: "first", port: RestartablePort.next(), allowsAnonymous: true, authorizationEnabled: false), core: core, logger: logger)

        let (port, createdVersion) = try await Self.running(first, logger: logger) { base, port, client in
            let created = try await Self.send(client, .POST, base + "/api/v1/namespaces/default/configmaps",
                                              body: ["metadata": ["name": "kept"], "data": ["a": "1"]])
            #expect(created.status == 201)
            return (port, created.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "")
        }

        try await RestartablePort.retryingWhileInUse(port: port) {
          let second = APIServer(configuration: APIServerConfiguration(name: "second", port: port, allowsAnonymous: true, authorizationEnabled: false), core: core, logger: logger)
          try await Self.running(second, logger: logger) { base, secondPort, client in
            #expect(secondPort == port)
            let read = try await Self.send(client, .GET, base + "/api/v1/namespaces/default/configmaps/kept")
            #expect(read.status == 200)
            #expect(read.json[path: ["metadata", "resourceVersion"]]?.stringValue == createdVersion)
            let updated = try await Self.send(client, .PUT, base + "/api/v1/namespaces/default/configmaps/kept",
                                              body: ["metadata": ["name": "kept", "resourceVersion": .string(createdVersion)], "data": ["a": "2"]])
            #expect(updated.status == 200)
            let newVersion = Int(updated.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            #expect(newVersion > Int(createdVersion) ?? .max)
          }
        }
    }

    /// As kube-apiserver: `/readyz` fails from the moment shutdown begins (watches closed, new
    /// ones refused) while `/livez` still answers, and is ready again when a server serves the
    /// storage again. Clients probe `/readyz` to learn when to come back.
    @Test func readyzFailsOnceShutdownHasBegun() async throws {
        var logger = Logger(label: "restart-test")
        logger.logLevel = .critical
        let core = try APIServerCore()
        let server = APIServer(configuration: APIServerConfiguration(name: "readyz", allowsAnonymous: true, authorizationEnabled: false), core: core, logger: logger)
        try await Self.running(server, logger: logger) { base, _, client in
            for path in ["/readyz", "/readyz/"] {
                #expect(try await Self.text(client, base + path) == (200, "ok"))
            }
            core.store.closeAllWatches()
            for path in ["/readyz", "/readyz/"] {
                let (status, text) = try await Self.text(client, base + path)
                #expect(status == 500)
                #expect(text.contains("[-]shutdown failed"))
            }
            #expect(try await Self.text(client, base + "/livez") == (200, "ok"))
            core.store.acceptWatches()
            #expect(try await Self.text(client, base + "/readyz") == (200, "ok"))
        }
    }

    private static func text(_ client: HTTPClient, _ url: String) async throws -> (Int, String) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// Runs `server` during `body`, which gets its URL, port and an HTTP client whose connections
    /// are closed before the server stops (a graceful stop waits for open keep-alive connections).
    private static func running<T: Sendable>(
        _ server: APIServer, logger: Logger, _ body: @Sendable (String, Int, HTTPClient) async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let port = try await server.waitUntilListening()
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let value: T
            do {
                value = try await body(try await server.url(), port, client)
            } catch {
                try? await client.shutdown()
                await group.triggerGracefulShutdown()
                throw error
            }
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return value
        }
    }

    private static func send(_ client: HTTPClient, _ method: HTTPMethod, _ url: String, body: JSONValue? = nil) async throws
        -> (status: Int, json: JSONValue)
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), try JSONValue(parsing: Array(bytes.readableBytesView)))
    }
}
