import KubeModel
import KubeServer
import Testing

/// RBAC objects for the tables below, written as a user would apply them.
enum RBACFixture {
    static func rule(
        _ verbs: [String], groups: [String] = [], resources: [String] = [], names: [String] = [], urls: [String] = []
    ) -> JSONValue {
        RBACPolicyRule(verbs: verbs, apiGroups: groups, resources: resources, resourceNames: names, nonResourceURLs: urls).json
    }

    static func clusterRole(_ name: String, labels: [String: String] = [:], aggregating: [JSONValue]? = nil, rules: [JSONValue]) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))],
            "rules": .array(rules),
        ]
        if let aggregating { object["aggregationRule"] = ["clusterRoleSelectors": .array(aggregating)] }
        return object
    }

    static func role(_ namespace: String, _ name: String, rules: [JSONValue]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "rules": .array(rules),
        ]
    }

    static func subject(_ kind: String, _ name: String, namespace: String? = nil) -> JSONValue {
        var subject: JSONValue = ["kind": .string(kind), "name": .string(name)]
        if let namespace { subject["namespace"] = .string(namespace) }
        return subject
    }

    static func binding(
        _ namespace: String?, _ name: String, roleKind: String, roleName: String, subjects: [JSONValue]
    ) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": .string(namespace == nil ? "ClusterRoleBinding" : "RoleBinding"),
            "metadata": metadata,
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(roleKind), "name": .string(roleName)],
            "subjects": .array(subjects),
        ]
    }

    static let source = InMemoryRBACPolicySource([
        clusterRole("pod-reader", rules: [rule(["get", "list", "watch"], groups: [""], resources: ["pods"])]),
        clusterRole("apps-admin", rules: [rule(["*"], groups: ["apps"], resources: ["*"])]),
        clusterRole("status-updater", rules: [rule(["update", "patch"], groups: ["*"], resources: ["*/status"])]),
        clusterRole("log-reader", rules: [rule(["get"], groups: [""], resources: ["pods/log"])]),
        clusterRole("url-reader", rules: [rule(["get"], urls: ["/metrics", "/logs/*"])]),
        clusterRole(
            "monitoring",
            aggregating: [["matchLabels": ["example.com/aggregate-to-monitoring": "true"]]],
            rules: []
        ),
        clusterRole(
            "monitoring-endpoints", labels: ["example.com/aggregate-to-monitoring": "true"],
            rules: [rule(["get", "list"], groups: [""], resources: ["endpoints"])]
        ),
        clusterRole(
            "monitoring-nested",
            labels: ["example.com/aggregate-to-monitoring": "true"],
            aggregating: [[
                "matchExpressions": [["key": "tier", "operator": "In", "values": ["metrics"]]]
            ]],
            rules: []
        ),
        clusterRole("metrics-tier", labels: ["tier": "metrics"], rules: [rule(["get"], groups: ["metrics.k8s.io"], resources: ["pods"])]),
        role("work", "service-editor", rules: [
            rule(["get", "update"], groups: [""], resources: ["services"]),
            rule(["update"], groups: [""], resources: ["services/status"]),
        ]),
        role("work", "named-config", rules: [rule(["get", "update", "list", "create"], groups: [""], resources: ["configmaps"], names: ["app-config"])]),
        binding(nil, "readers", roleKind: "ClusterRole", roleName: "pod-reader", subjects: [subject("Group", "readers")]),
        binding(nil, "status", roleKind: "ClusterRole", roleName: "status-updater",
                subjects: [subject("ServiceAccount", "controller", namespace: "kube-system")]),
        binding(nil, "urls", roleKind: "ClusterRole", roleName: "url-reader", subjects: [subject("User", "dave")]),
        binding(nil, "monitoring", roleKind: "ClusterRole", roleName: "monitoring", subjects: [subject("User", "erin")]),
        binding(nil, "namespace-less-sa", roleKind: "ClusterRole", roleName: "pod-reader",
                subjects: [subject("ServiceAccount", "orphan")]),
        binding("work", "edit-services", roleKind: "Role", roleName: "service-editor", subjects: [subject("User", "alice")]),
        binding("work", "named", roleKind: "Role", roleName: "named-config", subjects: [subject("User", "alice")]),
        binding("work", "apps-in-work", roleKind: "ClusterRole", roleName: "apps-admin", subjects: [subject("User", "carol")]),
        binding("work", "local-sa", roleKind: "ClusterRole", roleName: "log-reader", subjects: [subject("ServiceAccount", "builder")]),
    ])
}

