// Parses an API request path and method into what the request is about, as kube-apiserver's
// RequestInfoFactory does: resource requests (`/api/v1/namespaces/ns/services/name/status`)
// get a verb, group, version, resource, namespace, name and subresource; everything else is a
// non-resource request (`/version`, `/apis`, `/openapi/v3`).

public struct RequestInfo: Sendable, Equatable {
    public var isResourceRequest: Bool
    public var path: String
    /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; for
    /// non-resource requests the lowercase HTTP method.
    public var verb: String
    public var apiPrefix: String = ""
    public var group: String = ""
    public var version: String = ""
    public var namespace: String = ""
    public var resource: String = ""
    public var subresource: String = ""
    public var name: String = ""
    /// Path segments after the prefix, for discovery requests such as `/apis/<group>`.
    public var parts: [String] = []

    public init(method: String, path: String, query: [String: String]) {
        self.path = path
        self.isResourceRequest = false
        self.verb = method.lowercased()

        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let prefix = segments.first, prefix == "api" || prefix == "apis" else { return }
        apiPrefix = prefix
        var rest = Array(segments.dropFirst())
        if prefix == "apis" {
            guard rest.count >= 2 else {
                parts = rest
                return
            }
            group = rest.removeFirst()
        } else if rest.isEmpty {
            return
        }
        version = rest.removeFirst()
        parts = rest
        guard !rest.isEmpty else { return }

        isResourceRequest = true
        // /namespaces/{ns}/{resource}... except /namespaces/{ns} (and /namespaces/{ns}/status|finalize),
        // which address the Namespace object itself.
        if rest[0] == "namespaces", rest.count >= 3, !["status", "finalize"].contains(rest[2]) || rest.count > 3 {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        resource = rest[0]
        if rest.count >= 2 { name = rest[1] }
        if rest.count >= 3 { subresource = rest[2...].joined(separator: "/") }
        if resource == "namespaces" && !name.isEmpty && namespace.isEmpty {
            // A namespace's own namespace is itself, for authorization (as kube-apiserver does).
            namespace = name
        }

        switch method.uppercased() {
        case "POST": verb = "create"
        case "GET", "HEAD":
            let watch = query["watch"].map { $0 == "1" || $0 == "true" } ?? false
            verb = name.isEmpty ? (watch ? "watch" : "list") : (watch ? "watch" : "get")
        case "PUT": verb = "update"
        case "PATCH": verb = "patch"
        case "DELETE": verb = name.isEmpty ? "deletecollection" : "delete"
        default: verb = method.lowercased()
        }
    }

    /// For a Namespace object request the `namespace` field mirrors the name; the object itself is cluster-scoped.
    public var objectNamespace: String {
        (resource == "namespaces" && group.isEmpty) ? "" : namespace
    }
}
