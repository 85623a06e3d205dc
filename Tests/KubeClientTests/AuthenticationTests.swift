import Foundation
import KubeClient
import KubeModel
import KubeServer
import Testing

@Suite("Authentication methods against the embedded server")
struct AuthenticationTests {
    static let tokens = StaticTokenTable([
        "first-token": UserInfo(name: "first", groups: ["system:masters"]),
        "second-token": UserInfo(name: "second", groups: ["system:masters"]),
    ])

    @Test func staticBearerTokenAuthenticates() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await fixture.withClient(fixture.configuration(authentication: .bearerToken("first-token"))) { client in
                let list = try await client.api(Namespace.self).list()
                #expect(list.items.contains { $0.metadata.name == "default" })
            }
            try await fixture.withClient(fixture.configuration(authentication: .bearerToken("wrong"))) { client in
                let failure = await error { try await client.api(Namespace.self).list() }
                #expect(failure?.isUnauthorized == true)
            }
        }
    }

    @Test func tokenFileIsReadAgainWhenItChanges() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await withTemporaryDirectory { directory in
                let tokenPath = directory + "/token"
                try write("first-token\n", to: tokenPath)
                try await fixture.withClient(fixture.configuration(authentication: .tokenFile(path: tokenPath))) { client in
                    let namespaces = client.api(Namespace.self)
                    _ = try await namespaces.get("default")
                    try write("revoked-token", to: tokenPath)
                    #expect(await error { try await namespaces.get("default") }?.isUnauthorized == true)
                    try write("second-token", to: tokenPath)
                    #expect(try await namespaces.get("default").metadata.name == "default")
                }
            }
        }
    }

    @Test func clientCertificateFromAKubeconfigFileAuthenticates() async throws {
        try await ServerFixture.with { fixture in
            try await withTemporaryDirectory { directory in
                let user = try fixture.authority.issueClientCertificate(user: "carol", groups: ["system:masters"])
                // Certificate by file (relative to the kubeconfig), key inline, CA inline.
                try write(try user.certificatePEM, to: directory + "/carol.crt")
                let kubeconfig = """
                    apiVersion: v1
                    kind: Config
                    current-context: test
                    clusters:
                    - name: test
                      cluster:
                        server: \(fixture.url)
                        certificate-authority-data: \(Data(fixture.caPEM).base64EncodedString())
                    users:
                    - name: carol
                      user:
                        client-certificate: carol.crt
                        client-key-data: \(Data(user.privateKeyPEM.utf8).base64EncodedString())
                    contexts:
                    - name: test
                      context: {cluster: test, user: carol, namespace: kube-system}
                    """
                try write(kubeconfig, to: directory + "/config")
                let configuration = try ClientConfiguration.automatic(kubeconfigPath: directory + "/config")
                #expect(configuration.namespace == "kube-system")
                try await fixture.withClient(configuration) { client in
                    _ = try await client.api(ConfigMap.self, namespace: "default").create(
                        ConfigMap(metadata: ObjectMeta(name: "by-carol")))
                }
            }
        }
    }

    @Test func clientCertificateFilesAreReadAgainWhenTheyChange() async throws {
        try await ServerFixture.with { fixture in
            try await withTemporaryDirectory { directory in
                // carol is a superuser; dave is authenticated but granted nothing, so the server's
                // 403 names whoever the presented certificate says.
                let carol = try fixture.authority.issueClientCertificate(user: "carol", groups: ["system:masters"])
                let dave = try fixture.authority.issueClientCertificate(user: "dave", groups: [])
                try write(String(decoding: fixture.caPEM, as: UTF8.self), to: directory + "/ca.crt")
                try write(try carol.certificatePEM, to: directory + "/user.crt")
                try write(carol.privateKeyPEM, to: directory + "/user.key")
                let kubeconfig = """
                    apiVersion: v1
                    kind: Config
                    current-context: test
                    clusters:
                    - name: test
                      cluster: {server: "\(fixture.url)", certificate-authority: ca.crt}
                    users:
                    - name: rotating
                      user: {client-certificate: user.crt, client-key: user.key}
                    contexts:
                    - name: test
                      context: {cluster: test, user: rotating}
                    """
                try write(kubeconfig, to: directory + "/config")
                let configuration = try ClientConfiguration.automatic(kubeconfigPath: directory + "/config")
                #expect(configuration.tls.clientCertificateFile == directory + "/user.crt")
                try await fixture.withClient(configuration) { client in
                    let maps = client.api(ConfigMap.self, namespace: "default")
                    _ = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "by-carol")))

                    // Rotated to another identity (key first, then certificate, as a rotation
                    // tool may write them): new connections present dave's certificate.
                    try write(dave.privateKeyPEM, to: directory + "/user.key")
                    try write(try dave.certificatePEM, to: directory + "/user.crt")
                    let deadline = ContinuousClock.now + .seconds(30)
                    var failure: KubeClientError?
                    while ContinuousClock.now < deadline {
                        failure = await error { try await maps.get("by-carol") }
                        if failure != nil { break }
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    #expect(failure?.isForbidden == true)
                    #expect(failure?.description.contains(#"User "dave" cannot get resource "configmaps""#) == true)

                    // And back: carol's access returns without a new client.
                    try write(carol.privateKeyPEM, to: directory + "/user.key")
                    try write(try carol.certificatePEM, to: directory + "/user.crt")
                    var restored = false
                    while !restored, ContinuousClock.now < deadline + .seconds(30) {
                        restored = (try? await maps.get("by-carol")) != nil
                        if !restored { try await Task.sleep(for: .milliseconds(100)) }
                    }
                    #expect(restored)

                    // A file that cannot be used (mid-write, corrupt) keeps the last good credentials.
                    try write("not a certificate", to: directory + "/user.crt")
                    try await Task.sleep(for: .milliseconds(1200))  // past the next check
                    #expect(try await maps.get("by-carol").metadata.name == "by-carol")
                }
            }
        }
    }

    @Test func tlsServerNameStillConnectsToTheServerAddress() async throws {
        // kubernetes.test does not resolve: the request must still go to the URL's address while
        // TLS uses the given name. (NIOSSL also accepts an IP SAN matching the peer address, which
        // every embedded server certificate has, so a name mismatch cannot be shown failing here.)
        try await ServerFixture.with(dnsNames: ["kubernetes.test"]) { fixture in
            var configuration = try fixture.adminConfiguration()
            configuration.tls.serverName = "kubernetes.test"
            try await fixture.withClient(configuration) { client in
                let namespace = try await client.api(Namespace.self).get("default")
                #expect(namespace.metadata.name == "default")
            }
        }
    }

    @Test func untrustedServerFailsUnlessVerificationIsSkipped() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            let stranger = try CertificateAuthority.makeSelfSigned(name: "stranger")
            var configuration = fixture.configuration(authentication: .bearerToken("first-token"))
            configuration.tls.certificateAuthorityPEM = Array(try stranger.certificatePEM.utf8)
            try await fixture.withClient(configuration) { client in
                let failure = await error { try await client.api(Namespace.self).get("default") }
                #expect(failure?.kind == .transport)
                #expect(failure?.description.contains(fixture.url) == true)
            }
            configuration.tls = .init(insecureSkipVerify: true)
            try await fixture.withClient(configuration) { client in
                _ = try await client.api(Namespace.self).get("default")
            }
        }
    }

    /// A plugin script that counts its runs and prints the token of the current run's line in `tokens`.
    private func writePlugin(in directory: String, tokens: [String], expiration: String? = nil) throws -> String {
        let path = directory + "/plugin.sh"
        let expirationField = expiration.map { #", "expirationTimestamp": "\#($0)""# } ?? ""
        try write(tokens.joined(separator: "\n") + "\n", to: directory + "/tokens")
        try write(
            """
            #!/bin/sh
            count=$(cat "\(directory)/count" 2>/dev/null || echo 0)
            count=$((count + 1))
            echo "$count" > "\(directory)/count"
            echo "$KUBERNETES_EXEC_INFO" > "\(directory)/exec-info"
            echo "$MODE $1" > "\(directory)/args"
            token=$(sed -n "${count}p" "\(directory)/tokens")
            [ -z "$token" ] && token=$(tail -n 1 "\(directory)/tokens")
            printf '{"apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential", "status": {"token": "%s"\(expirationField)}}' "$token"
            """, to: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    private func runs(in directory: String) -> Int {
        Int((try? String(contentsOfFile: directory + "/count", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
    }

    @Test func execPluginTokenIsCachedAcrossRequests() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await withTemporaryDirectory { directory in
                let plugin = try writePlugin(in: directory, tokens: ["first-token"])
                let exec = ExecConfig(
                    command: plugin, arguments: ["--cluster"], environment: [.init(name: "MODE", value: "plugin-mode")],
                    provideClusterInfo: true)
                try await fixture.withClient(fixture.configuration(authentication: .exec(exec))) { client in
                    async let a = client.api(Namespace.self).get("default")
                    async let b = client.api(Namespace.self).get("kube-system")
                    _ = try await (a, b)
                    _ = try await client.api(Namespace.self).list()
                }
                #expect(runs(in: directory) == 1)
                let info = try JSONValue(parsing: String(contentsOfFile: directory + "/exec-info", encoding: .utf8))
                #expect(info["kind"] == "ExecCredential")
                #expect(info[path: ["spec", "interactive"]] == false)
                #expect(info[path: ["spec", "cluster", "server"]]?.stringValue == fixture.url)
                #expect(try String(contentsOfFile: directory + "/args", encoding: .utf8) == "plugin-mode --cluster\n")
            }
        }
    }

    @Test func execPluginRunsAgainAfterA401() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await withTemporaryDirectory { directory in
                let plugin = try writePlugin(in: directory, tokens: ["stale-token", "second-token"])
                try await fixture.withClient(fixture.configuration(authentication: .exec(ExecConfig(command: plugin)))) { client in
                    _ = try await client.api(Namespace.self).get("default")
                    _ = try await client.api(Namespace.self).get("default")
                }
                #expect(runs(in: directory) == 2)
            }
        }
    }

    @Test func execPluginRunsAgainOnceItsCredentialExpired() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await withTemporaryDirectory { directory in
                let plugin = try writePlugin(in: directory, tokens: ["first-token"], expiration: "2000-01-01T00:00:00Z")
                try await fixture.withClient(fixture.configuration(authentication: .exec(ExecConfig(command: plugin)))) { client in
                    for _ in 0..<3 { _ = try await client.api(Namespace.self).get("default") }
                }
                #expect(runs(in: directory) == 3)
            }
        }
    }

    @Test func failingExecPluginReportsItsExitStatusAndStderr() async throws {
        try await ServerFixture.with { fixture in
            try await withTemporaryDirectory { directory in
                let plugin = directory + "/fail.sh"
                try write("#!/bin/sh\necho 'login required' >&2\nexit 3\n", to: plugin)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
                try await fixture.withClient(fixture.configuration(authentication: .exec(ExecConfig(command: plugin)))) { client in
                    let failure = await error { try await client.api(Namespace.self).get("default") }
                    #expect(failure?.kind == .credentials)
                    #expect(failure?.description == "exec plugin \(plugin): exit status 3: login required")
                }
            }
        }
    }

    @Test func inClusterConfigurationReachesTheServerWithTheServiceAccountToken() async throws {
        try await ServerFixture.with(tokens: Self.tokens) { fixture in
            try await withTemporaryDirectory { directory in
                try write("first-token", to: directory + "/token")
                try write(String(decoding: fixture.caPEM, as: UTF8.self), to: directory + "/ca.crt")
                try write("kube-public", to: directory + "/namespace")
                let port = String(fixture.url.split(separator: ":").last ?? "")
                let configuration = try ClientConfiguration.automatic(
                    environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": port],
                    serviceAccountDirectory: directory)
                try await fixture.withClient(configuration) { client in
                    let namespace = try await client.api(Namespace.self).get(configuration.namespace)
                    #expect(namespace.metadata.name == "kube-public")
                }
            }
        }
    }
}
