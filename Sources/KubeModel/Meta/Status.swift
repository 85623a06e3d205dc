// metav1.Status, the body of every API error response (and of some successful deletes).

/// The result of an API call that does not return an object (metav1.Status).
public struct Status: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// Machine-readable reason, e.g. `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`.
    public var reason: String?
    public var details: StatusDetails?
    /// HTTP status code.
    public var code: Int32?

    public init(
        status: String? = "Failure", message: String? = nil, reason: String? = nil,
        details: StatusDetails? = nil, code: Int32? = nil, metadata: ListMeta? = ListMeta()
    ) {
        apiVersion = "v1"
        kind = "Status"
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    public var description: String { message ?? reason ?? "unknown error" }

    /// Well-known `status` values.
    public static let success = "Success"
    public static let failure = "Failure"
}

/// The type of a watch event.
public enum WatchEventType: String, Codable, Sendable, Hashable, CaseIterable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
    case bookmark = "BOOKMARK"
    case error = "ERROR"
}

/// One event of a watch stream (metav1.WatchEvent): the object after the change, or a `Status`
/// for `ERROR`. Use `WatchEvent<JSONValue>` for unstructured streams.
public struct WatchEvent<Object: Codable & Sendable>: Codable, Sendable {
    public var type: WatchEventType
    public var object: Object

    public init(type: WatchEventType, object: Object) {
        self.type = type
        self.object = object
    }
}

extension WatchEvent: Equatable where Object: Equatable {}
extension WatchEvent: Hashable where Object: Hashable {}
