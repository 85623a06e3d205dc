import KubeClient
import KubeModel

/// The network boundary an informer needs: list a kind, then watch it from a resourceVersion.
/// KubeClient's typed API provides the real implementation; tests script one.
///
/// Contract for implementers:
/// - `list()` returns a complete, consistent list (all pages) and the list's resourceVersion.
/// - `watch(resourceVersion:)` opens a watch (with bookmarks allowed) starting after that
///   version. The sequence ends normally when the server closes the watch; it throws when the
///   connection fails or the server sends an `ERROR` event. A `410 Gone` / `Expired` status —
///   the version is too old to resume from — must surface as an error for which
///   `isResourceVersionExpired` is true (`ListWatchError.expired`, or the client's own error
///   type conforming to `ListWatchFailure`), so the informer relists instead of retrying.
public protocol ListWatch<Object>: Sendable {
    associatedtype Object: Resource
    associatedtype Events: AsyncSequence<ListWatchEvent<Object>, any Error>

    func list() async throws -> ListResult<Object>
    func watch(resourceVersion: String) async throws -> Events
    /// Asks whether the server still answers, after a watch it closed at once without events;
    /// returns the outage to wait for when it does not. The default has no way to ask: nil.
    func checkServer() async -> ServerOutage?
}

extension ListWatch {
    public func checkServer() async -> ServerOutage? { nil }
}

/// A complete list of a kind and the resourceVersion it is consistent with.
public struct ListResult<Object: Resource>: Sendable {
    public var items: [Object]
    public var resourceVersion: String

    public init(items: [Object], resourceVersion: String) {
        self.items = items
        self.resourceVersion = resourceVersion
    }
}

/// An error from a `ListWatch` that can say whether the resourceVersion it used has expired.
/// Conform the client's error type to this so informers relist on `410 Gone`.
public protocol ListWatchFailure: Error {
    /// True for `410 Gone` (reason `Expired` or `Gone`): resuming from that version is
    /// impossible and the informer must list again.
    var isResourceVersionExpired: Bool { get }
}

/// Errors a `ListWatch` implementation may throw when it has nothing more specific.
public enum ListWatchError: ListWatchFailure, Equatable {
    /// The requested resourceVersion is too old (HTTP 410, reason `Expired`).
    case expired(message: String)
    /// The server sent a watch `ERROR` event that is not an expiry.
    case watchError(code: Int, message: String)

    public var isResourceVersionExpired: Bool {
        if case .expired = self { return true }
        return false
    }
}

extension Error {
    /// Whether this error means the resourceVersion used for a watch has expired (410).
    var isResourceVersionExpired: Bool {
        (self as? any ListWatchFailure)?.isResourceVersionExpired ?? false
    }
}

extension Error {
    /// The period in which the API server did not answer that this failure fell into, when it is
    /// a client transport error: retries wait for its end rather than only for their backoff.
    public var serverOutage: ServerOutage? {
        (self as? KubeClientError)?.outage
    }
}
