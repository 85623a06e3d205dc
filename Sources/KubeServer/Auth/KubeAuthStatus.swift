import KubeModel

// The metav1.Status bodies kube-apiserver answers with when authentication fails (401) or
// authorization denies (403). Messages follow apiserver's responsewriters.forbiddenMessage and
// apimachinery's errors.NewForbidden word for word, because kubectl prints them verbatim.

/// Builders of authentication and authorization failure responses.
public enum KubeAuthStatus {
    /// The 401 body: `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    /// "message":"Unauthorized","reason":"Unauthorized","code":401}`.
    public static func unauthorized() -> JSONValue {
        [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": .emptyObject,
            "status": "Failure",
            "message": "Unauthorized",
            "reason": "Unauthorized",
            "code": 401,
        ]
    }

    /// The 403 body for a denied request.
    ///
    /// The message is `<resource>[.<group>] ["<name>"] is forbidden: <forbiddenMessage>[: <reason>]`,
    /// or `forbidden: …` for non-resource requests; `details` carries the name, group and resource
    /// (as `kind`), omitting empty ones.
    public static func forbidden(_ attributes: AuthorizationAttributes, reason: String = "") -> JSONValue {
        var message = sanitized(forbiddenMessage(attributes))
        if !reason.isEmpty { message += ": \(reason)" }

        let group = attributes.isResourceRequest ? attributes.apiGroup : ""
        let resource = attributes.isResourceRequest ? attributes.resource : ""
        let name = attributes.isResourceRequest ? attributes.name : ""
        let qualifiedResource = group.isEmpty ? resource : "\(resource).\(group)"
        let fullMessage: String
        if resource.isEmpty && group.isEmpty {
            fullMessage = "forbidden: \(message)"
        } else if name.isEmpty {
            fullMessage = "\(qualifiedResource) is forbidden: \(message)"
        } else {
            fullMessage = "\(qualifiedResource) \(GoSyntax.quoted(name)) is forbidden: \(message)"
        }

        var details: [String: JSONValue] = [:]
        if !name.isEmpty { details["name"] = .string(name) }
        if !group.isEmpty { details["group"] = .string(group) }
        if !resource.isEmpty { details["kind"] = .string(resource) }
        return [
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": .emptyObject,
            "status": "Failure",
            "message": .string(fullMessage),
            "reason": "Forbidden",
            "details": .object(details),
            "code": 403,
        ]
    }

    /// The part after `is forbidden: `, e.g.
    /// `User "alice" cannot list resource "services" in API group "" in the namespace "default"`.
    public static func forbiddenMessage(_ attributes: AuthorizationAttributes) -> String {
        let user = GoSyntax.quoted(attributes.user.name)
        guard attributes.isResourceRequest else {
            return "User \(user) cannot \(attributes.verb) path \(GoSyntax.quoted(attributes.path))"
        }
        let action = "User \(user) cannot \(attributes.verb) resource \(GoSyntax.quoted(attributes.combinedResource)) "
            + "in API group \(GoSyntax.quoted(attributes.apiGroup))"
        if !attributes.namespace.isEmpty {
            return "\(action) in the namespace \(GoSyntax.quoted(attributes.namespace))"
        }
        return "\(action) at the cluster scope"
    }

    /// Escapes what could make the message look like HTML; quotes stay.
    private static func sanitized(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            default: result.append(character)
            }
        }
        return result
    }
}
