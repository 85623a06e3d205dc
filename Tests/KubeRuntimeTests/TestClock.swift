import Synchronization

/// A manual clock for tests: time stands still until `advance(by:)` moves it, which resumes every
/// sleeper whose deadline has been reached, in deadline order.
///
/// Tests synchronise with code under test through `waitForSleeper(until:)` — "suspend until
/// someone is sleeping until this instant" — instead of timing anything with real sleeps.
/// Sleeping honours cancellation (throws `CancellationError`), as `ContinuousClock` does.
final class TestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        /// Time since the clock's origin.
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>?
    }

    private struct Observer {
        var predicate: @Sendable ([Duration]) -> Bool
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Duration = .zero
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var observers: [Observer] = []

        /// Removes and returns the observers whose predicate now holds.
        mutating func satisfiedObservers() -> [CheckedContinuation<Void, Never>] {
            let deadlines = sleepers.values.filter { $0.continuation != nil }.map(\.deadline)
            var satisfied: [CheckedContinuation<Void, Never>] = []
            observers.removeAll { observer in
                guard observer.predicate(deadlines) else { return false }
                satisfied.append(observer.continuation)
                return true
            }
            return satisfied
        }
    }

    private let state = Mutex(State())

    init() {}

    var now: Instant { Instant(offset: state.withLock { $0.now }) }
    var minimumResolution: Duration { .zero }

    /// Time elapsed since the clock was created.
    var elapsed: Duration { state.withLock { $0.now } }

    func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id: Int? = state.withLock { state in
            guard deadline.offset > state.now else { return nil }
            defer { state.nextID += 1 }
            state.sleepers[state.nextID] = Sleeper(deadline: deadline.offset)
            return state.nextID
        }
        guard let id else {
            try Task.checkCancellation()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resumeNow, observers): (Bool, [CheckedContinuation<Void, Never>]) = state.withLock { state in
                    // Cancelled (entry removed) or already due (advanced meanwhile).
                    guard let sleeper = state.sleepers[id] else { return (true, []) }
                    if sleeper.deadline <= state.now {
                        state.sleepers[id] = nil
                        return (true, [])
                    }
                    state.sleepers[id]?.continuation = continuation
                    return (false, state.satisfiedObservers())
                }
                for observer in observers { observer.resume() }
                if resumeNow {
                    if Task.isCancelled {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume()
                    }
                }
            }
        } onCancel: {
            let continuation = state.withLock { $0.sleepers.removeValue(forKey: id)?.continuation }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and resumes every sleeper whose deadline has been reached.
    func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            state.now += duration
            let now = state.now
            let dueEntries = state.sleepers.filter { $0.value.deadline <= now && $0.value.continuation != nil }
                .sorted { $0.value.deadline < $1.value.deadline }
            for (id, _) in dueEntries { state.sleepers[id] = nil }
            return dueEntries.compactMap(\.value.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    /// Moves time forward to `offset` since the origin (no-op if already there).
    func advance(to offset: Duration) {
        let now = elapsed
        if offset > now { advance(by: offset - now) }
    }

    /// Suspends until some task is sleeping until exactly `offset` (since the origin).
    func waitForSleeper(until offset: Duration) async {
        await waitForSleepers { $0.contains(offset) }
    }

    /// Suspends until the deadlines of the current sleepers satisfy `predicate`.
    func waitForSleepers(where predicate: @escaping @Sendable ([Duration]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let satisfied = state.withLock { state in
                state.observers.append(Observer(predicate: predicate, continuation: continuation))
                return state.satisfiedObservers()
            }
            for observer in satisfied { observer.resume() }
        }
    }

    /// Deadlines of the tasks sleeping right now.
    var sleeperDeadlines: [Duration] {
        state.withLock { $0.sleepers.values.filter { $0.continuation != nil }.map(\.deadline).sorted() }
    }
}