struct RBACCase: CustomTestStringConvertible, Sendable {
    var label: String
    var attributes: AuthorizationAttributes
    var isAllowed: Bool
    var testDescription: String { label }

    static func user(_ name: String, _ groups: [String] = []) -> UserInfo {
        UserInfo(name: name, groups: groups + ["system:authenticated"])
    }

    static func resource(
        _ label: String, _ user: UserInfo, _ verb: String, group: String = "", _ resource: String,
        sub: String = "", ns: String = "", name: String = "", allowed: Bool
    ) -> RBACCase {
        RBACCase(
            label: label,
            attributes: .resource(user: user, verb: verb, apiGroup: group, resource: resource, subresource: sub, namespace: ns, name: name),
            isAllowed: allowed
        )
    }

    static func path(_ label: String, _ user: UserInfo, _ path: String, verb: String = "get", allowed: Bool) -> RBACCase {
        RBACCase(label: label, attributes: .nonResource(user: user, verb: verb, path: path), isAllowed: allowed)
    }
}

@Suite struct RBACAuthorizerTests {
    static let alice = RBACCase.user("alice")
    static let carol = RBACCase.user("carol")
    static let reader = RBACCase.user("rita", ["readers"])
    static let controller = RBACCase.user("system:serviceaccount:kube-system:controller")
    static let builder = RBACCase.user("system:serviceaccount:work:builder")
    static let otherBuilder = RBACCase.user("system:serviceaccount:play:builder")
    static let anonymous = UserInfo.anonymous

