import KubeModel
import KubeServer
import Testing

// Authentication (bearer tokens, client certificates, anonymous) and RBAC authorization driven by
// Roles and bindings written through the API, with kube-apiserver's 401/403 answers.

@Suite struct ServerAuthTests {
    private static let tokens = StaticTokenTable([
        "alice-token": UserInfo(name: "alice", uid: "1", groups: ["devs"]),
        "bob-token": UserInfo(name: "bob", uid: "2"),
    ])

    private static func role(_ name: String, resources: [JSONValue], verbs: [JSONValue], cluster: Bool = false) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": cluster ? "ClusterRole" : "Role",
            "metadata": ["name": .string(name)],
            "rules": [["apiGroups": [""], "resources": .array(resources), "verbs": .array(verbs)]],
        ]
    }

    private static func binding(_ name: String, role: String, subject: JSONValue, cluster: Bool = false) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": cluster ? "ClusterRoleBinding" : "RoleBinding",
            "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": cluster ? "ClusterRole" : "Role", "name": .string(role)],
            "subjects": [subject],
        ]
    }

    /// Namespaces "team" (where alice may read configmaps) and "other".
    private static func grantAliceReadInTeam(_ server: TestServer) async throws {
        try await server.createNamespace("team")
        try await server.createNamespace("other")
        try await server.create(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles",
            role("reader", resources: ["configmaps"], verbs: ["get", "list", "watch"]))
        try await server.create(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
            binding("alice-reads", role: "reader", subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice"]))
    }

    @Test func aRoleBindingAllowsItsNamespaceOnly() async throws {
        try await TestServer.with(tokens: Self.tokens) { server in
            try await Self.grantAliceReadInTeam(server)
            try await server.create(ServerFixtures.configMapsPath("team"), ServerFixtures.configMap("x"))
            try await server.withClient(certificate: nil) { client in
                let allowed = try await server.request(.GET, ServerFixtures.configMapsPath("team"), bearerToken: "alice-token", using: client)
                #expect(allowed.status == 200)
                #expect(allowed.json["items"]?.arrayValue?.count == 1)
                let read = try await server.request(.GET, ServerFixtures.configMapPath("x", namespace: "team"), bearerToken: "alice-token", using: client)
                #expect(read.status == 200)

                let elsewhere = try await server.request(.GET, ServerFixtures.configMapsPath("other"), bearerToken: "alice-token", using: client)
                #expect(elsewhere.status == 403)
                #expect(elsewhere.reason == "Forbidden")
                #expect(
                    elsewhere.message
                        == #"configmaps is forbidden: User "alice" cannot list resource "configmaps" in API group "" in the namespace "other""#)
                #expect(elsewhere.json["details"] == ["kind": "configmaps"])

                let write = try await server.request(
                    .POST, ServerFixtures.configMapsPath("team"), json: ServerFixtures.configMap("y"), bearerToken: "alice-token",
                    using: client)
                #expect(write.status == 403)
                #expect(
                    write.message
                        == #"configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the namespace "team""#)
                let named = try await server.request(
                    .DELETE, ServerFixtures.configMapPath("x", namespace: "team"), bearerToken: "alice-token", using: client)
                #expect(named.status == 403)
                #expect(
                    named.message
                        == #"configmaps "x" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "team""#)
                #expect(named.json["details"] == ["name": "x", "kind": "configmaps"])
            }
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("y", namespace: "team")).status == 404)
        }
    }

    @Test func aClusterRoleBindingAllowsClusterScopedAccess() async throws {
        try await TestServer.with(tokens: Self.tokens) { server in
            try await server.withClient(certificate: nil) { client in
                let before = try await server.request(.GET, "/api/v1/namespaces", bearerToken: "bob-token", using: client)
                #expect(before.status == 403)
                #expect(
                    before.message
                        == #"namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope"#)
                try await server.create(
                    "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                    Self.role("namespace-reader", resources: ["namespaces"], verbs: ["list"], cluster: true))
                try await server.create(
                    "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                    Self.binding(
                        "bob-reads", role: "namespace-reader",
                        subject: ["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "bob"], cluster: true))
                let after = try await server.request(.GET, "/api/v1/namespaces", bearerToken: "bob-token", using: client)
                #expect(after.status == 200)
                #expect(after.json["kind"] == "NamespaceList")
            }
        }
    }

    @Test func unknownTokensAndMissingCredentialsAreUnauthorized() async throws {
        try await TestServer.with(tokens: Self.tokens, allowsAnonymous: false) { server in
            try await server.withClient(certificate: nil) { client in
                let unknown = try await server.request(.GET, ServerFixtures.configMapsPath(), bearerToken: "nobody", using: client)
                #expect(unknown.status == 401)
                #expect(unknown.reason == "Unauthorized")
                #expect(unknown.message == "Unauthorized")
                #expect(unknown.json["kind"] == "Status")
                let none = try await server.request(.GET, ServerFixtures.configMapsPath(), using: client)
                #expect(none.status == 401)
                #expect(none.reason == "Unauthorized")
            }
        }
    }

    @Test func aClientCertificateIdentifiesUserAndGroups() async throws {
        try await TestServer.with { server in
            try await Self.grantAliceReadInTeam(server)
            try await server.create(
                "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
                Self.binding("ops-read", role: "reader", subject: ["kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": "ops"]))
            let authority = try #require(server.authority)
            let carol = try authority.issueClientCertificate(user: "carol", groups: ["ops"])
            try await server.withClient(certificate: carol) { client in
                #expect(try await server.request(.GET, ServerFixtures.configMapsPath("team"), using: client).status == 200)
                let denied = try await server.request(.GET, ServerFixtures.configMapsPath("other"), using: client)
                #expect(denied.status == 403)
                #expect(
                    denied.message
                        == #"configmaps is forbidden: User "carol" cannot list resource "configmaps" in API group "" in the namespace "other""#)
            }
            let dave = try authority.issueClientCertificate(user: "dave", groups: ["elsewhere"])
            try await server.withClient(certificate: dave) { client in
                let denied = try await server.request(.GET, ServerFixtures.configMapsPath("team"), using: client)
                #expect(denied.status == 403)
                #expect(denied.message?.contains(#"User "dave" cannot list"#) == true)
            }
        }
    }
}
