import DequeModule
import KubeModel
import Synchronization

// The server's storage: every object of every resource, one revision counter for the whole
// store (like etcd's), a bounded history of changes for watches and consistent paginated lists,
// and the fan-out of changes to watchers.
//
// Writes are optimistic like etcd's: callers read an object with its revision, compute the new
// object outside the lock, and commit with that revision as a precondition; a concurrent
// writer makes the commit fail with `StoreError.conflict` and the caller retries or reports 409.

/// A resource's identity in storage: all versions of a group/resource share one store.
public struct GroupResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var resource: String

    public init(group: String, resource: String) {
        self.group = group
        self.resource = resource
    }

    public var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// The name of one object within its resource; `namespace` is empty for cluster-scoped objects.
public struct StorageKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (lhs: StorageKey, rhs: StorageKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// One change in the store.
public struct StoreEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    public var kind: Kind
    public var revision: Int64
    public var resource: GroupResource
    public var key: StorageKey
    /// The object after the change; for deletions the last state, carrying the deletion's revision.
    public var object: JSONValue
    /// The object before the change (`nil` for additions).
    public var previous: JSONValue?
    /// Serialized watch lines of this event, shared by every watcher that sends the same bytes.
    let encodings = EncodedWatchLines()

    init(kind: Kind, revision: Int64, resource: GroupResource, key: StorageKey, object: JSONValue, previous: JSONValue?) {
        self.kind = kind
        self.revision = revision
        self.resource = resource
        self.key = key
        self.object = object
        self.previous = previous
    }
}

/// Watch lines (`{"type":…,"object":…}\n`) of one event by type and apiVersion: with many
/// watchers of one resource the event is serialized once instead of once per watcher.
final class EncodedWatchLines: Sendable {
    private let lines = Mutex([String: [UInt8]]())

    func line(type: String, apiVersion: String, encode: () -> [UInt8]) -> [UInt8] {
        let key = type + " " + apiVersion
        if let cached = lines.withLock({ $0[key] }) { return cached }
        let encoded = encode()
        lines.withLock { $0[key] = encoded }
        return encoded
    }
}

public enum StoreError: Error, Sendable, Equatable {
    case notFound
    case alreadyExists
    /// The object changed since the revision the caller read.
    case conflict
    /// The requested revision is older than the retained history.
    case expired(requested: Int64, oldest: Int64)
}

/// Watcher's view of the store: a stream of events, ended when the watcher falls too far behind.
public struct StoreWatch: Sendable {
    public var events: AsyncStream<StoreEvent>
    /// The store revision at which the watch started (events are strictly after it).
    public var startRevision: Int64
    /// Objects that existed at `startRevision`, when the caller asked for an initial snapshot.
    public var initialObjects: [JSONValue]
}

public final class ObjectStore: Sendable {
    /// Number of changes kept for watch resumption and consistent continuation of lists.
    public let historyLimit: Int
    /// Number of undelivered events a watcher may accumulate before it is cut off.
    public let watcherBufferLimit: Int

    private struct Stored {
        var object: JSONValue
        var revision: Int64
    }

    private struct Watcher {
        var resource: GroupResource?
        var namespace: String?
        var continuation: AsyncStream<StoreEvent>.Continuation
    }

    private struct State {
        var revision: Int64 = 1
        var objects: [GroupResource: [String: [String: Stored]]] = [:]
        var history: Deque<StoreEvent> = []
        /// Revisions up to this one are no longer in `history`.
        var compactedRevision: Int64 = 1
        var watchers: [Int: Watcher] = [:]
        var nextWatcherID = 0
        /// False while the server is shutting down: new watches end at once.
        var acceptsWatches = true
        var objectCount = 0
    }

    private let state = Mutex(State())

    public init(historyLimit: Int = 100_000, watcherBufferLimit: Int = 10_000) {
        self.historyLimit = historyLimit
        self.watcherBufferLimit = watcherBufferLimit
    }

    // MARK: Reads

    public var currentRevision: Int64 { state.withLock { $0.revision } }
    public var objectCount: Int { state.withLock { $0.objectCount } }

    /// The object and the revision it was last written at.
    public func get(_ resource: GroupResource, _ key: StorageKey) -> (object: JSONValue, revision: Int64)? {
        state.withLock { state in
            guard let stored = state.objects[resource]?[key.namespace]?[key.name] else { return nil }
            return (stored.object, stored.revision)
        }
    }

    /// Current objects of a resource (in one namespace, or all), sorted by namespace and name.
    public func list(_ resource: GroupResource, namespace: String?) -> (objects: [(StorageKey, JSONValue)], revision: Int64) {
        state.withLock { state in
            (Self.snapshot(of: state, resource: resource, namespace: namespace), state.revision)
        }
    }

