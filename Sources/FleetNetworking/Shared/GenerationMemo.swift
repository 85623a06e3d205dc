import KubeRuntime
import Synchronization

/// The last generation a controller handled, per object, in memory: what the reference writes
/// into annotations (`last-observed-generation`, `last-observed-resource-version`) at the cost
/// of a hub write per change. Keyed by object and uid, so a re-created object starts afresh;
/// entries go when the object does.
final class GenerationMemo: Sendable {
    private struct Entry {
        var uid: String?
        var generation: Int64
    }

    private let entries = Mutex<[ObjectKey: Entry]>([:])

    /// Records `generation` for the object; true when it differs from the one recorded.
    func record(_ generation: Int64, for key: ObjectKey, uid: String?) -> Bool {
        entries.withLock { entries in
            if let entry = entries[key], entry.uid == uid, entry.generation == generation { return false }
            entries[key] = Entry(uid: uid, generation: generation)
            return true
        }
    }

    /// Whether a generation of this incarnation of the object was recorded.
    func contains(_ key: ObjectKey, uid: String?) -> Bool {
        entries.withLock { $0[key]?.uid == uid && $0[key] != nil }
    }

    func forget(_ key: ObjectKey) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }

    var count: Int { entries.withLock { $0.count } }
}
