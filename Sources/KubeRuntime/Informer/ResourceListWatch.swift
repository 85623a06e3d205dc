import KubeClient
import KubeModel

// The real ListWatch: KubeClient's typed API. Lists every page, watches with bookmarks, and turns
// a watch ERROR event into a thrown KubeClientError, whose 410 makes the informer relist.

extension KubeClientError: ListWatchFailure {
    public var isResourceVersionExpired: Bool { isExpired || isGone }
}

public struct ResourceListWatch<Object: Resource>: ListWatch {
    public let api: ResourceAPI<Object>
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Server-side watch timeout; the informer resumes from the last resourceVersion afterwards.
    public var watchTimeoutSeconds: Int

    public init(api: ResourceAPI<Object>, labelSelector: String? = nil, fieldSelector: String? = nil, watchTimeoutSeconds: Int = 300) {
        self.api = api
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.watchTimeoutSeconds = watchTimeoutSeconds
    }

    public func list() async throws -> ListResult<Object> {
        let list = try await api.list(labelSelector: labelSelector, fieldSelector: fieldSelector)
        return ListResult(items: list.items, resourceVersion: list.metadata.resourceVersion ?? "")
    }

    public func watch(resourceVersion: String) async throws -> Events {
        let stream = try await api.watch(
            resourceVersion: resourceVersion, labelSelector: labelSelector, fieldSelector: fieldSelector,
            allowBookmarks: true, timeoutSeconds: watchTimeoutSeconds)
        return Events(stream: stream)
    }

    /// The watch's events as the informer sees them.
    public struct Events: AsyncSequence, Sendable {
        public typealias Element = ListWatchEvent<Object>
        let stream: WatchStream<Object>

        public func makeAsyncIterator() -> Iterator { Iterator(base: stream.makeAsyncIterator()) }

        public struct Iterator: AsyncIteratorProtocol {
            var base: WatchStream<Object>.Iterator

            public mutating func next() async throws -> ListWatchEvent<Object>? {
                guard let event = try await base.next() else { return nil }
                switch event {
                case .added(let object): return .added(object)
                case .modified(let object): return .modified(object)
                case .deleted(let object): return .deleted(object)
                case .bookmark(let resourceVersion, _): return .bookmark(resourceVersion: resourceVersion)
                case .error(let error): throw error
                }
            }
        }
    }
}
