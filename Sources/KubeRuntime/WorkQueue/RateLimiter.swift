// Rate limiters decide how long a failed key waits before its next attempt. They are pure values
// owned by one WorkQueue (mutated only inside the queue's actor), and read time as a `Duration`
// offset passed in by the queue, so they are tested without any clock at all.

/// Decides the delay before a key is retried (client-go `workqueue.TypedRateLimiter`).
///
/// `delay(for:now:)` records one more failure of `key` and returns how long to wait;
/// `forget(_:)` ends tracking of `key` (call it once a key succeeds or is given up on);
/// `numberOfRequeues(of:)` counts failures recorded since the last `forget`.
public protocol RateLimiter<Key>: Sendable {
    associatedtype Key: Hashable & Sendable

    /// Records a failure of `key` and returns the delay before it may be processed again.
    /// - Parameter now: time elapsed since the owning queue was created.
    mutating func delay(for key: Key, now: Duration) -> Duration
    /// Stops tracking `key`: its next failure starts from the base delay again.
    mutating func forget(_ key: Key)
    /// Failures of `key` recorded since it was last forgotten.
    func numberOfRequeues(of key: Key) -> Int
}

/// Per-key exponential backoff: `baseDelay * 2^failures`, capped at `maxDelay`
/// (client-go `ItemExponentialFailureRateLimiter`).
///
/// With the defaults the delays are 5 ms, 10 ms, 20 ms, … up to 60 s. client-go's controller
/// default caps at 1000 s; 60 s is this project's choice so a fixed fault is retried within a minute.
public struct ExponentialBackoffRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let baseDelay: Duration
    public let maxDelay: Duration
    private var failures: [Key: Int] = [:]

    public init(baseDelay: Duration = .milliseconds(5), maxDelay: Duration = .seconds(60)) {
        precondition(baseDelay > .zero && maxDelay >= baseDelay, "need 0 < baseDelay <= maxDelay")
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    public mutating func delay(for key: Key, now: Duration) -> Duration {
        let exponent = failures[key, default: 0]
        failures[key] = exponent + 1
        // Doubling in floating point cannot overflow; compare before converting back.
        let seconds = baseDelay.inSeconds * pow2(exponent)
        if exponent >= 62 || seconds >= maxDelay.inSeconds { return maxDelay }
        return baseDelay * (1 << exponent)
    }

    public mutating func forget(_ key: Key) {
        failures[key] = nil
    }

    public func numberOfRequeues(of key: Key) -> Int {
        failures[key, default: 0]
    }

    private func pow2(_ exponent: Int) -> Double {
        exponent >= 1024 ? .infinity : Double(sign: .plus, exponent: exponent, significand: 1)
    }
}

/// An overall token bucket shared by all keys (client-go `BucketRateLimiter`, which wraps
/// `golang.org/x/time/rate`): the bucket starts full with `burst` tokens and refills at
/// `tokensPerSecond`; every call takes one token, and when none is left the caller waits for the
/// token it has reserved. It never tracks keys, so `forget` does nothing and requeues are 0.
public struct TokenBucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    public let tokensPerSecond: Double
    public let burst: Int
    private var tokens: Double
    private var lastUpdate: Duration = .zero

    /// Defaults are client-go's controller defaults: 10 qps, burst 100.
    public init(tokensPerSecond: Double = 10, burst: Int = 100) {
        precondition(tokensPerSecond > 0 && burst > 0, "need a positive rate and burst")
        self.tokensPerSecond = tokensPerSecond
        self.burst = burst
        tokens = Double(burst)
    }

    public mutating func delay(for key: Key, now: Duration) -> Duration {
        if now > lastUpdate {
            tokens = min(Double(burst), tokens + (now - lastUpdate).inSeconds * tokensPerSecond)
            lastUpdate = now
        }
        tokens -= 1
        if tokens >= 0 { return .zero }
        return .nanoseconds(Int64((-tokens / tokensPerSecond * 1e9).rounded(.up)))
    }

    public mutating func forget(_ key: Key) {}

    public func numberOfRequeues(of key: Key) -> Int { 0 }
}

/// Asks every limiter and waits for the longest delay (client-go `MaxOfRateLimiter`).
/// `numberOfRequeues` is the largest count any limiter reports.
public struct MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    private var limiters: [any RateLimiter<Key>]

    public init(_ limiters: [any RateLimiter<Key>]) {
        precondition(!limiters.isEmpty, "MaxOfRateLimiter needs at least one limiter")
        self.limiters = limiters
    }

    public init(_ limiters: any RateLimiter<Key>...) {
        self.init(limiters)
    }

    /// controller-runtime's default: per-key exponential backoff (5 ms doubling, capped at 60 s
    /// here) combined with an overall 10 qps / burst 100 token bucket.
    public static func controllerDefault() -> MaxOfRateLimiter<Key> {
        MaxOfRateLimiter(ExponentialBackoffRateLimiter<Key>(), TokenBucketRateLimiter<Key>())
    }

    public mutating func delay(for key: Key, now: Duration) -> Duration {
        var longest = Duration.zero
        for index in limiters.indices {
            longest = max(longest, limiters[index].delay(for: key, now: now))
        }
        return longest
    }

    public mutating func forget(_ key: Key) {
        for index in limiters.indices { limiters[index].forget(key) }
    }

    public func numberOfRequeues(of key: Key) -> Int {
        limiters.map { $0.numberOfRequeues(of: key) }.max() ?? 0
    }
}
