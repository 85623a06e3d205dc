import AsyncHTTPClient
import Foundation
import KubeModel
import KubeServer
import NIOCore
import NIOHTTP1
import NIOSSL

// A real API server on 127.0.0.1 (free port, HTTPS with its own CA by default) for the length
// of one test, with an HTTP client that authenticates as a superuser by client certificate.
// Tests talk to it only over the network, as any client would.

struct TestServer: Sendable {
    let server: APIServer
    let baseURL: String
    let authority: CertificateAuthority?
    let client: HTTPClient
    /// The superuser's client certificate (`test-admin`, group `system:masters`); nil without TLS.
    var adminCertificate: IssuedCertificate? = nil

    /// Starts a server, runs `body`, and always stops both.
    static func with<T: Sendable>(
        tls: Bool = true, tokens: StaticTokenTable = StaticTokenTable(), allowsAnonymous: Bool = false,
        options: ServerOptions = ServerOptions(),
        _ body: @Sendable (TestServer) async throws -> T
    ) async throws -> T {
        let authority = tls ? try CertificateAuthority.makeSelfSigned(name: "test") : nil
        let transport: APIServerConfiguration.Transport
        var clientConfiguration = HTTPClient.Configuration()
        var adminCertificate: IssuedCertificate?
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
        if let authority {
            let serving = try authority.issueServerCertificate(commonName: "test", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            transport = .tls(authority: authority, serverCertificate: serving)
            let admin = try authority.issueClientCertificate(user: "test-admin", groups: ["system:masters"])
            adminCertificate = admin
            clientConfiguration.tlsConfiguration = try TLSConfiguration.kubeClient(trusting: authority, clientCertificate: admin)
        } else {
            transport = .plainHTTP
        }
        let server = try APIServer(
            configuration: APIServerConfiguration(
                name: "test", transport: transport, tokens: tokens, allowsAnonymous: allowsAnonymous,
                authorizationEnabled: tls, options: options))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        do {
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await server.run()
                    return nil
                }
                let url = try await server.url()
                let testServer = TestServer(
                    server: server, baseURL: url, authority: authority, client: client, adminCertificate: adminCertificate)
                let value: T
                do {
                    value = try await body(testServer)
                } catch {
                    try? await client.shutdown()
                    group.cancelAll()
                    throw error
                }
                // Close the client's connections before stopping the server, so that no request is
                // in flight or being accepted while the server is cancelled.
                try await client.shutdown()
                group.cancelAll()
                return value
            }
            return result
        } catch {
            throw error
        }
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue { (try? JSONValue(parsing: body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// One request as the superuser (or with `bearerToken`, or through `client` when given).
    func request(
        _ method: HTTPMethod, _ path: String, json: JSONValue? = nil, body: String? = nil,
        contentType: String = "application/json", headers: [(String, String)] = [], bearerToken: String? = nil,
        using otherClient: HTTPClient? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        if let json {
            request.body = .bytes(ByteBuffer(bytes: json.serialized()))
            request.headers.add(name: "Content-Type", value: contentType)
        } else if let body {
            request.body = .bytes(ByteBuffer(string: body))
            request.headers.add(name: "Content-Type", value: contentType)
        }
        let response = try await (otherClient ?? client).execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }

    /// Opens a watch and returns its events as they arrive (one JSON object per line).
    func watch(_ path: String, bearerToken: String? = nil, headers: [(String, String)] = []) async throws
        -> AsyncThrowingStream<JSONValue, any Error>
    {
        var request = HTTPClientRequest(url: baseURL + path)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = response.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                var pending: [UInt8] = []
                do {
                    for try await chunk in body {
                        pending += chunk.readableBytesView
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            if !line.isEmpty { continuation.yield(try JSONValue(parsing: line)) }
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// A reply that was not what a test helper required; its description says what came back.
struct UnexpectedReply: Error, CustomStringConvertible {
    var description: String
}

extension TestServer.Reply {
    /// `reason` of a Status body.
    var reason: String? { json["reason"]?.stringValue }
    /// `message` of a Status body.
    var message: String? { json["message"]?.stringValue }
    /// All values of a response header, in order.
    func headerValues(_ name: String) -> [String] { headers[name] }
}

extension TestServer {
    /// POSTs `object` to `collectionPath` and returns the created object; anything but 201 throws.
    @discardableResult
    func create(_ collectionPath: String, _ object: JSONValue) async throws -> JSONValue {
        let reply = try await request(.POST, collectionPath, json: object)
        guard reply.status == 201 else {
            throw UnexpectedReply(description: "POST \(collectionPath) answered \(reply.status): \(reply.text)")
        }
        return reply.json
    }

    /// GETs `path` and returns the object; anything but 200 throws.
    func get(_ path: String) async throws -> JSONValue {
        let reply = try await request(.GET, path)
        guard reply.status == 200 else {
            throw UnexpectedReply(description: "GET \(path) answered \(reply.status): \(reply.text)")
        }
        return reply.json
    }

    /// Creates a namespace and returns its name.
    @discardableResult
    func createNamespace(_ name: String) async throws -> String {
        try await create("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        return name
    }

    /// Asks the server until `probe` holds, for changes the server makes asynchronously (garbage
    /// collection, namespace termination). Requests run back to back; the bound is `timeout`.
    func eventually(
        _ description: String, timeout: Duration = .seconds(10), _ probe: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await probe() { return }
            await Task.yield()
        }
        throw UnexpectedReply(description: "timed out after \(timeout) waiting until \(description)")
    }

    /// Runs `body` with a separate client that trusts this server and presents `certificate`
    /// (no client certificate when nil), so requests carry another identity than the superuser's.
    func withClient<T: Sendable>(
        certificate: IssuedCertificate?, _ body: @Sendable (HTTPClient) async throws -> T
    ) async throws -> T {
        guard let authority else { throw UnexpectedReply(description: "withClient needs a TLS server") }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try TLSConfiguration.kubeClient(trusting: authority, clientCertificate: certificate)
        let other = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            let result = try await body(other)
            try await other.shutdown()
            return result
        } catch {
            try? await other.shutdown()
            throw error
        }
    }
}

/// Reads a watch stream event by event. One reader per stream: dropping a stream's iterator ends it.
struct WatchReader {
    private var iterator: AsyncThrowingStream<JSONValue, any Error>.Iterator

    init(_ stream: AsyncThrowingStream<JSONValue, any Error>) {
        iterator = stream.makeAsyncIterator()
    }

    /// The next event, or nil when the stream ended.
    mutating func next() async throws -> JSONValue? {
        try await iterator.next()
    }

    /// The next `count` events; fewer when the stream ends first (bound watches with `timeoutSeconds`).
    mutating func next(_ count: Int) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        while events.count < count, let event = try await iterator.next() { events.append(event) }
        return events
    }

    /// Every event up to the end of the stream.
    mutating func rest() async throws -> [JSONValue] {
        var events: [JSONValue] = []
        while let event = try await iterator.next() { events.append(event) }
        return events
    }
}

extension TestServer {
    /// Opens a watch and returns a reader of its events.
    func openWatch(_ path: String, bearerToken: String? = nil, headers: [(String, String)] = []) async throws -> WatchReader {
        WatchReader(try await watch(path, bearerToken: bearerToken, headers: headers))
    }
}
