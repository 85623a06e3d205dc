// metav1.ListMeta and metav1.TypeMeta.

/// Metadata of a list response (metav1.ListMeta).
public struct ListMeta: Codable, Sendable, Hashable {
    /// Version of the collection; watches may start from it.
    public var resourceVersion: String?
    /// Token for the next page, when the list was truncated by `limit`.
    public var `continue`: String?
    /// Approximate number of items after this page.
    public var remainingItemCount: Int64?

    public init(
        resourceVersion: String? = nil,
        `continue`: String? = nil,
        remainingItemCount: Int64? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// The `apiVersion` and `kind` header of a serialised object (metav1.TypeMeta).
public struct TypeMeta: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?

    public init(
        apiVersion: String? = nil,
        kind: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
    }
}
