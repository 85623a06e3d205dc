import KubeModel

// When and how long to wait before retrying a request. Retries happen only where repeating
// the request cannot do harm: reads (GET, LIST, watch establishment) after a transport error
// or a 5xx, and any verb after 429, which the server sends before doing anything.

/// Exponential backoff with jitter (client-go's `wait.Backoff`).
public struct Backoff: Sendable, Hashable {
    /// First delay.
    public var duration: Duration
    /// Each delay is the previous one times `factor`.
    public var factor: Double
    /// Each delay is stretched by a random fraction in `0..<jitter` of itself.
    public var jitter: Double
    /// Number of attempts (the first one included).
    public var steps: Int
    /// Delays never exceed this.
    public var cap: Duration?

    public init(duration: Duration, factor: Double, jitter: Double, steps: Int, cap: Duration? = nil) {
        self.duration = duration
        self.factor = factor
        self.jitter = jitter
        self.steps = steps
        self.cap = cap
    }

    /// client-go's `retry.DefaultRetry`: 5 steps, 10 ms, factor 1, jitter 0.1.
    public static let defaultRetry = Backoff(duration: .milliseconds(10), factor: 1.0, jitter: 0.1, steps: 5)

    /// The delay before attempt `attempt + 1` (attempt counts from 1).
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        var base = duration * pow(factor, Double(max(0, attempt - 1)))
        if let cap, base > cap { base = cap }
        return base + base * (jitter * random)
    }

    private func pow(_ base: Double, _ exponent: Double) -> Double {
        var result = 1.0
        for _ in 0..<Int(exponent) { result *= base }
        return result
    }
}

/// Which failures the client retries, and how often.
public struct RetryPolicy: Sendable, Hashable {
    public var backoff: Backoff
    /// Retry reads (GET, list, watch establishment) after transport errors and 5xx answers.
    public var retriesReads: Bool
    /// Retry any verb after 429, honouring `Retry-After`.
    public var retriesTooManyRequests: Bool
    /// Longest `Retry-After` honoured; longer requests give up instead.
    public var maximumRetryAfter: Duration

    public init(
        backoff: Backoff = Backoff(duration: .milliseconds(200), factor: 2, jitter: 0.5, steps: 5, cap: .seconds(5)),
        retriesReads: Bool = true, retriesTooManyRequests: Bool = true, maximumRetryAfter: Duration = .seconds(30)
    ) {
        self.backoff = backoff
        self.retriesReads = retriesReads
        self.retriesTooManyRequests = retriesTooManyRequests
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// No retries at all.
    public static let never = RetryPolicy(retriesReads: false, retriesTooManyRequests: false)

    /// The decision after a failed attempt: nil to give up, else how long to wait.
    func delay(after error: KubeClientError, attempt: Int, isRead: Bool) -> Duration? {
        guard attempt < backoff.steps else { return nil }
        switch error.kind {
        case .transport:
            return retriesReads && isRead ? backoff.delay(afterAttempt: attempt) : nil
        case .status:
            let code = error.code ?? 0
            if code == 429 {
                guard retriesTooManyRequests else { return nil }
                if let seconds = error.retryAfterSeconds {
                    let wait = Duration.seconds(seconds)
                    return wait <= maximumRetryAfter ? wait : nil
                }
                return backoff.delay(afterAttempt: attempt)
            }
            if code >= 500, retriesReads, isRead {
                if let seconds = error.retryAfterSeconds, .seconds(seconds) <= maximumRetryAfter { return .seconds(seconds) }
                return backoff.delay(afterAttempt: attempt)
            }
            return nil
        case .decoding, .configuration, .credentials:
            return nil
        }
    }
}

/// Runs `update` until it does not fail with a conflict, as client-go's `retry.RetryOnConflict`:
/// re-read the object inside `update`, modify, write. Other errors end at once; after the last
/// attempt the conflict is rethrown.
public func retryOnConflict<T: Sendable>(
    backoff: Backoff = .defaultRetry, clock: some Clock<Duration> = ContinuousClock(),
    _ update: () async throws -> T
) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await update()
        } catch let error as KubeClientError where error.isConflict && attempt < backoff.steps {
            try await clock.sleep(for: backoff.delay(afterAttempt: attempt))
            attempt += 1
        }
    }
}
