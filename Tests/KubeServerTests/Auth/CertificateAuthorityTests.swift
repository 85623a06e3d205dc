import Crypto
import Foundation
import KubeServer
import SwiftASN1
import Testing
import X509

@Suite struct CertificateAuthorityTests {
    static let authority = try! CertificateAuthority.makeSelfSigned(name: "hub")

    static func validate(
        _ certificate: Certificate,
        against roots: [Certificate],
        hostname: String?,
        ip: String? = nil
    ) async -> Bool {
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: hostname, serverIP: ip)
        }
        let result = await verifier.validate(leaf: certificate, intermediates: CertificateStore())
        if case .validCertificate = result { return true }
        return false
    }

    @Test func selfSignedAuthorityIsACertificateAuthorityNamedAfterTheCluster() throws {
        let now = Date()
        let authority = try CertificateAuthority.makeSelfSigned(name: "member-1", now: now)
        let certificate = authority.certificate
        #expect(certificate.subject.description == "CN=member-1-ca")
        #expect(certificate.issuer == certificate.subject)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        let keyUsage = try #require(try certificate.extensions.keyUsage)
        #expect(keyUsage.keyCertSign && keyUsage.cRLSign)
        #expect(abs(certificate.notValidBefore.timeIntervalSince(now) + 60) < 1)
        let tenYears: TimeInterval = 10 * 365 * 24 * 3600
        #expect(abs(certificate.notValidAfter.timeIntervalSince(now) - tenYears) < 1)
    }

    @Test func serialNumbersAreRandom() throws {
        let first = try Self.authority.issueClientCertificate(user: "alice")
        let second = try Self.authority.issueClientCertificate(user: "alice")
        #expect(first.certificate.serialNumber != second.certificate.serialNumber)
        #expect(Self.authority.certificate.serialNumber != first.certificate.serialNumber)
    }

    @Test(arguments: [
        ("localhost", nil, true),
        ("hub.fleet.local", nil, true),
        ("kubernetes.default.svc", nil, true),
        ("other.example", nil, false),
        (nil, "127.0.0.1", true),
        (nil, "10.0.0.5", true),
        (nil, "::1", true),
        (nil, "10.0.0.6", false),
    ] as [(String?, String?, Bool)])
    func serverCertificateValidatesForItsSubjectAlternativeNames(hostname: String?, ip: String?, isValid: Bool) async throws {
        let server = try Self.authority.issueServerCertificate(
            dnsNames: ["hub.fleet.local", "kubernetes.default.svc"],
            ipAddresses: ["10.0.0.5", "::1"]
        )
        let valid = await Self.validate(server.certificate, against: [Self.authority.certificate], hostname: hostname, ip: ip)
        #expect(valid == isValid)
    }

    @Test func serverCertificateCarriesServerAuthAndAddressBytes() throws {
        let server = try Self.authority.issueServerCertificate(dnsNames: ["hub"], ipAddresses: ["192.168.1.2"])
        let usages = try #require(try server.certificate.extensions.extendedKeyUsage)
        #expect(Array(usages) == [.serverAuth])
        let names = try #require(try server.certificate.extensions.subjectAlternativeNames)
        #expect(Array(names) == [
            .dnsName("localhost"), .dnsName("hub"),
            .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: [192, 168, 1, 2])),
        ])
        #expect(try server.certificate.extensions.basicConstraints == .notCertificateAuthority)
    }

    @Test func serverCertificateDoesNotValidateAgainstAnotherAuthority() async throws {
        let other = try CertificateAuthority.makeSelfSigned(name: "other")
        let server = try other.issueServerCertificate()
        #expect(await Self.validate(server.certificate, against: [Self.authority.certificate], hostname: "localhost") == false)
    }

    @Test func invalidIPAddressIsRejected() {
        #expect(throws: CertificateAuthorityError.invalidIPAddress("10.0.0.256")) {
            try Self.authority.issueServerCertificate(ipAddresses: ["10.0.0.256"])
        }
    }

    @Test func clientCertificateNamesUserAndGroups() throws {
        let client = try Self.authority.issueClientCertificate(user: "alice", groups: ["devs", "system:masters"])
        let usages = try #require(try client.certificate.extensions.extendedKeyUsage)
        #expect(Array(usages) == [.clientAuth])
        #expect(client.certificate.issuer == Self.authority.certificate.subject)
        let user = try #require(Authenticator.identity(of: client.certificate))
        #expect(user == UserInfo(name: "alice", groups: ["devs", "system:masters"]))
    }

    @Test func clientCertificateChainsToTheAuthority() async throws {
        let client = try Self.authority.issueClientCertificate(user: "alice")
        var verifier = Verifier(rootCertificates: CertificateStore([Self.authority.certificate])) {
            RFC5280Policy()
        }
        let result = await verifier.validate(leaf: client.certificate, intermediates: CertificateStore())
        guard case .validCertificate = result else {
            Issue.record("client certificate did not validate: \(result)")
            return
        }
    }

    @Test func pemRoundTripLoadsTheSameAuthority() async throws {
        let certificatePEM = try Self.authority.certificatePEM
        let keyPEM = Self.authority.privateKeyPEM
        #expect(certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(keyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let loaded = try CertificateAuthority(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        #expect(loaded.certificate == Self.authority.certificate)
        #expect(loaded.privateKey.rawRepresentation == Self.authority.privateKey.rawRepresentation)

        let server = try loaded.issueServerCertificate()
        #expect(await Self.validate(server.certificate, against: [Self.authority.certificate], hostname: "localhost"))
    }

    @Test func issuedCertificatePEMParsesBack() throws {
        let client = try Self.authority.issueClientCertificate(user: "bob", groups: ["ops"])
        let certificate = try Certificate(pemEncoded: try client.certificatePEM)
        let key = try P256.Signing.PrivateKey(pemRepresentation: client.privateKeyPEM)
        #expect(certificate == client.certificate)
        #expect(Certificate.PublicKey(key.publicKey) == certificate.publicKey)
    }

    @Test func loadingRejectsAKeyOfAnotherCertificate() throws {
        let other = try CertificateAuthority.makeSelfSigned(name: "other")
        #expect(throws: CertificateAuthorityError.privateKeyDoesNotMatchCertificate) {
            try CertificateAuthority(certificatePEM: try Self.authority.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        }
    }

    @Test func loadingRejectsALeafCertificate() throws {
        let leaf = try Self.authority.issueClientCertificate(user: "alice")
        #expect(throws: CertificateAuthorityError.notACertificateAuthority) {
            try CertificateAuthority(certificatePEM: try leaf.certificatePEM, privateKeyPEM: leaf.privateKeyPEM)
        }
    }
}
