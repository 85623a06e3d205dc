import KubeModel
import Synchronization

/// An informer's cache of one kind: the latest known state of every object, keyed by
/// namespace/name, with secondary indexes (client-go `cache.Indexer`, kube-rs `reflector::Store`).
///
/// One writer (the informer) applies list results and watch events; any number of readers get,
/// list and query indexes concurrently. All state sits behind one `Mutex`, so reads are cheap and
/// never suspend, and every write is atomic with respect to readers (a relist swaps the whole
/// content in one step: readers see either the old or the new list, never a mix).
///
/// Objects are returned as stored; callers must not assume more than read consistency with the
/// latest event the informer applied.
public final class InformerStore<Object: Resource>: Sendable {
    /// The built-in index from namespace to the objects in it ("" for cluster-scoped objects).
    public static var namespaceIndex: String { "namespace" }

    /// Maps an object to the index values it is filed under (zero, one or many).
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private struct Index {
        let function: IndexFunction
        var keysByValue: [String: Set<ObjectKey>] = [:]

        mutating func insert(_ object: Object, key: ObjectKey) {
            for value in Set(function(object)) { keysByValue[value, default: []].insert(key) }
        }

        mutating func remove(_ object: Object, key: ObjectKey) {
            for value in Set(function(object)) {
                keysByValue[value]?.remove(key)
                if keysByValue[value]?.isEmpty == true { keysByValue[value] = nil }
            }
        }
    }

    private struct State {
        var objects: [ObjectKey: Object] = [:]
        var indexes: [String: Index] = [:]
        var lastSyncResourceVersion: String?
        var hasSynced = false
        var syncWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID = 0

        mutating func upsert(_ object: Object) -> StoreChange<Object> {
            let key = ObjectKey(object)
            let old = objects.updateValue(object, forKey: key)
            for name in indexes.keys {
                if let old { indexes[name]!.remove(old, key: key) }
                indexes[name]!.insert(object, key: key)
            }
            if let old { return .updated(old: old, new: object) }
            return .added(object)
        }

        mutating func remove(_ key: ObjectKey) -> Object? {
            guard let old = objects.removeValue(forKey: key) else { return nil }
            for name in indexes.keys { indexes[name]!.remove(old, key: key) }
            return old
        }
    }

    private let state: Mutex<State>

    public init() {
        var initial = State()
        initial.indexes[Self.namespaceIndex] = Index(function: { [$0.metadata.namespace ?? ""] })
        state = Mutex(initial)
    }

    // MARK: Indexes

    /// Registers an index under `name`; objects already stored are indexed at once.
    /// Registering a name twice is a programming error.
    ///
    ///     store.addIndex(named: "byServiceName") { slice in
    ///         [slice.metadata.labels?["kubernetes.io/service-name"]].compactMap { $0 }
    ///     }
    public func addIndex(named name: String, _ function: @escaping IndexFunction) {
        state.withLock { state in
            precondition(state.indexes[name] == nil, "index \(name) is already registered")
            var index = Index(function: function)
            for (key, object) in state.objects { index.insert(object, key: key) }
            state.indexes[name] = index
        }
    }

    /// The objects filed under `value` in the index `name`, sorted by key.
    /// Querying an index that was never registered is a programming error.
    public func byIndex(_ name: String, value: String) -> [Object] {
        state.withLock { state in
            guard let index = state.indexes[name] else { preconditionFailure("no index named \(name)") }
            return (index.keysByValue[value] ?? []).sorted().compactMap { state.objects[$0] }
        }
    }

    /// The values present in the index `name` (e.g. every namespace with objects).
    public func indexValues(_ name: String) -> [String] {
        state.withLock { state in
            guard let index = state.indexes[name] else { preconditionFailure("no index named \(name)") }
            return index.keysByValue.keys.sorted()
        }
    }

    // MARK: Reads

    public func get(namespace: String = "", name: String) -> Object? {
        get(ObjectKey(namespace: namespace, name: name))
    }

    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key] }
    }

    /// All objects, or those in `namespace`, sorted by key.
    public func list(namespace: String? = nil) -> [Object] {
        if let namespace { return byIndex(Self.namespaceIndex, value: namespace) }
        return state.withLock { state in state.objects.keys.sorted().compactMap { state.objects[$0] } }
    }

    public var keys: [ObjectKey] { state.withLock { $0.objects.keys.sorted() } }

    public var count: Int { state.withLock { $0.objects.count } }

    /// The resourceVersion of the last list or event applied: where a watch resumes.
    public var lastSyncResourceVersion: String? { state.withLock { $0.lastSyncResourceVersion } }

    /// Whether a complete list has been applied at least once.
    public var hasSynced: Bool { state.withLock { $0.hasSynced } }

    /// Returns once a complete list has been applied, or when the calling task is cancelled
    /// (check `hasSynced` afterwards if cancellation matters).
    public func waitUntilSynced() async {
        let id: Int? = state.withLock { state in
            guard !state.hasSynced else { return nil }
            defer { state.nextWaiterID += 1 }
            return state.nextWaiterID
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    if state.hasSynced || Task.isCancelled { return true }
                    state.syncWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.syncWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    // MARK: Writes (the informer's)

    /// Replaces the whole content with a fresh list and marks the store synced.
    ///
    /// Returns the changes the swap implies, so an informer that relisted after losing its watch
    /// can tell handlers what they missed: `.deleted` for objects that vanished, `.added` for new
    /// ones, and `.updated` for objects whose resourceVersion changed. Objects with an unchanged
    /// resourceVersion produce no change. Order: deletions first, then additions and updates,
    /// each sorted by key.
    @discardableResult
    public func replace(all objects: [Object], resourceVersion: String) -> [StoreChange<Object>] {
        let (changes, waiters) = state.withLock { state in
            var fresh: [ObjectKey: Object] = [:]
            for object in objects { fresh[ObjectKey(object)] = object }
            var changes: [StoreChange<Object>] = []
            for key in state.objects.keys.sorted() where fresh[key] == nil {
                if let old = state.remove(key) { changes.append(.deleted(old)) }
            }
            for key in fresh.keys.sorted() {
                let object = fresh[key]!
                let old = state.objects[key]
                if let old, old.metadata.resourceVersion == object.metadata.resourceVersion,
                    old.metadata.resourceVersion != nil
                {
                    continue
                }
                changes.append(state.upsert(object))
            }
            state.lastSyncResourceVersion = resourceVersion
            state.hasSynced = true
            let waiters = Array(state.syncWaiters.values)
            state.syncWaiters.removeAll()
            return (changes, waiters)
        }
        for waiter in waiters { waiter.resume() }
        return changes
    }

    /// Applies one watch event and returns the change it made; `nil` for a bookmark.
    ///
    /// A deletion reports the event's object (the server's final state of it, as client-go
    /// does), even when the store did not hold it, so handlers see every deletion announced.
    @discardableResult
    public func apply(_ event: ListWatchEvent<Object>) -> StoreChange<Object>? {
        state.withLock { state in
            switch event {
            case .added(let object), .modified(let object):
                state.lastSyncResourceVersion = object.metadata.resourceVersion ?? state.lastSyncResourceVersion
                return state.upsert(object)
            case .deleted(let object):
                state.lastSyncResourceVersion = object.metadata.resourceVersion ?? state.lastSyncResourceVersion
                _ = state.remove(ObjectKey(object))
                return .deleted(object)
            case .bookmark(let resourceVersion):
                state.lastSyncResourceVersion = resourceVersion
                return nil
            }
        }
    }
}
