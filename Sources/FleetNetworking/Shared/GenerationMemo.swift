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

    /// What `record` found.
    enum Recorded: Equatable {
        /// Nothing was recorded for this incarnation of the object.
        case first
        /// Another generation was recorded.
        case newGeneration
        /// This generation was recorded already.
        case unchanged
    }

    /// Records `generation` for the object and says what was recorded before.
    func record(_ generation: Int64, for key: ObjectKey, uid: String?) -> Recorded {
        entries.withLock { entries in
            let previous = entries[key].flatMap { $0.uid == uid ? $0.generation : nil }
            if previous == generation { return .unchanged }
            entries[key] = Entry(uid: uid, generation: generation)
            return previous == nil ? .first : .newGeneration
        }
    }

    func forget(_ key: ObjectKey) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }
}
