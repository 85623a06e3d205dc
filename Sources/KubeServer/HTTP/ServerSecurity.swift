import KubeModel
import NIOCore

// Authentication then authorization of each request, turned into the 401/403 Status responses
// of a real kube-apiserver. RBAC reads Roles and bindings straight from the server's store.

struct ServerSecurity: Sendable {
    let authenticator: Authenticator
    /// nil: every authenticated request is allowed.
    let authorizer: RBACAuthorizer?
    /// Told about every request authorization denies (before the 403 is sent).
    var onDenied: @Sendable (AuthorizationAttributes) -> Void = { _ in }
    /// Client-certificate identities per open connection.
    let peerIdentities = PeerIdentityCache()

    func authenticate(authorization: String?, channel: any Channel) async throws(APIError) -> UserInfo {
        let certificateUser = await peerIdentities.identity(of: channel) {
            await authenticator.identity(fromPeerCertificateOf: channel)
        }
        switch authenticator.authenticate(authorizationHeader: authorization, peerCertificateUser: certificateUser) {
        case .authenticated(let user):
            return user
        case .anonymous:
            return UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])
        case .rejected:
            throw .unauthorized
        }
    }

    func authorize(_ info: RequestInfo, user: UserInfo) async throws(APIError) {
        guard let authorizer else { return }
        let attributes: AuthorizationAttributes
        if info.isResourceRequest {
            attributes = .resource(
                user: user, verb: info.verb, apiGroup: info.group, apiVersion: info.version, resource: info.resource,
                subresource: info.subresource, namespace: info.namespace, name: info.name, path: info.path)
        } else {
            attributes = .nonResource(user: user, verb: info.verb, path: info.path)
        }
        let decision = await authorizer.authorize(attributes)
        guard decision.isAllowed else {
            onDenied(attributes)
            let status = KubeAuthStatus.forbidden(attributes, reason: decision.reason)
            throw APIError(
                code: 403, reason: "Forbidden", message: status["message"]?.stringValue ?? "forbidden",
                details: status["details"])
        }
    }
}

/// RBAC objects read from the server's own store.
struct StoreRBACPolicySource: RBACPolicySource {
    let core: APIServerCore

    private static let roles = GroupResource(group: "rbac.authorization.k8s.io", resource: "roles")
    private static let clusterRoles = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterroles")
    private static let roleBindings = GroupResource(group: "rbac.authorization.k8s.io", resource: "rolebindings")
    private static let clusterRoleBindings = GroupResource(group: "rbac.authorization.k8s.io", resource: "clusterrolebindings")

    func role(namespace: String, name: String) async throws -> JSONValue? {
        core.store.get(Self.roles, StorageKey(namespace: namespace, name: name))?.object
    }

    func clusterRole(name: String) async throws -> JSONValue? {
        core.store.get(Self.clusterRoles, StorageKey(namespace: "", name: name))?.object
    }

    func roles(in namespace: String) async throws -> [JSONValue] {
        core.store.list(Self.roles, namespace: namespace).objects.map(\.1)
    }

    func clusterRoles() async throws -> [JSONValue] {
        core.store.list(Self.clusterRoles, namespace: nil).objects.map(\.1)
    }

    func roleBindings(in namespace: String) async throws -> [JSONValue] {
        core.store.list(Self.roleBindings, namespace: namespace).objects.map(\.1)
    }

    func clusterRoleBindings() async throws -> [JSONValue] {
        core.store.list(Self.clusterRoleBindings, namespace: nil).objects.map(\.1)
    }
}
