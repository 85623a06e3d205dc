// The reconcile contract (controller-runtime pkg/reconcile): a request is only a key — the
// reconciler reads current state from caches, so it is level-based and idempotent.

/// Drives the objects named by requests towards their desired state.
///
/// Contract: `reconcile` may be called any number of times for the same request, including
/// after the object is gone (it must then clean up or do nothing); calls for one request never
/// overlap (the work queue guarantees it); calls for different requests run concurrently up to
/// the controller's worker count. Awaits inside are cancellation points during shutdown.
public protocol Reconciler<Request>: Sendable {
    associatedtype Request: Hashable & Sendable = ObjectKey

    /// Returns what to do next with `request`. Throwing requeues it with rate-limited backoff,
    /// unless the error is a `TerminalError`.
    func reconcile(_ request: Request) async throws -> ReconcileResult
}

/// What a successful reconcile asks of the controller.
public enum ReconcileResult: Sendable, Hashable {
    /// Done until something changes: the key's backoff history is forgotten.
    case done
    /// Reconcile again after `after` (a timed safety net; the backoff history is forgotten).
    case requeue(after: Duration)
    /// Reconcile again with the rate limiter's backoff, without reporting an error
    /// (controller-runtime's deprecated `Result{Requeue: true}`).
    case requeueWithBackoff
}

/// An error retrying cannot fix (bad spec, forbidden field): the controller records it and does
/// not requeue. Wait for the object to change instead.
public struct TerminalError: Error, CustomStringConvertible {
    public let underlying: any Error

    public init(_ underlying: any Error) {
        self.underlying = underlying
    }

    public var description: String { "terminal error: \(underlying)" }
}