    static let cases: [RBACCase] = [
        // Verbs, groups, resources; ClusterRoleBindings grant in every namespace and at cluster scope.
        .resource("group binding allows listed verb", reader, "list", "pods", ns: "work", allowed: true),
        .resource("group binding allows across namespaces", reader, "watch", "pods", allowed: true),
        .resource("unlisted verb is denied", reader, "delete", "pods", ns: "work", name: "p", allowed: false),
        .resource("other resource is denied", reader, "list", "services", ns: "work", allowed: false),
        .resource("same resource in another group is denied", reader, "list", group: "metrics.k8s.io", "pods", ns: "work", allowed: false),
        .resource("resource rule does not cover subresource", reader, "get", "pods", sub: "log", ns: "work", name: "p", allowed: false),
        .resource("user without bindings is denied", RBACCase.user("nobody"), "get", "pods", ns: "work", name: "p", allowed: false),
        // RoleBindings grant only in their namespace.
        .resource("role binding allows in its namespace", alice, "get", "services", ns: "work", name: "web", allowed: true),
        .resource("role binding does not allow in another namespace", alice, "get", "services", ns: "play", name: "web", allowed: false),
        .resource("role binding does not allow at cluster scope", alice, "list", "services", allowed: false),
        .resource("explicit subresource rule", alice, "update", "services", sub: "status", ns: "work", name: "web", allowed: true),
        .resource("subresource rule grants only its verbs", alice, "patch", "services", sub: "status", ns: "work", name: "web", allowed: false),
        // resourceNames
        .resource("resource name listed", alice, "get", "configmaps", ns: "work", name: "app-config", allowed: true),
        .resource("resource name not listed", alice, "get", "configmaps", ns: "work", name: "other", allowed: false),
        .resource("list never matches named rule", alice, "list", "configmaps", ns: "work", allowed: false),
        .resource("create without name never matches named rule", alice, "create", "configmaps", ns: "work", allowed: false),
        // Wildcards, and a ClusterRole bound by a RoleBinding.
        .resource("wildcard verb and resource", carol, "deletecollection", group: "apps", "deployments", ns: "work", allowed: true),
        .resource("wildcard resource covers subresources", carol, "update", group: "apps", "deployments", sub: "scale", ns: "work", name: "d", allowed: true),
        .resource("cluster role via role binding is confined to its namespace", carol, "get", group: "apps", "deployments", ns: "play", name: "d", allowed: false),
        .resource("wildcard resource stays in its group", carol, "get", "pods", ns: "work", name: "p", allowed: false),
        .resource("star-slash subresource in any group", controller, "patch", group: "apps", "deployments", sub: "status", ns: "x", name: "d", allowed: true),
        .resource("star-slash subresource in core group", controller, "update", "pods", sub: "status", ns: "y", name: "p", allowed: true),
        .resource("star-slash does not cover main resource", controller, "update", "pods", ns: "y", name: "p", allowed: false),
        .resource("star-slash does not cover other subresource", controller, "update", "pods", sub: "binding", ns: "y", name: "p", allowed: false),
        // ServiceAccount subjects.
        .resource("service account without namespace means the binding's", builder, "get", "pods", sub: "log", ns: "work", name: "p", allowed: true),
        .resource("same account name elsewhere is another user", otherBuilder, "get", "pods", sub: "log", ns: "work", name: "p", allowed: false),
        .resource("namespace-less service account never matches a cluster binding",
                  RBACCase.user("system:serviceaccount::orphan"), "list", "pods", allowed: false),
        // Aggregation.
        .resource("aggregated cluster role grants selected rules", RBACCase.user("erin"), "list", "endpoints", ns: "work", allowed: true),
        .resource("aggregation is transitive", RBACCase.user("erin"), "get", group: "metrics.k8s.io", "pods", ns: "work", name: "p", allowed: true),
        .resource("aggregation grants nothing unselected", RBACCase.user("erin"), "list", "pods", ns: "work", allowed: false),
        // Non-resource URLs.
        .path("exact non-resource URL", RBACCase.user("dave"), "/metrics", allowed: true),
        .path("prefix non-resource URL", RBACCase.user("dave"), "/logs/kube-apiserver.log", allowed: true),
        .path("non-resource prefix needs the star", RBACCase.user("dave"), "/metrics/extra", allowed: false),
        .path("non-resource verb must match", RBACCase.user("dave"), "/metrics", verb: "post", allowed: false),
        .path("resource rules do not grant paths", reader, "/metrics", allowed: false),
        // Superusers and bootstrap policy.
        .resource("system:masters may do anything", RBACCase.user("root", ["system:masters"]), "delete", group: "x.io", "things", ns: "n", name: "t", allowed: true),
        .path("system:masters may reach any path", RBACCase.user("root", ["system:masters"]), "/anything", verb: "delete", allowed: true),
        .path("authenticated users read discovery", alice, "/apis", allowed: true),
        .path("authenticated users read group discovery", alice, "/apis/apps/v1", allowed: true),
        .path("authenticated users read core discovery", alice, "/api/v1", allowed: true),
        .path("authenticated users read openapi", alice, "/openapi/v3/apis/apps/v1", allowed: true),
        .path("authenticated users read health", alice, "/readyz", allowed: true),
        .path("anonymous users read version", anonymous, "/version", allowed: true),
        .path("anonymous users read livez", anonymous, "/livez", allowed: true),
        .path("anonymous users do not read discovery", anonymous, "/apis", allowed: false),
        .path("discovery is read-only", alice, "/apis", verb: "post", allowed: false),
        .resource("authenticated users review their own access", alice, "create", group: "authorization.k8s.io", "selfsubjectaccessreviews", allowed: true),
        .resource("anonymous users get no resources", anonymous, "list", "pods", ns: "work", allowed: false),
    ]

    @Test(arguments: cases)
    func decides(_ testCase: RBACCase) async {
        let authorizer = RBACAuthorizer(source: RBACFixture.source)
        let decision = await authorizer.authorize(testCase.attributes)
        #expect(decision.isAllowed == testCase.isAllowed)
    }

    @Test func withoutBootstrapPolicyDiscoveryNeedsABinding() async {
        let authorizer = RBACAuthorizer(source: InMemoryRBACPolicySource(), includesBootstrapPolicy: false)
        let decision = await authorizer.authorize(.nonResource(user: Self.alice, verb: "get", path: "/apis"))
        #expect(decision == .denied(reason: ""))
        let stored = RBACAuthorizer(
            source: InMemoryRBACPolicySource(RBACBootstrapPolicy.clusterRoles + RBACBootstrapPolicy.clusterRoleBindings),
            includesBootstrapPolicy: false
        )
        #expect(await stored.authorize(.nonResource(user: Self.alice, verb: "get", path: "/apis")).isAllowed)
    }

