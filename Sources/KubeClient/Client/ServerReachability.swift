import Synchronization

// Whether a client's API server answers, and a way to wait for it to answer again.
//
// Every transport failure of a client (connect refused, reset, TLS, timeout, a watch stream cut
// off) opens an outage, unless one is already open. While an outage is open one probe per
// client — `GET /readyz` — asks the server every 250 ms, then every 500 ms, then every second;
// the first answer below 500 closes the outage and wakes everyone waiting for it. Informers and
// controllers wait for that instead of sleeping out backoffs that grew while the server was
// away, so a fleet converges within about a second of its API server coming back, with one
// cheap request per second per client against a server that stays away.
//
// A server that keeps failing keeps its backoff: an outage that opens within `flapWindow` of
// the previous one's end counts as a flap, and each flap doubles the probe's first delay (up to
// `maximumFlapDelay`), so clients of a server that accepts connections and drops them again do
// not reconnect in a tight loop. Waiters also keep their own backoff: they wait for the earlier of
// their delay and the outage's end.

/// The reachability of one API server as one client sees it.
public final class ServerReachability: Sendable {
    /// Probe timing.
    public struct Schedule: Sendable, Hashable {
        /// Delay before the first probe of an outage that is not a flap.
        public var firstProbe: Duration
        /// Probes are spaced at most this far apart (the delay doubles up to it).
        public var probeInterval: Duration
        /// An outage opening this soon after the previous one closed is a flap.
        public var flapWindow: Duration
        /// The first probe's delay doubles per consecutive flap, up to this.
        public var maximumFlapDelay: Duration

        public init(
            firstProbe: Duration = .milliseconds(250), probeInterval: Duration = .seconds(1), flapWindow: Duration = .seconds(10),
            maximumFlapDelay: Duration = .seconds(30)
        ) {
            self.firstProbe = firstProbe
            self.probeInterval = probeInterval
            self.flapWindow = flapWindow
            self.maximumFlapDelay = maximumFlapDelay
        }
    }

    public typealias Probe = @Sendable () async -> Bool

    private struct State {
        /// The open outage's number; nil while the server answers.
        var open: Int?
        var outages = 0
        var lastClosed: ContinuousClock.Instant?
        var flaps = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
        var probeTask: Task<Void, Never>?
        var probe: Probe?
        var isShutDown = false
    }

    public let schedule: Schedule
    private let state = Mutex(State())

    public init(schedule: Schedule = Schedule(), probe: Probe? = nil) {
        self.schedule = schedule
        state.withLock { $0.probe = probe }
    }

    /// Sets the probe (for owners that can only make it once they exist).
    func install(probe: @escaping Probe) {
        state.withLock { $0.probe = probe }
    }

    /// Whether an outage is open.
    public var isReachable: Bool { state.withLock { $0.open == nil } }

    /// Number of outages so far.
    public var outageCount: Int { state.withLock { $0.outages } }

    /// How many outages in a row opened within `flapWindow` of the previous one's end.
    public var consecutiveFlaps: Int { state.withLock { $0.flaps } }

    /// The delay before the first probe of an outage after `flaps` consecutive flaps.
    public func firstProbeDelay(afterFlaps flaps: Int) -> Duration {
        var delay = schedule.firstProbe
        for _ in 0..<min(flaps, 32) {
            delay *= 2
            if delay >= schedule.maximumFlapDelay { return schedule.maximumFlapDelay }
        }
        return delay
    }

    /// Records a transport failure: opens an outage (and starts probing) unless one is open, and
    /// returns it.
    @discardableResult
    public func failed() -> ServerOutage {
        let (number, startProbe, delay) = state.withLock { state -> (Int, Probe?, Duration) in
            if let open = state.open { return (open, nil, .zero) }
            state.outages += 1
            state.open = state.outages
            if let lastClosed = state.lastClosed, ContinuousClock.now - lastClosed < schedule.flapWindow {
                state.flaps += 1
            } else {
                state.flaps = 0
            }
            guard !state.isShutDown, let probe = state.probe else { return (state.outages, nil, .zero) }
            return (state.outages, probe, firstProbeDelay(afterFlaps: state.flaps))
        }
        if let startProbe {
            let task = Task { await self.probeUntilAnswered(number, probe: startProbe, firstDelay: delay) }
            let stale = state.withLock { state -> Bool in
                guard state.open == number, !state.isShutDown else { return true }
                state.probeTask = task
                return false
            }
            if stale { task.cancel() }
        }
        return ServerOutage(reachability: self, number: number)
    }

    /// Asks the server now whether it answers (one probe): returns the open outage if there is
    /// one, the outage this opens if the server does not answer, and nil if it does. For a
    /// client that suspects the server is going away without a transport failure to show for it
    /// (a watch closed at once, without events).
    public func check() async -> ServerOutage? {
        let (open, probe) = state.withLock { ($0.open, $0.isShutDown ? nil : $0.probe) }
        if let open { return ServerOutage(reachability: self, number: open) }
        guard let probe, !(await probe()) else { return nil }
        return failed()
    }

    /// Closes the open outage (the server answered) and wakes its waiters.
    public func answered() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.open != nil else { return [] }
            state.open = nil
            state.lastClosed = .now
            state.probeTask = nil
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Stops probing and wakes every waiter; later outages are not probed.
    public func shutDown() {
        let (task, waiters) = state.withLock { state -> (Task<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            state.isShutDown = true
            defer {
                state.probeTask = nil
                state.waiters.removeAll()
            }
            return (state.probeTask, Array(state.waiters.values))
        }
        task?.cancel()
        for waiter in waiters { waiter.resume() }
    }

    /// Suspends until outage `number` has closed (or the reachability shut down, or the task is
    /// cancelled).
    func waitUntilClosed(_ number: Int) async {
        let id = state.withLock { state -> Int in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    guard state.open == number, !state.isShutDown, !Task.isCancelled else { return false }
                    state.waiters[id] = continuation
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    func isOpen(_ number: Int) -> Bool {
        state.withLock { $0.open == number }
    }

    private func probeUntilAnswered(_ number: Int, probe: Probe, firstDelay: Duration) async {
        var delay = firstDelay
        while !Task.isCancelled, isOpen(number) {
            // ±20 % so that many clients of one server do not probe in step.
            let jittered = delay * Double.random(in: 0.8..<1.2)
            do { try await Task.sleep(for: jittered) } catch { return }
            guard isOpen(number) else { return }
            if await probe() {
                answered()
                return
            }
            delay = max(delay, min(delay * 2, schedule.probeInterval))
        }
    }
}

/// One period in which a client's API server did not answer.
public struct ServerOutage: Sendable, CustomStringConvertible {
    let reachability: ServerReachability
    /// The outage's number (1 for a client's first).
    public let number: Int

    /// Whether the server has answered since.
    public var hasEnded: Bool { !reachability.isOpen(number) }

    /// Suspends until the server answers again (returns at once if it already has, and when the
    /// client shuts down or the task is cancelled).
    public func ended() async {
        await reachability.waitUntilClosed(number)
    }

    /// Identifies the outage across copies (the client's reachability and the number).
    public var id: ID { ID(reachability: ObjectIdentifier(reachability), number: number) }

    public struct ID: Hashable, Sendable {
        let reachability: ObjectIdentifier
        let number: Int
    }

    public var description: String { "outage #\(number)" }
}
