import KubeModel

// The four patch types kube-apiserver accepts, each with its content type.

/// A patch to send with `PATCH`.
public enum Patch: Sendable, Hashable {
    /// RFC 7386 JSON merge patch (`application/merge-patch+json`).
    case merge(JSONValue)
    /// RFC 6902 JSON patch (`application/json-patch+json`).
    case json([JSONPatchOperation])
    /// Strategic merge patch (`application/strategic-merge-patch+json`); built-in kinds only —
    /// custom resources answer 415.
    case strategicMerge(JSONValue)
    /// Server-side apply (`application/apply-patch+yaml`) of a full intent, owned by `fieldManager`;
    /// `force` takes over fields other managers own instead of failing with a conflict.
    case apply(JSONValue, fieldManager: String, force: Bool = false)

    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }

    /// The request body (JSON, which is also valid YAML for apply).
    public var body: [UInt8] {
        switch self {
        case .merge(let value), .strategicMerge(let value), .apply(let value, _, _):
            return value.serialized()
        case .json(let operations):
            return JSONValue.array(operations.map(\.jsonValue)).serialized()
        }
    }

    var query: [KubeRequest.QueryItem] {
        guard case .apply(_, let fieldManager, let force) = self else { return [] }
        var items = [KubeRequest.QueryItem("fieldManager", fieldManager)]
        if force { items.append(.init("force", "true")) }
        return items
    }
}

/// `propagationPolicy` of a delete.
public enum PropagationPolicy: String, Sendable, Hashable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

/// Conditions the object must meet for a delete to proceed (metav1.Preconditions).
public struct Preconditions: Sendable, Hashable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// The body of a DELETE (metav1.DeleteOptions).
struct DeleteOptionsBody {
    var preconditions: Preconditions?
    var propagationPolicy: PropagationPolicy?
    var gracePeriodSeconds: Int?

    var isEmpty: Bool { preconditions == nil && propagationPolicy == nil && gracePeriodSeconds == nil }

    var json: JSONValue {
        var body: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
        if let preconditions {
            var value = JSONValue.emptyObject
            if let uid = preconditions.uid { value["uid"] = .string(uid) }
            if let resourceVersion = preconditions.resourceVersion { value["resourceVersion"] = .string(resourceVersion) }
            body["preconditions"] = value
        }
        if let propagationPolicy { body["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { body["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        return body
    }
}
