import Synchronization

/// A re-armable wake-up for a single waiting task (a binary semaphore that never blocks a thread).
///
/// `signal()` before `wait()` is remembered, so a wake-up is never lost between a waiter deciding
/// to sleep and actually suspending. Cancelling the waiting task wakes it too. Spurious wake-ups
/// are possible, so waiters re-check their condition in a loop.
final class WakeUpSignal: Sendable {
    private enum State {
        case idle
        case signalled
        case waiting(CheckedContinuation<Void, Never>)
    }

    private let state = Mutex<State>(.idle)

    init() {}

    func signal() {
        let continuation: CheckedContinuation<Void, Never>? = state.withLock { state in
            switch state {
            case .idle:
                state = .signalled
                return nil
            case .signalled:
                return nil
            case .waiting(let continuation):
                state = .idle
                return continuation
            }
        }
        continuation?.resume()
    }

    /// Suspends until `signal()` or cancellation; returns at once if a signal is pending.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow: Bool = state.withLock { state in
                    switch state {
                    case .signalled:
                        state = .idle
                        return true
                    case .idle:
                        if Task.isCancelled { return true }
                        state = .waiting(continuation)
                        return false
                    case .waiting:
                        preconditionFailure("WakeUpSignal supports a single waiter")
                    }
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            signal()
        }
    }
}
