/// What a store update did to one object: the change an informer hands to its handlers.
public enum StoreChange<Object: Sendable>: Sendable {
    case added(Object)
    case updated(old: Object, new: Object)
    case deleted(Object)

    /// The object as it is after the change (for deletions, its last known state).
    public var object: Object {
        switch self {
        case .added(let object), .deleted(let object): object
        case .updated(_, let new): new
        }
    }
}

extension StoreChange: Equatable where Object: Equatable {}
