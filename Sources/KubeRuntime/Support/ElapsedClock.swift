// Every timed piece of KubeRuntime (queue delays, rate limiters, informer backoff, metrics) reads
// time through this one erasure, so tests can drive all of it with a manual clock.

/// A clock reduced to "time elapsed since an origin", as a `Duration`.
///
/// Erasing the clock's `Instant` type keeps public types such as `WorkQueue<Key>` generic only
/// over what users care about, while still accepting any `Clock<Duration>` (the default
/// `ContinuousClock`, or a manual clock in tests). Offsets are monotonic as long as the wrapped
/// clock is.
struct ElapsedClock: Sendable {
    private let readNow: @Sendable () -> Duration
    private let sleepUntil: @Sendable (Duration) async throws -> Void

    /// Starts measuring at `clock.now`.
    init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        readNow = { origin.duration(to: clock.now) }
        sleepUntil = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    /// Time elapsed since the origin.
    var now: Duration { readNow() }

    /// Sleeps until `deadline` (an offset from the origin); returns at once if it has passed.
    /// Throws `CancellationError` when the calling task is cancelled.
    func sleep(until deadline: Duration) async throws {
        try await sleepUntil(deadline)
    }

    func sleep(for duration: Duration) async throws {
        try await sleepUntil(now + duration)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`, for metrics and jitter arithmetic.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Nanoseconds, saturating at `Int64.max`, for swift-metrics timers.
    var inNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (high, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return high.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
