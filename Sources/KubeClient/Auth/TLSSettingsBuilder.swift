import NIOSSL

// Turns the kubeconfig's TLS settings into NIOSSL's client configuration. Certificates and keys
// are PEM; NIOSSL (BoringSSL) reads EC and RSA keys in PKCS#1, SEC1 and PKCS#8 form, which covers
// what kubeadm, kind, AKS and our own CertificateAuthority write.

enum TLSSettingsBuilder {
    static func configuration(for settings: ClientConfiguration.TLSSettings) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        // Closing a connection waits this long for the server's close_notify. NIOSSL's 5 s default
        // made every shutdown with an idle watch open take 5 s; a server that answers does so in
        // well under a round trip on the networks Kubernetes clients use.
        configuration.shutdownTimeout = .milliseconds(250)
        if settings.insecureSkipVerify {
            configuration.certificateVerification = .none
        } else if let pem = settings.certificateAuthorityPEM {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(pem)
            } catch {
                throw KubeClientError(kind: .configuration, message: "certificate authority: not valid PEM", underlying: error)
            }
            guard !certificates.isEmpty else {
                throw KubeClientError.configuration("certificate authority: no certificate in PEM data")
            }
            configuration.trustRoots = .certificates(certificates)
            configuration.certificateVerification = .fullVerification
        }
        if let certificate = settings.clientCertificatePEM, let key = settings.clientKeyPEM {
            configuration = try withClientCertificate(configuration, certificatePEM: certificate, keyPEM: key, origin: "client certificate")
        }
        return configuration
    }

    static func withClientCertificate(
        _ base: TLSConfiguration, certificatePEM: [UInt8], keyPEM: [UInt8], origin: String
    ) throws -> TLSConfiguration {
        var configuration = base
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(certificatePEM)
            guard !chain.isEmpty else { throw KubeClientError.configuration("\(origin): no certificate in PEM data") }
            configuration.certificateChain = chain.map { .certificate($0) }
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw KubeClientError(kind: .configuration, message: "\(origin): certificate is not valid PEM", underlying: error)
        }
        do {
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: keyPEM, format: .pem))
        } catch {
            throw KubeClientError(kind: .configuration, message: "\(origin): key is not a valid PEM private key", underlying: error)
        }
        return configuration
    }
}
