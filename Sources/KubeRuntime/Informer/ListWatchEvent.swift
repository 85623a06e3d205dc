/// One event of a watch stream, as an informer consumes it (the wire's `ADDED`, `MODIFIED`,
/// `DELETED` and `BOOKMARK`; an `ERROR` event is thrown by the stream instead, as
/// `ListWatchError`).
public enum ListWatchEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// Progress notification: only the resourceVersion the watch may resume from.
    case bookmark(resourceVersion: String)
}

extension ListWatchEvent: Equatable where Object: Equatable {}
