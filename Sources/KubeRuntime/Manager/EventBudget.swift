import Synchronization

/// How many Normal events a recorder writes: a token bucket that starts full with `burst` events
/// and refills at `perSecond`; a Normal event emitted with no token left is dropped (counted,
/// never queued). Warnings are never limited. client-go limits events per object (25, then one
/// per 5 minutes) and kube-apiserver's EventRateLimit admission per server; this bound is per
/// recorder, so that a cold start with thousands of changes — a hub restart, a member joining a
/// busy fleet — does not write an Event for every object on the way, while a fleet changing at
/// human pace never loses one.
public final class EventBudget: Sendable {
    public let burst: Int
    public let perSecond: Double

    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
        var dropped: Int = 0
    }

    private let state: Mutex<State>

    /// Defaults: 100 at once, then 10 per second (client-go's controller work-queue rates).
    public init(burst: Int = 100, perSecond: Double = 10) {
        precondition(burst > 0 && perSecond > 0, "an event budget needs a positive burst and rate")
        self.burst = burst
        self.perSecond = perSecond
        state = Mutex(State(tokens: Double(burst), last: .now))
    }

    /// Takes a token if one is left; false (and the drop counted) when none is.
    public func take() -> Bool {
        let now = ContinuousClock.now
        return state.withLock { state in
            let elapsed = state.last.duration(to: now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(Double(burst), state.tokens + seconds * perSecond)
            state.last = now
            guard state.tokens >= 1 else {
                state.dropped += 1
                return false
            }
            state.tokens -= 1
            return true
        }
    }

    /// Normal events dropped so far.
    public var dropped: Int { state.withLock { $0.dropped } }
}