    /// Objects of a resource as they were at `revision`, reconstructed from history.
    public func list(_ resource: GroupResource, namespace: String?, atRevision revision: Int64) throws(StoreError)
        -> [(StorageKey, JSONValue)]
    {
        try state.withLock { state throws(StoreError) in
            if revision >= state.revision { return Self.snapshot(of: state, resource: resource, namespace: namespace) }
            guard revision >= state.compactedRevision else {
                throw .expired(requested: revision, oldest: state.compactedRevision)
            }
            var current: [StorageKey: JSONValue] = [:]
            for (key, object) in Self.snapshot(of: state, resource: resource, namespace: namespace) {
                current[key] = object
            }
            // Undo changes newer than `revision`, newest first.
            for event in state.history.reversed() {
                if event.revision <= revision { break }
                guard event.resource == resource, namespace == nil || event.key.namespace == namespace else { continue }
                current[event.key] = event.previous
            }
            return current.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
    }

    private static func snapshot(of state: State, resource: GroupResource, namespace: String?) -> [(StorageKey, JSONValue)] {
        guard let byNamespace = state.objects[resource] else { return [] }
        var result: [(StorageKey, JSONValue)] = []
        let namespaces = namespace.map { [$0] } ?? byNamespace.keys.sorted()
        for ns in namespaces {
            guard let byName = byNamespace[ns] else { continue }
            for name in byName.keys.sorted() {
                result.append((StorageKey(namespace: ns, name: name), byName[name]!.object))
            }
        }
        return result
    }

    // MARK: Writes

    /// Stores a new object. `prepare` receives the revision the object will carry and returns the
    /// object to store (so `metadata.resourceVersion` can be set consistently).
    @discardableResult
    public func create(_ resource: GroupResource, _ key: StorageKey, prepare: (Int64) -> JSONValue) throws(StoreError)
        -> JSONValue
    {
        let (object, cutOff) = try state.withLock { state throws(StoreError) in
            if state.objects[resource]?[key.namespace]?[key.name] != nil { throw .alreadyExists }
            state.revision += 1
            let object = prepare(state.revision)
            state.objects[resource, default: [:]][key.namespace, default: [:]][key.name] = Stored(
                object: object, revision: state.revision)
            state.objectCount += 1
            let cutOff = Self.record(
                StoreEvent(kind: .added, revision: state.revision, resource: resource, key: key, object: object, previous: nil),
                in: &state, historyLimit: historyLimit)
            return (object, cutOff)
        }
        for continuation in cutOff { continuation.finish() }
        return object
    }

    /// Replaces an object if it is still at `expectedRevision`.
    @discardableResult
    public func update(
        _ resource: GroupResource, _ key: StorageKey, expectedRevision: Int64, prepare: (Int64) -> JSONValue
    ) throws(StoreError) -> JSONValue {
        let (object, cutOff) = try state.withLock { state throws(StoreError) in
            guard let stored = state.objects[resource]?[key.namespace]?[key.name] else { throw .notFound }
            guard stored.revision == expectedRevision else { throw .conflict }
            state.revision += 1
            let object = prepare(state.revision)
            state.objects[resource]![key.namespace]![key.name] = Stored(object: object, revision: state.revision)
            let cutOff = Self.record(
                StoreEvent(
                    kind: .modified, revision: state.revision, resource: resource, key: key, object: object,
                    previous: stored.object),
                in: &state, historyLimit: historyLimit)
            return (object, cutOff)
        }
        for continuation in cutOff { continuation.finish() }
        return object
    }

    /// Removes an object if it is still at `expectedRevision` (any revision when `nil`).
    /// `finalize` receives the deletion revision and returns the object's last state as reported to watchers.
    @discardableResult
    public func delete(
        _ resource: GroupResource, _ key: StorageKey, expectedRevision: Int64?, finalize: (JSONValue, Int64) -> JSONValue
    ) throws(StoreError) -> JSONValue {
        let (last, cutOff) = try state.withLock { state throws(StoreError) in
            guard let stored = state.objects[resource]?[key.namespace]?[key.name] else { throw .notFound }
            if let expectedRevision, stored.revision != expectedRevision { throw .conflict }
            state.revision += 1
            state.objects[resource]![key.namespace]![key.name] = nil
            if state.objects[resource]![key.namespace]!.isEmpty { state.objects[resource]![key.namespace] = nil }
            state.objectCount -= 1
            let last = finalize(stored.object, state.revision)
            let cutOff = Self.record(
                StoreEvent(
                    kind: .deleted, revision: state.revision, resource: resource, key: key, object: last,
                    previous: stored.object),
                in: &state, historyLimit: historyLimit)
            return (last, cutOff)
        }
        for continuation in cutOff { continuation.finish() }
        return last
    }

    /// Drops every object of a resource (a deleted CRD's instances) without per-object events
    /// other than deletions, which watchers still receive.
    public func removeAll(_ resource: GroupResource) {
        let keys = state.withLock { state in
            Self.snapshot(of: state, resource: resource, namespace: nil).map(\.0)
        }
        for key in keys {
            _ = try? delete(resource, key, expectedRevision: nil) { object, revision in
                var object = object
                object[path: ["metadata", "resourceVersion"]] = .string(String(revision))
                return object
            }
        }
    }

    /// Appends to history and delivers to watchers; returns the watchers cut off for being too far
    /// behind, which the caller must finish after releasing the lock (finishing runs their
    /// termination handlers, which take the lock).
    private static func record(_ event: StoreEvent, in state: inout State, historyLimit: Int)
        -> [AsyncStream<StoreEvent>.Continuation]
    {
        state.history.append(event)
        while state.history.count > historyLimit {
            let dropped = state.history.removeFirst()
            state.compactedRevision = dropped.revision
        }
        var cutOff: [Int] = []
        for (id, watcher) in state.watchers {
            if let resource = watcher.resource, resource != event.resource { continue }
            if let namespace = watcher.namespace, namespace != event.key.namespace { continue }
            if case .dropped = watcher.continuation.yield(event) {
                cutOff.append(id)
            }
        }
        return cutOff.compactMap { state.watchers.removeValue(forKey: $0)?.continuation }
    }

    // MARK: Watch

    /// Starts a watch of one resource (or of all resources when `resource` is nil).
    ///
    /// - `fromRevision: nil` starts now; with `includeInitialObjects` the objects existing now are
    ///   returned alongside, consistent with the start revision.
    /// - `fromRevision: n` replays every retained change after `n`; throws `.expired` when the
    ///   history no longer reaches back to `n`.
    public func watch(
        _ resource: GroupResource?, namespace: String?, fromRevision: Int64?, includeInitialObjects: Bool = false,
        bufferLimit: Int? = nil
    ) throws(StoreError) -> StoreWatch {
        let limit = bufferLimit ?? watcherBufferLimit
        let (stream, continuation, id, start, initial) = try state.withLock { state throws(StoreError) in
            var replay: [StoreEvent] = []
            var initial: [JSONValue] = []
            if let fromRevision, fromRevision < state.revision {
                guard fromRevision >= state.compactedRevision else {
                    throw .expired(requested: fromRevision, oldest: state.compactedRevision)
                }
                for event in state.history where event.revision > fromRevision {
                    if let resource, event.resource != resource { continue }
                    if let namespace, event.key.namespace != namespace { continue }
                    replay.append(event)
                }
            } else if includeInitialObjects, let resource {
                initial = Self.snapshot(of: state, resource: resource, namespace: namespace).map(\.1)
            }
            // The replayed history always fits; the limit applies to what accumulates afterwards.
            let (stream, continuation) = AsyncStream<StoreEvent>.makeStream(
                bufferingPolicy: limit == .max ? .unbounded : .bufferingOldest(limit + replay.count))
            for event in replay { continuation.yield(event) }
            guard state.acceptsWatches else {
                continuation.finish()
                return (stream, continuation, -1, state.revision, initial)
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[id] = Watcher(resource: resource, namespace: namespace, continuation: continuation)
            return (stream, continuation, id, fromRevision.map { max($0, 0) } ?? state.revision, initial)
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers.removeValue(forKey: id) }
        }
        return StoreWatch(events: stream, startRevision: start, initialObjects: initial)
    }

    /// Accepts watches again (a server starting over this store).
    public func acceptWatches() {
        state.withLock { $0.acceptsWatches = true }
    }

    /// False from `closeAllWatches()` (the server is shutting down) until `acceptWatches()`.
    public var acceptsNewWatches: Bool { state.withLock { $0.acceptsWatches } }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    /// Forgets every change kept for watch resumption, as an etcd compaction followed by an API
    /// server restart does: a watch or list from any earlier resourceVersion then fails with
    /// 410 Expired, and clients must list again.
    public func compactHistory() {
        state.withLock { state in
            state.history.removeAll()
            state.compactedRevision = state.revision
        }
    }

    /// Ends every watch and refuses new ones (server shutdown), so watch responses complete and
    /// clients that re-watch at once do not hold the shutdown up. `acceptWatches()` undoes it.
    public func closeAllWatches() {
        let watchers = state.withLock { state in
            state.acceptsWatches = false
            defer { state.watchers.removeAll() }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }
}
