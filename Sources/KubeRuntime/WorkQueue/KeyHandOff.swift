import Synchronization

/// One suspended `WorkQueue.get()` call: the queue resumes it with a key, or with `nil` on
/// shutdown; cancelling the waiting task resumes it with `nil` straight away.
///
/// The continuation sits behind a mutex so that the cancellation handler (which runs outside the
/// queue's actor) and the queue can race to resume it; whoever takes it first wins, and the queue
/// learns from `deliver` whether the key was actually handed over.
final class KeyHandOff<Key: Sendable>: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Key?, Never>)
        case finished
    }

    private let state = Mutex<State>(.pending)

    init() {}

    /// Installs the continuation; resumes it with `nil` at once if cancellation came first.
    func install(_ continuation: CheckedContinuation<Key?, Never>) {
        let cancelledAlready: Bool = state.withLock { state in
            switch state {
            case .pending:
                state = .waiting(continuation)
                return false
            case .finished:
                return true
            case .waiting:
                preconditionFailure("KeyHandOff installed twice")
            }
        }
        if cancelledAlready { continuation.resume(returning: nil) }
    }

    /// Resumes the waiter with `value`. Returns false if the waiter had already been cancelled
    /// (or not yet installed), in which case the caller keeps the key.
    func deliver(_ value: Key?) -> Bool {
        let continuation: CheckedContinuation<Key?, Never>? = state.withLock { state in
            guard case .waiting(let continuation) = state else { return nil }
            state = .finished
            return continuation
        }
        continuation?.resume(returning: value)
        return continuation != nil
    }

    /// Called from the cancellation handler.
    func cancel() {
        let continuation: CheckedContinuation<Key?, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .finished
                return nil
            case .waiting(let continuation):
                state = .finished
                return continuation
            case .finished:
                return nil
            }
        }
        continuation?.resume(returning: nil)
    }
}
