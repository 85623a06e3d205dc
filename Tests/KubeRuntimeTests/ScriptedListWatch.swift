import KubeModel
import Synchronization

@testable import KubeRuntime

/// A test double of the network boundary: each `list()` / `watch(resourceVersion:)` call takes
/// the next scripted reply, and records what was asked. When the script is exhausted, the call
/// suspends until the calling task is cancelled, so a test can inspect a quiescent informer.
final class ScriptedListWatch<Object: Resource>: ListWatch, Sendable {
    enum ListReply: Sendable {
        case items([Object], resourceVersion: String)
        case failure(any Error)
    }

    enum WatchReply: Sendable {
        /// Delivers the events, then closes the stream normally.
        case events([ListWatchEvent<Object>])
        /// Delivers the events, then fails the stream with the error.
        case eventsThenFailure([ListWatchEvent<Object>], any Error)
        /// Opening the watch fails.
        case failure(any Error)
        /// The watch stays open, without events, until the test closes it through the handle.
        case held(HeldWatch)
    }

    /// A watch the test closes when it likes.
    final class HeldWatch: Sendable {
        private struct State {
            var continuation: AsyncThrowingStream<ListWatchEvent<Object>, any Error>.Continuation?
            var isClosed = false
        }
        private let state = Mutex(State())

        func attach(_ continuation: AsyncThrowingStream<ListWatchEvent<Object>, any Error>.Continuation) {
            let closed = state.withLock { state -> Bool in
                state.continuation = continuation
                return state.isClosed
            }
            if closed { continuation.finish() }
        }

        /// Ends the watch normally (also when it is called before the watch is attached).
        func close() {
            let continuation = state.withLock { state in
                state.isClosed = true
                return state.continuation
            }
            continuation?.finish()
        }
    }

    private struct State {
        var lists: [ListReply] = []
        var watches: [WatchReply] = []
        var calls: [String] = []
        var callObservers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    init(lists: [ListReply], watches: [WatchReply]) {
        state.withLock {
            $0.lists = lists
            $0.watches = watches
        }
    }

    /// Calls so far, as `list` or `watch <resourceVersion>`.
    var calls: [String] { state.withLock { $0.calls } }

    /// Suspends until at least `count` calls have been made.
    func waitForCalls(_ count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready: Bool = state.withLock { state in
                if state.calls.count >= count { return true }
                state.callObservers.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func list() async throws -> ListResult<Object> {
        guard let reply = record("list", take: { $0.lists.isEmpty ? nil : $0.lists.removeFirst() }) else {
            try await suspendUntilCancelled()
        }
        switch reply {
        case .items(let items, let resourceVersion): return ListResult(items: items, resourceVersion: resourceVersion)
        case .failure(let error): throw error
        }
    }

    func watch(resourceVersion: String) async throws -> AsyncThrowingStream<ListWatchEvent<Object>, any Error> {
        guard let reply = record("watch \(resourceVersion)", take: { $0.watches.isEmpty ? nil : $0.watches.removeFirst() }) else {
            try await suspendUntilCancelled()
        }
        let (stream, continuation) = AsyncThrowingStream<ListWatchEvent<Object>, any Error>.makeStream()
        switch reply {
        case .events(let events):
            for event in events { continuation.yield(event) }
            continuation.finish()
        case .eventsThenFailure(let events, let error):
            for event in events { continuation.yield(event) }
            continuation.finish(throwing: error)
        case .failure(let error):
            throw error
        case .held(let handle):
            handle.attach(continuation)
        }
        return stream
    }

    private func record<Reply>(_ call: String, take: (inout State) -> Reply?) -> Reply? {
        let (reply, observers) = state.withLock { state in
            state.calls.append(call)
            let count = state.calls.count
            let ready = state.callObservers.filter { $0.count <= count }.map(\.continuation)
            state.callObservers.removeAll { $0.count <= count }
            return (take(&state), ready)
        }
        for observer in observers { observer.resume() }
        return reply
    }

    private func suspendUntilCancelled() async throws -> Never {
        // Iterating a stream nobody finishes suspends until the task is cancelled.
        let (stream, continuation) = AsyncStream<Never>.makeStream()
        for await _ in stream {}
        continuation.finish()  // keeps the continuation, and so the stream, alive until here
        throw CancellationError()
    }
}

struct TestNetworkError: Error, Equatable {}
