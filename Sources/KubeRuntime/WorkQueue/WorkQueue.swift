import DequeModule
import Metrics

/// A rate-limited, delaying work queue of keys with client-go `workqueue` semantics.
///
/// Guarantees:
/// - **Deduplication.** A key is queued at most once however often it is added before a worker
///   takes it (the *dirty* set).
/// - **Exclusivity.** A key handed out by `get()` is not handed out again until `done(_:)` is
///   called for it (the *processing* set). Adding it meanwhile marks it dirty; `done` then queues
///   it again, so the change is never lost and never processed concurrently.
/// - **Order.** Ready keys are handed out first in, first out; waiting `get()` calls are served in
///   arrival order.
/// - **Delays.** `add(_:after:)` queues a key once the delay has passed; if the key is already
///   waiting, the earlier deadline wins. `addRateLimited(_:)` delays by the rate limiter's answer.
///   Delayed adds only fire while `run()` is running (the owner — usually `Controller` — runs it).
/// - **Shutdown.** After `shutDown()` adds are ignored, delayed keys are dropped, and `get()`
///   keeps handing out keys already queued, then returns `nil`. `shutDownWithDrain()` also waits
///   until every handed-out key is `done`.
///
/// Time comes from the injected clock, so tests drive delays and metrics with a manual clock.
/// Delayed keys are kept in a dictionary and the earliest deadline is found by a linear scan when
/// the set changes; that is fine for thousands of keys, not millions.
public actor WorkQueue<Key: Hashable & Sendable> {
    /// The name used as the `name` dimension of the queue's metrics.
    public nonisolated let name: String

    private let clock: ElapsedClock
    private var rateLimiter: any RateLimiter<Key>
    /// Backoff for keys whose write lost an optimistic-concurrency race (see `addAfterWriteRace`).
    private var raceBackoff = ExponentialBackoffRateLimiter<Key>(baseDelay: .milliseconds(5), maxDelay: .seconds(1))
    private let metrics: WorkQueueMetrics
    private let unfinishedWorkUpdatePeriod: Duration

    private var queue: Deque<Key> = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var waiters: Deque<KeyHandOff<Key>> = []
    /// Delayed keys and when they become ready (offsets on `clock`).
    private var delayed: [Key: Duration] = [:]
    private var addedAt: [Key: Duration] = [:]
    private var processingSince: [Key: Duration] = [:]
    private var isShuttingDownFlag = false
    private var isDraining = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private let delayLoopWakeUp = WakeUpSignal()

    /// - Parameters:
    ///   - name: the `name` dimension of the queue's metrics.
    ///   - rateLimiter: consulted by `addRateLimited`; controller-runtime's default when omitted.
    ///   - clock: the time source for delays, rate limits and metrics.
    ///   - metricsFactory: where metrics go; the process-wide `MetricsSystem.factory` by default.
    ///   - unfinishedWorkUpdatePeriod: how often `run()` refreshes the unfinished-work gauges
    ///     (client-go refreshes every 500 ms).
    public init(
        name: String,
        rateLimiter: any RateLimiter<Key> = MaxOfRateLimiter<Key>.controllerDefault(),
        clock: any Clock<Duration> = ContinuousClock(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        unfinishedWorkUpdatePeriod: Duration = .milliseconds(500)
    ) {
        self.name = name
        self.rateLimiter = rateLimiter
        self.clock = ElapsedClock(clock)
        self.metrics = WorkQueueMetrics(queueName: name, factory: metricsFactory)
        self.unfinishedWorkUpdatePeriod = unfinishedWorkUpdatePeriod
    }

    // MARK: Adding

    /// Marks `key` as needing work. Ignored after shutdown; merged if `key` is already queued.
    public func add(_ key: Key) {
        guard !isShuttingDownFlag, !dirty.contains(key) else { return }
        metrics.adds.increment()
        addedAt[key] = clock.now
        dirty.insert(key)
        metrics.depth.record(dirty.count)
        // A key being processed is queued again by `done`, never handed to a second worker.
        guard !processing.contains(key) else { return }
        queue.append(key)
        dispatch()
    }

    /// Adds `key` once `delay` has passed; a non-positive delay adds it now. If `key` is already
    /// waiting for a delayed add, the earlier of the two deadlines is kept. Counts as a retry.
    public func add(_ key: Key, after delay: Duration) {
        guard !isShuttingDownFlag else { return }
        metrics.retries.increment()
        guard delay > .zero else {
            add(key)
            return
        }
        let readyAt = clock.now + delay
        if let existing = delayed[key], existing <= readyAt { return }
        delayed[key] = readyAt
        delayLoopWakeUp.signal()
    }

    /// Adds `key` after the delay the rate limiter assigns to its next failure.
    public func addRateLimited(_ key: Key) {
        guard !isShuttingDownFlag else { return }
        add(key, after: rateLimiter.delay(for: key, now: clock.now))
    }

    /// Adds `key` after a per-key backoff (5 ms doubling, at most 1 s) that does not draw on the
    /// rate limiter's shared budget: for a reconcile whose write lost a race against the watch
    /// cache (409 Conflict or AlreadyExists). Such a loss is the normal outcome of optimistic
    /// concurrency, and the next round sees the newer object; sending a burst of them through
    /// controller-runtime's overall token bucket (10 per second after 100) delayed unrelated keys
    /// by seconds at scale.
    public func addAfterWriteRace(_ key: Key) {
        guard !isShuttingDownFlag else { return }
        add(key, after: raceBackoff.delay(for: key, now: clock.now))
    }

    /// Adds now the keys among `keys` that are waiting for a delayed add (their delay is
    /// dropped); others are left alone. For keys whose retry waited on something that has now
    /// happened, such as an API server answering again. Their failure history is kept, so a
    /// key that fails again backs off further.
    public func addWaitingNow(_ keys: some Sequence<Key>) {
        guard !isShuttingDownFlag else { return }
        for key in keys where delayed.removeValue(forKey: key) != nil {
            add(key)
        }
        delayLoopWakeUp.signal()
    }

    /// Resets the rate limiter's failure history for `key` (call after a success or a give-up).
    /// It does not remove `key` from the queue.
    public func forget(_ key: Key) {
        rateLimiter.forget(key)
        raceBackoff.forget(key)
    }

    /// How many rate-limited requeues `key` has had since it was last forgotten (write races
    /// included).
    public func numberOfRequeues(of key: Key) -> Int {
        rateLimiter.numberOfRequeues(of: key) + raceBackoff.numberOfRequeues(of: key)
    }

    // MARK: Processing

    /// Waits for the next ready key and marks it as processing; the caller must call `done(_:)`.
    /// Returns `nil` once the queue is shut down and empty, or when the calling task is cancelled.
    public func get() async -> Key? {
        if let key = queue.popFirst() {
            startProcessing(key)
            return key
        }
        if isShuttingDownFlag || Task.isCancelled { return nil }
        let handOff = KeyHandOff<Key>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                handOff.install(continuation)
                waiters.append(handOff)
            }
        } onCancel: {
            handOff.cancel()
        }
    }

    /// Ends processing of `key`. If it was added again meanwhile, it is queued again now.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        if let start = processingSince.removeValue(forKey: key) {
            metrics.workDuration.recordNanoseconds((clock.now - start).inNanoseconds)
        }
        updateUnfinishedWorkMetrics()
        if dirty.contains(key) {
            queue.append(key)
            dispatch()
        }
        if processing.isEmpty && isDraining {
            let continuations = drainWaiters
            drainWaiters.removeAll()
            for continuation in continuations { continuation.resume() }
        }
    }

    // MARK: State

    /// Keys ready to be handed out (client-go `Len`); excludes delayed and processing keys.
    public var count: Int { queue.count }

    /// Keys waiting for a delayed add.
    public var delayedCount: Int { delayed.count }

    public var isShuttingDown: Bool { isShuttingDownFlag }

    /// `get()` calls currently suspended (including cancelled ones not yet pruned); for tests.
    var waiterCount: Int { waiters.count }

    // MARK: Shutdown

    /// Stops accepting adds, drops delayed keys, and wakes idle `get()` callers with `nil`.
    /// Keys already queued are still handed out.
    public func shutDown() {
        guard !isShuttingDownFlag else { return }
        isShuttingDownFlag = true
        delayed.removeAll()
        delayLoopWakeUp.signal()
        let idle = waiters
        waiters.removeAll()
        for waiter in idle { _ = waiter.deliver(nil) }
    }

    /// Shuts down like `shutDown()`, then waits until every key handed out so far is `done`.
    public func shutDownWithDrain() async {
        isDraining = true
        shutDown()
        guard !processing.isEmpty else { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    // MARK: Delay loop

    /// Moves delayed keys into the queue as their deadlines pass and refreshes the
    /// unfinished-work gauges. Returns after `shutDown()` or when the calling task is cancelled
    /// (cancellation does not shut the queue down).
    public func run() async {
        var nextMetricsUpdate = clock.now + unfinishedWorkUpdatePeriod
        while !isShuttingDownFlag && !Task.isCancelled {
            let now = clock.now
            promoteDelayedKeys(readyBy: now)
            if now >= nextMetricsUpdate {
                updateUnfinishedWorkMetrics()
                nextMetricsUpdate = now + unfinishedWorkUpdatePeriod
            }
            let deadline = min(delayed.values.min() ?? nextMetricsUpdate, nextMetricsUpdate)
            await sleep(until: deadline)
        }
    }

    /// Sleeps until `deadline` or until `delayLoopWakeUp` is signalled, whichever comes first.
    private func sleep(until deadline: Duration) async {
        let clock = self.clock
        let wakeUp = delayLoopWakeUp
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await clock.sleep(until: deadline)
                    wakeUp.signal()
                } catch {
                    // Cancelled because the loop was woken early; nothing to do.
                }
            }
            await wakeUp.wait()
            group.cancelAll()
        }
    }

    private func promoteDelayedKeys(readyBy now: Duration) {
        let ready = delayed.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (key, _) in ready {
            delayed[key] = nil
            add(key)
        }
    }

    // MARK: Hand-out

    /// Hands queued keys to waiting `get()` callers, skipping callers that were cancelled.
    private func dispatch() {
        while !queue.isEmpty, let waiter = waiters.popFirst() {
            let key = queue[queue.startIndex]
            if waiter.deliver(key) {
                queue.removeFirst()
                startProcessing(key)
            }
        }
    }

    private func startProcessing(_ key: Key) {
        let now = clock.now
        dirty.remove(key)
        processing.insert(key)
        processingSince[key] = now
        metrics.depth.record(dirty.count)
        if let added = addedAt.removeValue(forKey: key) {
            metrics.queueDuration.recordNanoseconds((now - added).inNanoseconds)
        }
        updateUnfinishedWorkMetrics()
    }

    private func updateUnfinishedWorkMetrics() {
        let now = clock.now
        var total = 0.0
        var longest = 0.0
        for start in processingSince.values {
            let seconds = (now - start).inSeconds
            total += seconds
            longest = max(longest, seconds)
        }
        metrics.unfinishedWork.record(total)
        metrics.longestRunningProcessor.record(longest)
    }
}
