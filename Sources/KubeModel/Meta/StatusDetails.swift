// The details of a metav1.Status: which object an error concerns and which fields were invalid.

/// Extended data for a `Status` error (metav1.StatusDetails).
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int32?

    public init(
        name: String? = nil,
        group: String? = nil,
        kind: String? = nil,
        uid: String? = nil,
        causes: [StatusCause]? = nil,
        retryAfterSeconds: Int32? = nil
    ) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// One cause of a `Status` error, e.g. an invalid field.
public struct StatusCause: Codable, Sendable, Hashable {
    /// e.g. `FieldValueInvalid`.
    public var reason: String?
    public var message: String?
    /// Dotted path of the field, e.g. `spec.ports[0].port`.
    public var field: String?

    public init(
        reason: String? = nil,
        message: String? = nil,
        field: String? = nil
    ) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}
