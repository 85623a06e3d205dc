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
                let url = await server.url()
                let testServer = TestServer(
                    server: server, baseURL: url, authority: authority, client: client, adminCertificate: adminCertificate)
                let value = try await body(testServer)
                group.cancelAll()
                return value
            }
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
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
    func watch(_ path: String, bearerToken: String? = nil) async throws -> AsyncThrowingStream<JSONValue, any Error> {
        var request = HTTPClientRequest(url: baseURL + path)
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
