// What a request asks to do, as kube-apiserver's authorizer.Attributes: the input of authorization
// and of the 403 message.

/// The attributes of one request that authorization decides on.
public struct AuthorizationAttributes: Sendable, Hashable {
    public var user: UserInfo
    /// For resource requests one of get, list, watch, create, update, patch, delete,
    /// deletecollection (or a custom verb such as `impersonate`); for non-resource requests the
    /// lowercased HTTP method.
    public var verb: String
    public var isResourceRequest: Bool
    public var apiGroup: String
    public var apiVersion: String
    /// The plural resource name, e.g. `services`.
    public var resource: String
    /// E.g. `status` or `scale`; empty for the main resource.
    public var subresource: String
    /// Empty for cluster-scoped resources and for requests across all namespaces.
    public var namespace: String
    /// Empty for list, watch without a field selector on the name, create, and deletecollection.
    public var name: String
    /// The request path; what non-resource rules match.
    public var path: String

    public init(
        user: UserInfo,
        verb: String,
        isResourceRequest: Bool,
        apiGroup: String = "",
        apiVersion: String = "",
        resource: String = "",
        subresource: String = "",
        namespace: String = "",
        name: String = "",
        path: String = ""
    ) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = isResourceRequest
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.path = path
    }

    /// A request on a resource (or one of its subresources).
    public static func resource(
        user: UserInfo,
        verb: String,
        apiGroup: String = "",
        apiVersion: String = "v1",
        resource: String,
        subresource: String = "",
        namespace: String = "",
        name: String = "",
        path: String = ""
    ) -> AuthorizationAttributes {
        AuthorizationAttributes(
            user: user, verb: verb, isResourceRequest: true, apiGroup: apiGroup, apiVersion: apiVersion,
            resource: resource, subresource: subresource, namespace: namespace, name: name, path: path
        )
    }

    /// A request on a path that names no resource, such as `/version` or `/apis`.
    public static func nonResource(user: UserInfo, verb: String, path: String) -> AuthorizationAttributes {
        AuthorizationAttributes(user: user, verb: verb, isResourceRequest: false, path: path)
    }

    /// `resource` or `resource/subresource`, the form RBAC rules and messages use.
    public var combinedResource: String {
        subresource.isEmpty ? resource : "\(resource)/\(subresource)"
    }
}

/// The outcome of authorization.
public enum AuthorizationDecision: Sendable, Equatable {
    /// Allowed; the reason names the grant (e.g. the binding), for audit.
    case allowed(reason: String)
    /// Denied; the reason is appended to the 403 message when not empty (kube-apiserver reports
    /// RBAC resolution errors, such as a binding to a missing role, this way).
    case denied(reason: String)

    public var isAllowed: Bool {
        if case .allowed = self { return true }
        return false
    }

    public var reason: String {
        switch self {
        case .allowed(let reason), .denied(let reason): return reason
        }
    }
}
