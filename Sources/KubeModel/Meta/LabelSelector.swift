// metav1.LabelSelector as it appears in objects; `LabelSelector+Matching.swift` evaluates it.

/// A selector object (metav1.LabelSelector); all terms are ANDed.
public struct LabelSelector: Codable, Sendable, Hashable {
    public var matchLabels: [String: String]?
    public var matchExpressions: [LabelSelectorRequirement]?

    public init(
        matchLabels: [String: String]? = nil,
        matchExpressions: [LabelSelectorRequirement]? = nil
    ) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// One `matchExpressions` term.
public struct LabelSelectorRequirement: Codable, Sendable, Hashable {
    public var key: String
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    public var `operator`: String
    /// Non-empty for `In`/`NotIn`, empty for `Exists`/`DoesNotExist`.
    public var values: [String]?

    public init(
        key: String,
        `operator`: String,
        values: [String]? = nil
    ) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }
}
