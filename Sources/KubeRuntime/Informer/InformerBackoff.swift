/// Exponential backoff with jitter for an informer's retries, with client-go's reflector values
/// (which kube-rs's `DefaultBackoff` shares): 800 ms doubling to at most 30 s, each delay
/// stretched by up to `jitterFraction` of itself (client-go `wait.Jitter(d, 1.0)`: [d, 2d)).
/// The random source is injected so tests get exact delays.
public struct InformerBackoff: Sendable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var factor: Double
    public var jitterFraction: Double
    private let random: @Sendable () -> Double
    private var failures = 0

    /// - Parameter random: returns a value in `0..<1`; uniform random by default.
    public init(
        initialDelay: Duration = .milliseconds(800),
        maximumDelay: Duration = .seconds(30),
        factor: Double = 2,
        jitterFraction: Double = 1,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.factor = factor
        self.jitterFraction = jitterFraction
        self.random = random
    }

    /// The delay before the next attempt; each call counts one more consecutive failure.
    public mutating func nextDelay() -> Duration {
        let exponential = initialDelay.inSeconds * pow(factor, failures)
        failures += 1
        let base = min(exponential, maximumDelay.inSeconds)
        let jittered = base * (1 + jitterFraction * random())
        return .nanoseconds(Int64((jittered * 1e9).rounded()))
    }

    /// Forgets past failures, after a success.
    public mutating func reset() {
        failures = 0
    }

    private func pow(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<min(exponent, 64) { result *= base }
        return result
    }
}
