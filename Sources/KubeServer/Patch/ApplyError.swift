import KubeModel

// Errors of server-side apply, carrying the `Status` the API server answers with. Conflict
// messages follow the apiserver's fieldmanager exactly, since kubectl prints them verbatim and
// tells the user to re-run with --force-conflicts.

/// A failed apply (or managedFields) operation, as a Kubernetes `Status`.
public struct ApplyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One field owned by another manager that the apply would change.
    public struct Conflict: Sendable, Hashable {
        public var manager: ManagedFieldsEntry.Identity
        public var path: ObjectPath
    }

    public var code: Int
    public var reason: String
    public var message: String
    public var conflicts: [Conflict]

    public var description: String { message }

    /// 400 BadRequest with `message`.
    public static func badRequest(_ message: String) -> ApplyError {
        ApplyError(code: 400, reason: "BadRequest", message: message, conflicts: [])
    }

    /// 500 InternalError. (A configuration whose list items lack their keys is a 400.)
    public static func internalError(_ message: String) -> ApplyError {
        ApplyError(code: 500, reason: "InternalError", message: message, conflicts: [])
    }

    /// 409 Conflict listing `conflicts`, ordered by manager then path.
    public static func conflict(_ conflicts: [Conflict]) -> ApplyError {
        let sorted = conflicts.sorted { ($0.manager, $0.path) < ($1.manager, $1.path) }
        let message: String
        if sorted.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(sorted[0].manager.printed): \(sorted[0].path)"
        } else {
            var lines: [String] = []
            var currentManager: ManagedFieldsEntry.Identity?
            for conflict in sorted {
                if conflict.manager != currentManager {
                    lines.append("conflicts with \(conflict.manager.printed):")
                    currentManager = conflict.manager
                }
                lines.append("- \(conflict.path)")
            }
            message = "Apply failed with \(sorted.count) conflicts: " + lines.joined(separator: "\n")
        }
        return ApplyError(code: 409, reason: "Conflict", message: message, conflicts: sorted)
    }

    /// The `Status` object to send to the client.
    public var status: JSONValue {
        var status: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if !conflicts.isEmpty {
            status["details"] = [
                "causes": .array(
                    conflicts.map {
                        [
                            "reason": "FieldManagerConflict",
                            "message": .string("conflict with \($0.manager.printed)"),
                            "field": .string($0.path.description),
                        ]
                    })
            ]
        }
        return status
    }
}
