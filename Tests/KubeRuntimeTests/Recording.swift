import Synchronization

/// A thread-safe list tests append to from handlers and reconcilers, and read afterwards.
final class Recording<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])

    init() {}

    func append(_ element: Element) {
        storage.withLock { $0.append(element) }
    }

    var values: [Element] { storage.withLock { $0 } }
}
