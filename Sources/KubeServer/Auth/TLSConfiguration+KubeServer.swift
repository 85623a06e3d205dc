import NIOSSL
import X509

// TLS settings of the API server and of clients that talk to it with certificates from the
// cluster's CertificateAuthority. The server requests but does not require a client certificate
// (`optionalVerification`), like kube-apiserver with `--client-ca-file`: a connection without one can
// still authenticate with a bearer token, while a presented certificate must chain to the CA or the
// handshake fails.

extension TLSConfiguration {
    /// The API server's TLS configuration.
    ///
    /// - Parameters:
    ///   - serving: the serving certificate and key (see ``CertificateAuthority/issueServerCertificate(commonName:dnsNames:ipAddresses:validFor:now:)``).
    ///   - clientAuthority: the CA whose client certificates are accepted; sent to clients as the
    ///     acceptable CA list so that Go clients with several certificates pick the right one.
    public static func kubeServer(
        serving: IssuedCertificate,
        clientAuthority: CertificateAuthority
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try serving.nioSSLCertificate())],
            privateKey: .privateKey(try serving.nioSSLPrivateKey())
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates([try clientAuthority.issued.nioSSLCertificate()])
        configuration.certificateVerification = .optionalVerification
        configuration.sendCANameList = true
        // Closing a connection (server shutdown, idle timeout) waits this long for the client's
        // close_notify; NIOSSL's 5 s default made every stop of a server with clients take 5 s.
        configuration.shutdownTimeout = .milliseconds(250)
        return configuration
    }

    /// A client configuration that trusts only `authority` and, when given, presents `clientCertificate`.
    public static func kubeClient(
        trusting authority: CertificateAuthority,
        clientCertificate: IssuedCertificate? = nil
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.trustRoots = .certificates([try authority.issued.nioSSLCertificate()])
        configuration.certificateVerification = .fullVerification
        if let clientCertificate {
            configuration.certificateChain = [.certificate(try clientCertificate.nioSSLCertificate())]
            configuration.privateKey = .privateKey(try clientCertificate.nioSSLPrivateKey())
        }
        return configuration
    }
}

extension IssuedCertificate {
    /// The certificate in NIOSSL's representation.
    public func nioSSLCertificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: certificateDER, format: .der)
    }

    /// The private key in NIOSSL's representation.
    public func nioSSLPrivateKey() throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
    }
}
