import Foundation
import KubeClient
import KubeModel
import Synchronization

// The benchmarks' clock on the far side: one watch keeps a snapshot of a collection and, on every
// event, checks the expectations still pending against it, stamping the moment each first holds.
// Timestamps come from the same process clock as the writes that cause them.

final class WatchObserver<Object: Resource>: Sendable {
    private struct Pending {
        var started: ContinuousClock.Instant
        var holds: @Sendable ([String: Object]) -> Bool
        var done: CheckedContinuation<Duration, Never>?
        var result: Duration?
    }

    private struct State {
        var snapshot: [String: Object] = [:]
        var pending: [Int: Pending] = [:]
        var nextID = 0
    }

    /// The mutex in a reference the watch task and `wait` can share.
    private final class Locked: Sendable {
        let mutex = Mutex(State())
        func withLock<T>(_ body: (inout State) -> T) -> T { mutex.withLock { body(&$0) } }
    }

    private let state = Locked()
    private let task: Task<Void, Never>

    /// Starts watching `api` (after listing it) in the background.
    init(_ api: ResourceAPI<Object>) async throws {
        let list = try await api.list()
        let initial = Dictionary(uniqueKeysWithValues: list.items.map { ($0.metadata.name ?? "", $0) })
        let state = self.state
        state.withLock { $0.snapshot = initial }
        var resourceVersion = list.metadata.resourceVersion
        task = Task {
            while !Task.isCancelled {
                do {
                    let stream = try await api.watch(resourceVersion: resourceVersion, timeoutSeconds: 3600)
                    for try await event in stream {
                        let now = ContinuousClock.now
                        guard let object = event.object else { continue }
                        resourceVersion = object.metadata.resourceVersion ?? resourceVersion
                        let name = object.metadata.name ?? ""
                        let finished: [(CheckedContinuation<Duration, Never>, Duration)] = state.withLock { state in
                            if case .deleted = event { state.snapshot[name] = nil } else { state.snapshot[name] = object }
                            var finished: [(CheckedContinuation<Duration, Never>, Duration)] = []
                            for (id, pending) in state.pending where pending.result == nil && pending.holds(state.snapshot) {
                                let latency = now - pending.started
                                state.pending[id]?.result = latency
                                if let continuation = pending.done {
                                    finished.append((continuation, latency))
                                    state.pending[id] = nil
                                }
                            }
                            return finished
                        }
                        for (continuation, latency) in finished { continuation.resume(returning: latency) }
                    }
                } catch {
                    if Task.isCancelled { return }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    /// Registers an expectation now (call it right before the write that should cause it).
    func expect(_ holds: @escaping @Sendable ([String: Object]) -> Bool) -> Int {
        let now = ContinuousClock.now
        return state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.pending[id] = Pending(started: now, holds: holds, done: nil, result: nil)
            return id
        }
    }

    /// Waits until expectation `id` holds (up to `timeout`); returns its latency, nil on timeout.
    func wait(_ id: Int, timeout: Duration = .seconds(60)) async -> Duration? {
        let timer = Task { [state] in
            try? await Task.sleep(for: timeout)
            let continuation: CheckedContinuation<Duration, Never>? = state.withLock { state in
                guard let pending = state.pending[id], pending.result == nil else { return nil }
                state.pending[id] = nil
                return pending.done
            }
            continuation?.resume(returning: .seconds(-1))
        }
        defer { timer.cancel() }
        let latency = await withCheckedContinuation { (continuation: CheckedContinuation<Duration, Never>) in
            let ready: Duration? = state.withLock { state in
                guard let pending = state.pending[id] else { return .seconds(-1) }
                if let result = pending.result {
                    state.pending[id] = nil
                    return result
                }
                if pending.holds(state.snapshot) {
                    state.pending[id] = nil
                    return ContinuousClock.now - pending.started
                }
                state.pending[id]?.done = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return latency < .zero ? nil : latency
    }

    func stop() {
        task.cancel()
    }
}
