import KubeModel
import Synchronization

/// Updates a controller wrote that its cache does not show yet: for each object, the
/// resourceVersions its own writes replaced. A reconcile woken before the watch event of its
/// own update arrives (by the event of an earlier version, or another object's change) would
/// act on the version it already replaced and write again, a request that fails with Conflict
/// or repeats what was written. With expectations it sees that the cached object is one it has
/// superseded and skips; the watch event of its write brings the key back.
///
/// Only a version this controller replaced counts as stale, so a change by anyone else (a newer
/// version, a deletion) is acted on at once. An expectation ends when the informer shows any
/// other version of the object, when the object is deleted, or after `timeout`, so a lost
/// event never stops a controller for good.
public final class UpdateExpectations: Sendable {
    private struct Pending {
        var superseded: Set<String>
        var deadline: ContinuousClock.Instant
    }

    private let pending = Mutex<[ObjectKey: Pending]>([:])
    /// The version the observed informer's cache shows, once `observe` is called.
    private let cachedVersion = Mutex<(@Sendable (ObjectKey) -> String?)?>(nil)
    private let timeout: Duration

    public init(timeout: Duration = .seconds(30)) {
        self.timeout = timeout
    }

    /// Starts clearing expectations from `informer`'s events. Call before the informer runs.
    public func observe<Source: ListWatch>(_ informer: Informer<Source>) {
        let store = informer.store
        cachedVersion.withLock { $0 = { store.get($0)?.metadata.resourceVersion } }
        informer.addHandler { [weak self] change in
            guard let self else { return }
            let object = change.object
            if case .deleted = change {
                self.forget(ObjectKey(object))
            } else {
                self.observed(ObjectKey(object), resourceVersion: object.metadata.resourceVersion)
            }
        }
    }

    /// Records that this controller replaced `base` (the version it read) with `written` (the
    /// version the server returned). Pass both objects' metadata.
    public func expectUpdated(_ key: ObjectKey, from base: ObjectMeta, to written: ObjectMeta) {
        guard let old = base.resourceVersion, !old.isEmpty, let new = written.resourceVersion, old != new else { return }
        let deadline = ContinuousClock.now + timeout
        let cachedVersion = cachedVersion.withLock { $0 }
        pending.withLock { pending in
            // The watch event of the write came first: the cache is already there. (Read under
            // this lock, so an event after the read ends the expectation recorded here.)
            if let cachedVersion, cachedVersion(key) == new { return }
            var entry = pending[key] ?? Pending(superseded: [], deadline: deadline)
            entry.superseded.insert(old)
            entry.superseded.remove(new)
            entry.deadline = deadline
            pending[key] = entry
        }
    }

    /// Writes with `request` over `base` (the version the controller read, e.g. a replace or a
    /// status replace) and records that the cache may still show `base`.
    public func write<Object: Resource>(over base: Object, _ request: () async throws -> Object) async throws -> Object {
        let result = try await request()
        expectUpdated(ObjectKey(base), from: base.metadata, to: result.metadata)
        return result
    }

    /// Whether `object` is a version this controller has already replaced (its cache lags).
    public func isSuperseded(_ key: ObjectKey, _ metadata: ObjectMeta) -> Bool {
        guard let version = metadata.resourceVersion else { return false }
        return pending.withLock { pending in
            guard let entry = pending[key] else { return false }
            guard ContinuousClock.now < entry.deadline else {
                pending[key] = nil
                return false
            }
            return entry.superseded.contains(version)
        }
    }

    /// The cache showed `key` at `resourceVersion`: a version not replaced by this controller
    /// ends the expectation.
    public func observed(_ key: ObjectKey, resourceVersion: String?) {
        pending.withLock { pending in
            guard let entry = pending[key], let resourceVersion, !entry.superseded.contains(resourceVersion) else { return }
            pending[key] = nil
        }
    }

    /// Drops the expectation of `key` (deleted).
    public func forget(_ key: ObjectKey) {
        pending.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Objects with updates awaited (for tests and metrics).
    public var count: Int { pending.withLock { $0.count } }
}
