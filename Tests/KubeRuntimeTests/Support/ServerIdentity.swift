import KubeClient
import KubeServer

/// The certificates of an embedded HTTPS server that outlive one server process: a CA, the
/// serving certificate (localhost, 127.0.0.1) and an admin client certificate. A server restarted
/// with the same identity is trusted by clients configured for the first one.
struct ServerIdentity: Sendable {
    let authority: CertificateAuthority
    let serving: IssuedCertificate
    let admin: IssuedCertificate

    init() throws {
        authority = try CertificateAuthority.makeSelfSigned(name: "runtime-test")
        serving = try authority.issueServerCertificate(commonName: "runtime-test", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        admin = try authority.issueClientCertificate(user: "runtime-admin", groups: ["system:masters"])
    }

    var transport: APIServerConfiguration.Transport { .tls(authority: authority, serverCertificate: serving) }

    /// A client configuration for `url` that trusts the CA and presents the admin certificate.
    func clientConfiguration(url: String) throws -> ClientConfiguration {
        ClientConfiguration(
            server: url,
            tls: .init(
                certificateAuthorityPEM: Array(try authority.certificatePEM.utf8),
                clientCertificatePEM: Array(try admin.certificatePEM.utf8), clientKeyPEM: Array(admin.privateKeyPEM.utf8)))
    }
}
