import KubeClient
import Synchronization

/// Requests whose reconcile failed because an API server did not answer, grouped by the outage
/// they fell into. Each request also waits for its rate-limited retry as usual; when the outage
/// ends (the client's probe saw the server answer) every request parked on it is retried at once.
/// One task per open outage, not per request.
final class OutageParking<Key: Hashable & Sendable>: Sendable {
    private let queue: WorkQueue<Key>
    private let waiting = Mutex([ServerOutage.ID: Set<Key>]())
    private let outages: AsyncStream<ServerOutage>
    private let newOutage: AsyncStream<ServerOutage>.Continuation

    init(queue: WorkQueue<Key>) {
        self.queue = queue
        (outages, newOutage) = AsyncStream.makeStream(of: ServerOutage.self)
    }

    /// Retries `key` as soon as `outage` ends (as well as on its backoff).
    func park(_ key: Key, until outage: ServerOutage) {
        let isNew = waiting.withLock { waiting -> Bool in
            let isNew = waiting[outage.id] == nil
            waiting[outage.id, default: []].insert(key)
            return isNew
        }
        if isNew { newOutage.yield(outage) }
    }

    /// Waits for the ends of parked outages until `finish()` or cancellation.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await outage in outages {
                group.addTask {
                    await outage.ended()
                    let keys = self.waiting.withLock { $0.removeValue(forKey: outage.id) } ?? []
                    guard !Task.isCancelled else { return }
                    await self.queue.addWaitingNow(keys)
                }
            }
            group.cancelAll()
        }
    }

    /// Ends `run()` (the controller is stopping).
    func finish() {
        newOutage.finish()
    }
}
