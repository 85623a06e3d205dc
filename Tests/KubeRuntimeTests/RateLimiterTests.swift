import Testing

@testable import KubeRuntime

@Suite("Rate limiters")
struct RateLimiterTests {
    @Test("per-key exponential backoff doubles from 5 ms and is capped at 60 s")
    func exponentialBackoffSequence() {
        var limiter = ExponentialBackoffRateLimiter<String>()
        let delays = (0..<16).map { _ in limiter.delay(for: "a", now: .zero) }
        let expected: [Duration] = [
            .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80),
            .milliseconds(160), .milliseconds(320), .milliseconds(640), .milliseconds(1280),
            .milliseconds(2560), .milliseconds(5120), .milliseconds(10240), .milliseconds(20480),
            .milliseconds(40960), .seconds(60), .seconds(60),
        ]
        #expect(delays == expected)
        #expect(limiter.numberOfRequeues(of: "a") == 16)
    }

    @Test("backoff stays at the cap however many failures accumulate")
    func exponentialBackoffNeverOverflows() {
        var limiter = ExponentialBackoffRateLimiter<String>(baseDelay: .nanoseconds(1), maxDelay: .seconds(1000))
        var last = Duration.zero
        for _ in 0..<200 { last = limiter.delay(for: "a", now: .zero) }
        #expect(last == .seconds(1000))
    }

    @Test("backoff is tracked per key and forget resets it")
    func exponentialBackoffPerKeyAndForget() {
        var limiter = ExponentialBackoffRateLimiter<String>()
        _ = limiter.delay(for: "a", now: .zero)
        _ = limiter.delay(for: "a", now: .zero)
        #expect(limiter.delay(for: "b", now: .zero) == .milliseconds(5))
        #expect(limiter.numberOfRequeues(of: "a") == 2)
        limiter.forget("a")
        #expect(limiter.numberOfRequeues(of: "a") == 0)
        #expect(limiter.delay(for: "a", now: .zero) == .milliseconds(5))
    }

    @Test("the token bucket allows a burst, then spaces calls at its rate")
    func tokenBucketBurstThenRate() {
        var limiter = TokenBucketRateLimiter<String>(tokensPerSecond: 10, burst: 3)
        let burst = (0..<3).map { limiter.delay(for: "k\($0)", now: .zero) }
        #expect(burst == [.zero, .zero, .zero])
        #expect(limiter.delay(for: "x", now: .zero) == .milliseconds(100))
        #expect(limiter.delay(for: "y", now: .zero) == .milliseconds(200))
        // 500 ms later five tokens have come back, two of which repay the reservations.
        #expect(limiter.delay(for: "z", now: .milliseconds(500)) == .zero)
        #expect(limiter.numberOfRequeues(of: "x") == 0)
    }

    @Test("the token bucket refills no further than its burst")
    func tokenBucketRefillIsCapped() {
        var limiter = TokenBucketRateLimiter<String>(tokensPerSecond: 10, burst: 2)
        let afterIdle = (0..<3).map { _ in limiter.delay(for: "a", now: .seconds(3600)) }
        #expect(afterIdle == [.zero, .zero, .milliseconds(100)])
    }

    @Test("client-go's default bucket allows 100 immediate calls at 10 qps")
    func tokenBucketDefaults() {
        var limiter = TokenBucketRateLimiter<Int>()
        let delays = (0..<101).map { limiter.delay(for: $0, now: .zero) }
        #expect(delays.prefix(100).allSatisfy { $0 == .zero })
        #expect(delays[100] == .milliseconds(100))
    }

    @Test("max-of waits for the longest delay and forwards forget to every limiter")
    func maxOfCombinesLimiters() {
        var limiter = MaxOfRateLimiter<String>(
            ExponentialBackoffRateLimiter(baseDelay: .milliseconds(5), maxDelay: .seconds(60)),
            TokenBucketRateLimiter(tokensPerSecond: 1, burst: 1)
        )
        #expect(limiter.delay(for: "a", now: .zero) == .milliseconds(5))
        #expect(limiter.delay(for: "a", now: .zero) == .seconds(1), "the empty bucket dominates")
        #expect(limiter.numberOfRequeues(of: "a") == 2)
        limiter.forget("a")
        #expect(limiter.numberOfRequeues(of: "a") == 0)
    }
}
