import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeServer

// An embedded API server over HTTPS on 127.0.0.1 (free port) with every fleet CRD installed
// through KubeClient and Established, for the length of one test. The client is always shut down
// before the server stops.

struct FleetServer: Sendable {
    let url: String
    let authority: CertificateAuthority
    let admin: IssuedCertificate
    let client: KubeClient

    /// The namespace every test object lives in.
    static let namespace = "work"

    /// Starts a server, installs the CRDs (unless `installCRDs` is false) and the namespace
    /// `work`, runs `body`, then shuts down the client and stops the server.
    static func with<T: Sendable>(
        installCRDs: Bool = true, _ body: @Sendable (FleetServer) async throws -> T
    ) async throws -> T {
        let authority = try CertificateAuthority.makeSelfSigned(name: "fleet-api-test")
        let serving = try authority.issueServerCertificate(
            commonName: "fleet-api-test", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let admin = try authority.issueClientCertificate(user: "test-admin", groups: ["system:masters"])
        let server = try APIServer(
            configuration: APIServerConfiguration(
                name: "fleet-api-test", transport: .tls(authority: authority, serverCertificate: serving)))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            defer { group.cancelAll() }
            let url = try await server.url()
            let configuration = ClientConfiguration(
                server: url,
                tls: .init(
                    certificateAuthorityPEM: Array(try authority.certificatePEM.utf8),
                    clientCertificatePEM: Array(try admin.certificatePEM.utf8),
                    clientKeyPEM: Array(admin.privateKeyPEM.utf8)))
            let client = try KubeClient(configuration: configuration)
            let fixture = FleetServer(url: url, authority: authority, admin: admin, client: client)
            do {
                try await fixture.createNamespace(namespace)
                if installCRDs { try await fixture.install(FleetCRDs.networking + FleetCRDs.fleetCore + FleetCRDs.multiClusterServicesAPI) }
                let result = try await body(fixture)
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    func createNamespace(_ name: String) async throws {
        _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
    }

    /// Creates the CRDs and waits until each is Established.
    func install(_ definitions: [CRDDefinition]) async throws {
        let crds = client.api(CustomResourceDefinition.self)
        for definition in definitions {
            _ = try await crds.create(definition.customResourceDefinition())
        }
        try await waitUntilEstablished(definitions)
    }

    /// Waits until the CRDs of `definitions` report Established.
    func waitUntilEstablished(_ definitions: [CRDDefinition]) async throws {
        let crds = client.api(CustomResourceDefinition.self)
        for definition in definitions {
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                let crd = try await crds.get(definition.name)
                let established = crd.status?.conditions?.contains { $0.type == "Established" && $0.status == "True" }
                if established == true { break }
                guard ContinuousClock.now < deadline else {
                    throw FixtureError(description: "\(definition.name) was not Established within 30s")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// A typed API in the test namespace (or cluster-wide for cluster-scoped kinds).
    func api<K: Resource>(_ kind: K.Type) -> ResourceAPI<K> {
        client.api(kind, namespace: K.isNamespaced ? Self.namespace : nil)
    }

    /// A kubeconfig for this server (context `test`, namespace `work`, superuser by certificate).
    func kubeconfig() throws -> String {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        return """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: \(url)
                certificate-authority-data: \(base64(try authority.certificatePEM))
            users:
            - name: test-admin
              user:
                client-certificate-data: \(base64(try admin.certificatePEM))
                client-key-data: \(base64(admin.privateKeyPEM))
            contexts:
            - name: test
              context:
                cluster: test
                user: test-admin
                namespace: \(Self.namespace)

            """
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}

extension Error {
    /// The server's Status when this is an API error.
    var apiStatus: Status? { (self as? KubeClientError)?.status }
}
