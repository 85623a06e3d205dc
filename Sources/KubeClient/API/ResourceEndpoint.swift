import KubeModel

// URL paths of a resource, as kube-apiserver serves them:
//   core group:  /api/v1[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]
//   named group: /apis/{group}/{version}[/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]

/// Where a resource lives: group/version, plural, scope, and the namespace an API is bound to.
public struct ResourceEndpoint: Sendable, Hashable {
    public var group: String
    public var version: String
    public var plural: String
    public var isNamespaced: Bool
    /// The namespace requests are confined to; nil for cluster-scoped kinds and for "all namespaces".
    public var namespace: String?

    public init(group: String, version: String, plural: String, isNamespaced: Bool, namespace: String? = nil) {
        self.group = group
        self.version = version
        self.plural = plural
        self.isNamespaced = isNamespaced
        self.namespace = isNamespaced ? namespace : nil
    }

    /// From an `apiVersion` such as `v1` or `apps/v1`.
    public init(apiVersion: String, plural: String, isNamespaced: Bool, namespace: String? = nil) {
        if let slash = apiVersion.firstIndex(of: "/") {
            self.init(
                group: String(apiVersion[..<slash]), version: String(apiVersion[apiVersion.index(after: slash)...]),
                plural: plural, isNamespaced: isNamespaced, namespace: namespace)
        } else {
            self.init(group: "", version: apiVersion, plural: plural, isNamespaced: isNamespaced, namespace: namespace)
        }
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    private var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The collection in `namespace` (the endpoint's when nil), or across all namespaces when both are nil.
    public func collectionPath(namespace override: String? = nil) -> String {
        if isNamespaced, let namespace = override ?? namespace {
            return "\(groupVersionPath)/namespaces/\(KubeRequest.encode(namespace))/\(plural)"
        }
        return "\(groupVersionPath)/\(plural)"
    }

    /// One object (and optionally a subresource such as `status`).
    /// - Throws: ``KubeClientError`` when a namespaced kind has no namespace to address.
    public func objectPath(name: String, namespace override: String? = nil, subresource: String? = nil) throws -> String {
        guard !name.isEmpty else { throw KubeClientError.configuration("\(plural): a name is required") }
        if isNamespaced, (override ?? namespace) == nil {
            throw KubeClientError.configuration("\(plural) \"\(name)\": a namespace is required")
        }
        var path = collectionPath(namespace: override) + "/" + KubeRequest.encode(name)
        if let subresource { path += "/" + subresource }
        return path
    }
}

extension ResourceEndpoint {
    /// The endpoint of a typed kind.
    public init<K: Resource>(_ kind: K.Type, namespace: String?) {
        self.init(group: K.group, version: K.version, plural: K.plural, isNamespaced: K.isNamespaced, namespace: namespace)
    }
}
