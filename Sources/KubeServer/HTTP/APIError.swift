import KubeModel

// Errors the server returns, each rendered as a `metav1.Status` with the reason, code, message
// and details shape of a real kube-apiserver, so clients' `IsNotFound`/`IsConflict`/... work.

public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object sent as the response body (or in a watch ERROR event).
    public var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if reason.isEmpty { status["reason"] = nil }
        if let details { status["details"] = details }
        return status
    }

    static func resourceDetails(_ resource: GroupResource, name: String?) -> JSONValue {
        var details: JSONValue = ["kind": .string(resource.resource)]
        if let name, !name.isEmpty { details["name"] = .string(name) }
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        return details
    }

    public static func notFound(_ resource: GroupResource, name: String) -> APIError {
        APIError(
            code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
            details: resourceDetails(resource, name: name))
    }

    public static func alreadyExists(_ resource: GroupResource, name: String) -> APIError {
        APIError(
            code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
            details: resourceDetails(resource, name: name))
    }

    public static func conflict(_ resource: GroupResource, name: String, detail: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(detail)",
            details: resourceDetails(resource, name: name))
    }

    public static func modified(_ resource: GroupResource, name: String) -> APIError {
        conflict(
            resource, name: name,
            detail: "the object has been modified; please apply your changes to the latest version and try again")
    }

    /// 422 with one cause per field error: `Kind.group "name" is invalid: field: message`.
    public static func invalid(
        kind: String, group: String, name: String, errors: [FieldError]
    ) -> APIError {
        let qualified = group.isEmpty ? kind : "\(kind).\(group)"
        let list = errors.map(\.description)
        let summary = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        var details: JSONValue = ["name": .string(name), "kind": .string(kind)]
        if !group.isEmpty { details["group"] = .string(group) }
        details["causes"] = .array(
            errors.map { error in
                ["reason": .string(error.type.rawValue), "message": .string(error.body), "field": .string(error.field)]
            })
        return APIError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(summary)", details: details)
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func forbidden(_ message: String, details: JSONValue? = nil) -> APIError {
        APIError(code: 403, reason: "Forbidden", message: message, details: details)
    }

    public static func methodNotSupported(_ resource: GroupResource, verb: String) -> APIError {
        APIError(
            code: 405, reason: "MethodNotAllowed", message: "\(verb) is not supported on resources of kind \"\(resource)\"",
            details: resourceDetails(resource, name: nil))
    }

    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; received \(contentType)")
    }

    public static func tooLarge(limit: Int) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    public static let resourceNotFound = APIError(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource",
        details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])

    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func `internal`(_ message: String) -> APIError {
        APIError(
            code: 500, reason: "InternalError", message: "Internal error occurred: \(message)",
            details: ["causes": [["message": .string(message)]]])
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
}
