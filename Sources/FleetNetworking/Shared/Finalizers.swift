import KubeModel

// Finalizer bookkeeping on object metadata.

extension ObjectMeta {
    public func hasFinalizer(_ finalizer: String) -> Bool {
        finalizers?.contains(finalizer) ?? false
    }

    /// Adds `finalizer`; returns whether it was missing.
    @discardableResult
    public mutating func addFinalizer(_ finalizer: String) -> Bool {
        guard !hasFinalizer(finalizer) else { return false }
        finalizers = (finalizers ?? []) + [finalizer]
        return true
    }

    /// Removes `finalizer`; returns whether it was present.
    @discardableResult
    public mutating func removeFinalizer(_ finalizer: String) -> Bool {
        guard hasFinalizer(finalizer) else { return false }
        finalizers = finalizers?.filter { $0 != finalizer }
        if finalizers?.isEmpty == true { finalizers = nil }
        return true
    }

    /// Removes each of `finalizers`; returns whether any was present.
    @discardableResult
    public mutating func removeFinalizers(_ finalizers: [String]) -> Bool {
        finalizers.reduce(false) { removed, finalizer in removeFinalizer(finalizer) || removed }
    }

    /// Whether the object is being deleted.
    public var isDeleting: Bool { deletionTimestamp != nil }
}
