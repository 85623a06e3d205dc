import Foundation
import KubeClient
import KubeServer
import LocalFleet
import Logging
import ServiceLifecycle

// A real embedded API server over HTTPS (client certificates, RBAC on) for the length of one
// test, with an admin client configuration and a kubeconfig describing it for subprocesses.

struct TLSAPIServer: Sendable {
    let url: String
    let authority: CertificateAuthority
    let admin: IssuedCertificate

    static let quiet: Logger = {
        var logger = Logger(label: "crd-installer-test")
        logger.logLevel = .critical
        return logger
    }()

    /// Starts a server on 127.0.0.1 (free port), runs `body`, then stops the server gracefully.
    static func with<T: Sendable>(_ body: @Sendable (TLSAPIServer) async throws -> T) async throws -> T {
        let authority = try CertificateAuthority.makeSelfSigned(name: "crd-installer-test")
        let serving = try authority.issueServerCertificate(
            commonName: "crd-installer-test", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let admin = try authority.issueClientCertificate(user: "test-admin", groups: ["system:masters"])
        let server = try APIServer(
            configuration: APIServerConfiguration(
                name: "crd-installer-test", host: "127.0.0.1", port: 0,
                transport: .tls(authority: authority, serverCertificate: serving)),
            logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quiet))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let fixture = TLSAPIServer(url: try await server.url(), authority: authority, admin: admin)
            let result: Result<T, any Error>
            do {
                result = .success(try await body(fixture))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return try result.get()
        }
    }

    var caPEM: String { (try? authority.certificatePEM) ?? "" }

    /// Trusts the server's CA and authenticates as a superuser by client certificate.
    func adminConfiguration() throws -> ClientConfiguration {
        ClientConfiguration(
            server: url,
            tls: .init(
                certificateAuthorityPEM: Array(caPEM.utf8), clientCertificatePEM: Array(try admin.certificatePEM.utf8),
                clientKeyPEM: Array(admin.privateKeyPEM.utf8)))
    }

    /// Runs `body` with an admin client, shut down afterwards (before the server stops).
    func withClient<T: Sendable>(_ body: @Sendable (KubeClient) async throws -> T) async throws -> T {
        let client = try KubeClient(configuration: try adminConfiguration(), logger: Self.quiet)
        do {
            let value = try await body(client)
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Writes a kubeconfig for the admin user of this server to `path`.
    func writeKubeconfig(to path: String) throws {
        let entry = KubeconfigEntry(
            context: "test", server: url, certificateAuthorityPEM: caPEM,
            clientCertificatePEM: try admin.certificatePEM, clientKeyPEM: admin.privateKeyPEM)
        try KubeconfigWriter.write([entry], currentContext: "test", to: URL(fileURLWithPath: path))
    }
}

/// Runs `body` with an admin client of a fresh HTTPS server.
func withAdminClient<T: Sendable>(_ body: @Sendable (KubeClient) async throws -> T) async throws -> T {
    try await TLSAPIServer.with { server in try await server.withClient(body) }
}
