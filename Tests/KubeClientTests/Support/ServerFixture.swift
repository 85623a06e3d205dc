import Foundation
import KubeClient
import KubeModel
import KubeServer

// A real embedded API server over HTTPS for the length of one test, and client configurations
// that reach it as a kubeconfig would describe it: the CA's PEM and a credential.

struct ServerFixture: Sendable {
    let url: String
    let authority: CertificateAuthority
    let admin: IssuedCertificate

    /// Starts a server (with `tokens` known to it and a serving certificate for `dnsNames` and
    /// `ipAddresses`), runs `body`, then stops the server.
    static func with<T: Sendable>(
        tokens: StaticTokenTable = StaticTokenTable(), options: ServerOptions = ServerOptions(),
        dnsNames: [String] = ["localhost"], ipAddresses: [String] = ["127.0.0.1"],
        _ body: @Sendable (ServerFixture) async throws -> T
    ) async throws -> T {
        let authority = try CertificateAuthority.makeSelfSigned(name: "client-test")
        let serving = try authority.issueServerCertificate(commonName: "client-test", dnsNames: dnsNames, ipAddresses: ipAddresses)
        let admin = try authority.issueClientCertificate(user: "test-admin", groups: ["system:masters"])
        let server = try APIServer(
            configuration: APIServerConfiguration(
                name: "client-test", transport: .tls(authority: authority, serverCertificate: serving), tokens: tokens,
                options: options))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            defer { group.cancelAll() }
            let fixture = ServerFixture(url: try await server.url(), authority: authority, admin: admin)
            return try await body(fixture)
        }
    }

    var caPEM: [UInt8] { Array((try? authority.certificatePEM)?.utf8 ?? "".utf8) }

    /// A configuration that trusts the server's CA and authenticates as the superuser by certificate.
    func adminConfiguration() throws -> ClientConfiguration {
        ClientConfiguration(
            server: url,
            tls: .init(certificateAuthorityPEM: caPEM, clientCertificatePEM: Array(try admin.certificatePEM.utf8),
                       clientKeyPEM: Array(admin.privateKeyPEM.utf8)))
    }

    /// A configuration trusting the CA with the given authentication and no client certificate.
    func configuration(authentication: ClientConfiguration.Authentication) -> ClientConfiguration {
        ClientConfiguration(server: url, tls: .init(certificateAuthorityPEM: caPEM), authentication: authentication)
    }

    /// Runs `body` with a client for `configuration`, shutting it down afterwards.
    func withClient<T: Sendable>(
        _ configuration: ClientConfiguration? = nil, _ body: @Sendable (KubeClient) async throws -> T
    ) async throws -> T {
        let client = try KubeClient(configuration: configuration ?? adminConfiguration())
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

/// Runs `body` on the admin client of a fresh server.
func withAdminClient<T: Sendable>(
    options: ServerOptions = ServerOptions(), _ body: @Sendable (KubeClient) async throws -> T
) async throws -> T {
    try await ServerFixture.with(options: options) { fixture in
        try await fixture.withClient { client in try await body(client) }
    }
}

/// A fresh temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
    let path = NSTemporaryDirectory() + "kubeclient-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

func write(_ text: String, to path: String) throws {
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}
