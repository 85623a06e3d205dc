import KubeClient
import KubeModel

// The real ListWatch: KubeClient's typed API. Lists every page, watches with bookmarks, and turns
// a watch ERROR event into a thrown KubeClientError, whose 410 makes the informer relist.
//
// Cached objects drop metadata.managedFields by default (controller-runtime's
// TransformStripManagedFields): no controller reads them, they are often the largest part of a
// small object, and a write without them leaves the server's record of field owners as it is.

extension KubeClientError: ListWatchFailure {
    public var isResourceVersionExpired: Bool { isExpired || isGone }
}

public struct ResourceListWatch<Object: Resource>: ListWatch {
    public let api: ResourceAPI<Object>
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Server-side watch timeout; the informer resumes from the last resourceVersion afterwards.
    public var watchTimeoutSeconds: Int
    /// Whether listed and watched objects lose metadata.managedFields before they are cached.
    public var stripsManagedFields: Bool

    public init(
        api: ResourceAPI<Object>, labelSelector: String? = nil, fieldSelector: String? = nil, watchTimeoutSeconds: Int = 300,
        stripsManagedFields: Bool = true
    ) {
        self.api = api
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.stripsManagedFields = stripsManagedFields
    }

    public func list() async throws -> ListResult<Object> {
        let list = try await api.list(labelSelector: labelSelector, fieldSelector: fieldSelector)
        let items = stripsManagedFields ? list.items.map(Self.strippingManagedFields) : list.items
        return ListResult(items: items, resourceVersion: list.metadata.resourceVersion ?? "")
    }

    static func strippingManagedFields(_ object: Object) -> Object {
        guard object.metadata.managedFields != nil else { return object }
        var object = object
        object.metadata.managedFields = nil
        return object
    }

    public func checkServer() async -> ServerOutage? {
        await api.client.reachability.check()
    }

    public func watch(resourceVersion: String) async throws -> Events {
        let stream = try await api.watch(
            resourceVersion: resourceVersion, labelSelector: labelSelector, fieldSelector: fieldSelector,
            allowBookmarks: true, timeoutSeconds: watchTimeoutSeconds)
        return Events(stream: stream, stripsManagedFields: stripsManagedFields)
    }

    /// The watch's events as the informer sees them.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = ListWatchEvent<Object>
        let stream: WatchStream<Object>
        let stripsManagedFields: Bool

        public func makeAsyncIterator() -> Iterator {
            Iterator(base: stream.makeAsyncIterator(), stripsManagedFields: stripsManagedFields)
        }

        public struct Iterator: AsyncIteratorProtocol {
            var base: WatchStream<Object>.Iterator
            let stripsManagedFields: Bool

            public mutating func next() async throws -> ListWatchEvent<Object>? {
                guard let event = try await base.next() else { return nil }
                let strip = stripsManagedFields ? ResourceListWatch.strippingManagedFields : { $0 }
                switch event {
                case .added(let object): return .added(strip(object))
                case .modified(let object): return .modified(strip(object))
                case .deleted(let object): return .deleted(strip(object))
                case .bookmark(let resourceVersion, _): return .bookmark(resourceVersion: resourceVersion)
                case .error(let error): throw error
                }
            }
        }
    }
}
