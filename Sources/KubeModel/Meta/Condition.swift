// metav1.Condition, the standard condition type of newer APIs.

/// One aspect of an object's current state (metav1.Condition).
public struct Condition: Codable, Sendable, Hashable {
    /// CamelCase condition type, e.g. `Ready`.
    public var type: String
    /// `True`, `False` or `Unknown`.
    public var status: String
    /// `metadata.generation` the condition was computed for.
    public var observedGeneration: Int64?
    /// When `status` last changed.
    public var lastTransitionTime: Time
    /// CamelCase machine-readable reason.
    public var reason: String
    /// Human-readable detail; may be empty.
    public var message: String

    public init(
        type: String,
        status: String,
        observedGeneration: Int64? = nil,
        lastTransitionTime: Time,
        reason: String,
        message: String
    ) {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
