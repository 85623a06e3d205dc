import KubeModel
import KubeServer
import Testing

@Suite struct KubeAuthStatusTests {
    static let alice = UserInfo(name: "alice", groups: ["system:authenticated"])

    @Test func unauthorizedStatus() {
        #expect(KubeAuthStatus.unauthorized() == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": "Unauthorized", "reason": "Unauthorized", "code": 401,
        ])
    }

    @Test(arguments: [
        (AuthorizationAttributes.resource(user: alice, verb: "list", resource: "services", namespace: "default"),
         #"services is forbidden: User "alice" cannot list resource "services" in API group "" in the namespace "default""#),
        (.resource(user: alice, verb: "get", resource: "services", namespace: "work", name: "web"),
         #"services "web" is forbidden: User "alice" cannot get resource "services" in API group "" in the namespace "work""#),
        (.resource(user: alice, verb: "list", resource: "namespaces"),
         #"namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope"#),
        (.resource(user: alice, verb: "update", resource: "services", subresource: "status", namespace: "work", name: "web"),
         #"services "web" is forbidden: User "alice" cannot update resource "services/status" in API group "" in the namespace "work""#),
        (.resource(user: alice, verb: "create", apiGroup: "networking.fleet.azure.com", apiVersion: "v1alpha1",
                   resource: "serviceexports", namespace: "work"),
         #"serviceexports.networking.fleet.azure.com is forbidden: User "alice" cannot create resource "serviceexports" in API group "networking.fleet.azure.com" in the namespace "work""#),
        (.nonResource(user: alice, verb: "get", path: "/apis"),
         #"forbidden: User "alice" cannot get path "/apis""#),
        (.nonResource(user: UserInfo.anonymous, verb: "get", path: "/<script>&"),
         #"forbidden: User "system:anonymous" cannot get path "/&lt;script&gt;&amp;""#),
    ])
    func forbiddenMessages(attributes: AuthorizationAttributes, message: String) {
        #expect(KubeAuthStatus.forbidden(attributes)["message"] == .string(message))
    }

    @Test func forbiddenStatusCarriesDetails() {
        let status = KubeAuthStatus.forbidden(
            .resource(user: Self.alice, verb: "get", apiGroup: "apps", resource: "deployments", namespace: "work", name: "web"),
            reason: #"RBAC: role.rbac.authorization.k8s.io "gone" not found"#
        )
        #expect(status == [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": #"deployments.apps "web" is forbidden: User "alice" cannot get resource "deployments" in API group "apps" in the namespace "work": RBAC: role.rbac.authorization.k8s.io "gone" not found"#,
            "reason": "Forbidden",
            "details": ["name": "web", "group": "apps", "kind": "deployments"],
            "code": 403,
        ])
    }

    @Test func nonResourceForbiddenHasEmptyDetails() {
        let status = KubeAuthStatus.forbidden(.nonResource(user: Self.alice, verb: "get", path: "/apis"))
        #expect(status["details"] == [:])
        #expect(status["code"] == 403)
    }

    @Test func deniedDecisionRendersAsForbidden() async {
        let attributes = AuthorizationAttributes.resource(user: Self.alice, verb: "list", resource: "secrets", namespace: "default")
        let decision = await RBACAuthorizer(source: InMemoryRBACPolicySource()).authorize(attributes)
        #expect(!decision.isAllowed)
        #expect(KubeAuthStatus.forbidden(attributes, reason: decision.reason)["message"]
            == #"secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "default""#)
    }
}
