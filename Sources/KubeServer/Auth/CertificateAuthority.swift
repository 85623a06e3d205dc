import Crypto
import Foundation
import KubeModel
import SwiftASN1
import X509

// The cluster's own certificate authority: it signs the API server's serving certificate and the
// client certificates that kubectl and the fleet's agents present. Keys are ECDSA P-256; PEM output
// is what kubeconfig's `certificate-authority-data` / `client-certificate-data` / `client-key-data`
// and Go's `tls.X509KeyPair` accept (certificates as `CERTIFICATE`, keys as PKCS#8 `PRIVATE KEY`).

/// A certificate together with the private key of its subject.
public struct IssuedCertificate: Sendable {
    public let certificate: Certificate
    public let privateKey: P256.Signing.PrivateKey

    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// The certificate as a PEM `CERTIFICATE` block.
    public var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }

    /// The private key as a PEM PKCS#8 `PRIVATE KEY` block.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// The DER bytes of the certificate.
    public var certificateDER: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }
}

/// Failures creating, loading or using a ``CertificateAuthority``.
public enum CertificateAuthorityError: Error, Equatable, CustomStringConvertible {
    /// An IP SAN that is neither a dotted IPv4 address nor an IPv6 address.
    case invalidIPAddress(String)
    /// A loaded CA certificate whose public key is not the one of the loaded private key.
    case privateKeyDoesNotMatchCertificate
    /// A loaded certificate that lacks `basicConstraints CA:TRUE`.
    case notACertificateAuthority

    public var description: String {
        switch self {
        case .invalidIPAddress(let text): return "invalid IP address \(text.debugDescription)"
        case .privateKeyDoesNotMatchCertificate: return "the CA private key does not match the CA certificate"
        case .notACertificateAuthority: return "the certificate is not a CA certificate (basicConstraints CA:FALSE)"
        }
    }
}

/// A self-signed CA that issues server and client certificates for one cluster.
///
/// Every certificate is backdated by a minute so that a peer whose clock is slightly behind still
/// accepts it; serial numbers are random (20 bytes, as RFC 5280 permits at most).
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let privateKey: P256.Signing.PrivateKey

    /// How far every `notValidBefore` lies before the issuing moment.
    public static let backdating: TimeInterval = 60
    /// Validity of the CA itself: ten years.
    public static let authorityValidity: TimeInterval = 10 * 365 * 24 * 3600
    /// Default validity of issued leaf certificates: one year, as kubeadm does.
    public static let defaultLeafValidity: TimeInterval = 365 * 24 * 3600

    /// Creates a new self-signed CA with subject `CN=<name>-ca`.
    public static func makeSelfSigned(name: String, now: Date = Date()) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName("\(name)-ca") }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now - backdating,
            notValidAfter: now + authorityValidity,
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
            },
            issuerPrivateKey: .init(key)
        )
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// Loads an existing CA, e.g. from a fleet directory written by an earlier run.
    ///
    /// The key may be PKCS#8 (`PRIVATE KEY`) or SEC1 (`EC PRIVATE KEY`).
    /// - Throws: ``CertificateAuthorityError`` when the pair does not belong together or the
    ///   certificate is not a CA; parsing errors of swift-certificates / swift-crypto otherwise.
    public init(certificatePEM: String, privateKeyPEM: String) throws {
        let certificate = try Certificate(pemEncoded: certificatePEM)
        let key = try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        guard certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw CertificateAuthorityError.privateKeyDoesNotMatchCertificate
        }
        guard case .isCertificateAuthority = try certificate.extensions.basicConstraints else {
            throw CertificateAuthorityError.notACertificateAuthority
        }
        self.init(certificate: certificate, privateKey: key)
    }

    private init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// The CA certificate as PEM, for `certificate-authority-data` and trust stores.
    public var certificatePEM: String { get throws { try certificate.serializeAsPEM().pemString } }

    /// The CA private key as PEM PKCS#8.
    public var privateKeyPEM: String { privateKey.pemRepresentation }

    /// The CA certificate with its key, e.g. to write both to disk the same way as leaf certificates.
    public var issued: IssuedCertificate { IssuedCertificate(certificate: certificate, privateKey: privateKey) }

    /// Issues an API server serving certificate.
    ///
    /// The SANs always contain `DNS:localhost` and `IP:127.0.0.1`, followed by `dnsNames` and
    /// `ipAddresses` (duplicates removed). Extended key usage is `serverAuth` only.
    /// - Throws: ``CertificateAuthorityError/invalidIPAddress(_:)`` for an unparseable address.
    public func issueServerCertificate(
        commonName: String = "kube-apiserver",
        dnsNames: [String] = [],
        ipAddresses: [String] = [],
        validFor validity: TimeInterval = defaultLeafValidity,
        now: Date = Date()
    ) throws -> IssuedCertificate {
        var names: [GeneralName] = []
        for dnsName in uniqued(["localhost"] + dnsNames) {
            names.append(.dnsName(dnsName))
        }
        for address in uniqued(["127.0.0.1"] + ipAddresses) {
            guard let bytes = IPAddressBytes.parse(address) else {
                throw CertificateAuthorityError.invalidIPAddress(address)
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: bytes[...])))
        }
        let subject = try DistinguishedName { CommonName(commonName) }
        let sans = SubjectAlternativeNames(names)
        return try issueLeaf(
            subject: subject, validity: validity, now: now,
            purpose: [
                try ExtendedKeyUsage([.serverAuth]).makeCertificateExtension(),
                try sans.makeCertificateExtension(),
            ]
        )
    }

    /// Issues a client certificate as Kubernetes reads it: `CN` is the user name, each `O` a group.
    public func issueClientCertificate(
        user: String,
        groups: [String] = [],
        validFor validity: TimeInterval = defaultLeafValidity,
        now: Date = Date()
    ) throws -> IssuedCertificate {
        let subject = try DistinguishedName {
            for group in groups { OrganizationName(group) }
            CommonName(user)
        }
        return try issueLeaf(
            subject: subject, validity: validity, now: now,
            purpose: [try ExtendedKeyUsage([.clientAuth]).makeCertificateExtension()]
        )
    }

    private func issueLeaf(
        subject: DistinguishedName,
        validity: TimeInterval,
        now: Date,
        purpose: [Certificate.Extension]
    ) throws -> IssuedCertificate {
        let key = P256.Signing.PrivateKey()
        var extensions = try Certificate.Extensions(purpose)
        try extensions.append(Critical(BasicConstraints.notCertificateAuthority).makeCertificateExtension())
        try extensions.append(Critical(KeyUsage(digitalSignature: true)).makeCertificateExtension())
        try extensions.append(
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier).makeCertificateExtension()
        )
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey),
            notValidBefore: now - Self.backdating,
            notValidAfter: now + validity,
            issuer: self.certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: .init(privateKey)
        )
        return IssuedCertificate(certificate: certificate, privateKey: key)
    }

    private var authorityKeyIdentifier: ArraySlice<UInt8>? {
        (try? certificate.extensions.subjectKeyIdentifier)??.keyIdentifier
    }
}

private func uniqued(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