    @Test func allowedReasonNamesTheBinding() async {
        let authorizer = RBACAuthorizer(source: RBACFixture.source)
        let byRoleBinding = await authorizer.authorize(
            .resource(user: Self.builder, verb: "get", resource: "pods", subresource: "log", namespace: "work", name: "p"))
        #expect(byRoleBinding == .allowed(
            reason: #"RBAC: allowed by RoleBinding "local-sa/work" of ClusterRole "log-reader" to ServiceAccount "builder/work""#))
        let byClusterBinding = await authorizer.authorize(.resource(user: Self.reader, verb: "list", resource: "pods"))
        #expect(byClusterBinding == .allowed(
            reason: #"RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader" to Group "readers""#))
    }

    @Test func missingRolesAreReportedInTheDenialReason() async {
        var source = RBACFixture.source
        source.add(RBACFixture.binding("work", "dangling", roleKind: "Role", roleName: "missing",
                                       subjects: [RBACFixture.subject("User", "frank")]))
        source.add(RBACFixture.binding(nil, "dangling-cluster", roleKind: "ClusterRole", roleName: "gone",
                                       subjects: [RBACFixture.subject("User", "frank")]))
        let authorizer = RBACAuthorizer(source: source)
        let decision = await authorizer.authorize(
            .resource(user: RBACCase.user("frank"), verb: "get", resource: "pods", namespace: "work", name: "p"))
        #expect(decision == .denied(reason:
            #"RBAC: [clusterrole.rbac.authorization.k8s.io "gone" not found, role.rbac.authorization.k8s.io "missing" not found]"#))

        var single = InMemoryRBACPolicySource()
        single.add(RBACFixture.binding("work", "dangling", roleKind: "Role", roleName: "missing",
                                       subjects: [RBACFixture.subject("User", "frank")]))
        let singleDecision = await RBACAuthorizer(source: single).authorize(
            .resource(user: RBACCase.user("frank"), verb: "get", resource: "pods", namespace: "work", name: "p"))
        #expect(singleDecision == .denied(reason: #"RBAC: role.rbac.authorization.k8s.io "missing" not found"#))
    }

    @Test func matchExpressionOperators() async {
        func grants(_ expression: JSONValue, labels: [String: String]) async -> Bool {
            let source = InMemoryRBACPolicySource([
                RBACFixture.clusterRole("aggregate", aggregating: [["matchExpressions": [expression]]], rules: []),
                RBACFixture.clusterRole("part", labels: labels, rules: [RBACFixture.rule(["get"], groups: [""], resources: ["pods"])]),
                RBACFixture.binding(nil, "b", roleKind: "ClusterRole", roleName: "aggregate",
                                    subjects: [RBACFixture.subject("User", "u")]),
            ])
            return await RBACAuthorizer(source: source)
                .authorize(.resource(user: RBACCase.user("u"), verb: "get", resource: "pods", namespace: "n", name: "p"))
                .isAllowed
        }
        #expect(await grants(["key": "a", "operator": "In", "values": ["1", "2"]], labels: ["a": "2"]))
        #expect(await !grants(["key": "a", "operator": "In", "values": ["1"]], labels: ["a": "2"]))
        #expect(await grants(["key": "a", "operator": "NotIn", "values": ["1"]], labels: ["a": "2"]))
        #expect(await !grants(["key": "a", "operator": "NotIn", "values": ["2"]], labels: ["a": "2"]))
        #expect(await grants(["key": "a", "operator": "Exists"], labels: ["a": ""]))
        #expect(await !grants(["key": "b", "operator": "Exists"], labels: ["a": ""]))
        #expect(await grants(["key": "b", "operator": "DoesNotExist"], labels: ["a": ""]))
        #expect(await !grants(["key": "a", "operator": "DoesNotExist"], labels: ["a": ""]))
    }
}
