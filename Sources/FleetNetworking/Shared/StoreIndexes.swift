import KubeModel
import KubeRuntime
import Synchronization

// Secondary indexes on shared informer stores, registered once per store however many
// controllers ask for them. Controllers of different groups (member-net, mcs) may share one
// process and one SharedInformers, and `InformerStore.addIndex` refuses a second registration of
// a name, so every controller registers its indexes through `ensureIndex`.

extension InformerStore {
    /// Registers `function` under `name` unless this store already has an index of that name
    /// (registered through this method), and returns the store.
    @discardableResult
    public func ensureIndex(named name: String, _ function: @escaping IndexFunction) -> InformerStore<Object> {
        // Registered under the registry's lock, so no caller sees the name claimed but missing.
        StoreIndexRegistry.shared.claim(store: self, index: name) { addIndex(named: name, function) }
        return self
    }
}

/// Which index names were registered on which stores. Stores are tracked weakly, so a store that
/// is gone (and whose identity may be reused) does not shadow a new one.
final class StoreIndexRegistry: Sendable {
    static let shared = StoreIndexRegistry()

    private struct Entry {
        weak var store: (AnyObject & Sendable)?
        var names: Set<String>
    }

    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// Records `index` on `store` and runs `register` if it was not recorded before.
    func claim(store: AnyObject & Sendable, index: String, register: () -> Void) {
        entries.withLock { entries in
            let id = ObjectIdentifier(store)
            if var entry = entries[id], entry.store === store {
                guard !entry.names.contains(index) else { return }
                entry.names.insert(index)
                entries[id] = entry
            } else {
                // Drop entries of stores that no longer exist while we are here.
                entries = entries.filter { $0.value.store != nil }
                entries[id] = Entry(store: store, names: [index])
            }
            register()
        }
    }
}
