// Helpers for lists of metav1.Condition with the semantics of apimachinery's meta.SetStatusCondition:
// the transition time only moves when the status changes, so watchers can tell how long a
// condition has held.

extension Array where Element == Condition {
    /// The condition of `type`, if present.
    public func condition(ofType type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Whether the condition of `type` exists with status `True`.
    public func isTrue(_ type: String) -> Bool {
        condition(ofType: type)?.status == "True"
    }

    /// Adds or updates the condition of `new.type`. An existing condition keeps its
    /// `lastTransitionTime` unless its status changes, in which case it takes `new`'s time.
    /// Returns whether anything changed.
    @discardableResult
    public mutating func set(_ new: Condition) -> Bool {
        guard let index = firstIndex(where: { $0.type == new.type }) else {
            append(new)
            return true
        }
        var existing = self[index]
        let before = existing
        if existing.status != new.status {
            existing.status = new.status
            existing.lastTransitionTime = new.lastTransitionTime
        }
        existing.reason = new.reason
        existing.message = new.message
        existing.observedGeneration = new.observedGeneration
        self[index] = existing
        return existing != before
    }

    /// Removes the condition of `type`; returns whether one was present.
    @discardableResult
    public mutating func remove(type: String) -> Bool {
        let count = self.count
        removeAll { $0.type == type }
        return count != self.count
    }
}

extension OwnerReference {
    /// A reference to `owner`, e.g. for objects a controller creates on its behalf.
    /// `owner` must have a name and a uid (that is, it was read from the server).
    public init(owner: some Resource, isController: Bool = true, blocksOwnerDeletion: Bool = true) {
        let type = type(of: owner)
        self.init(
            apiVersion: type.apiVersion, kind: type.kind, name: owner.metadata.name ?? "",
            uid: owner.metadata.uid ?? "", controller: isController, blockOwnerDeletion: blocksOwnerDeletion)
    }
}
