import MetricsTestKit
import Synchronization
import Testing

@testable import KubeRuntime

/// Runs `body` while the queue's delay loop runs, then shuts the queue down and waits for the loop.
private func withDelayLoop<Key>(
    _ queue: WorkQueue<Key>,
    _ body: () async -> Void
) async {
    await withDiscardingTaskGroup { group in
        group.addTask { await queue.run() }
        await body()
        await queue.shutDown()
    }
}

private func makeQueue(
    clock: TestClock = TestClock(),
    rateLimiter: any RateLimiter<String> = MaxOfRateLimiter<String>.controllerDefault(),
    metrics: TestMetrics = TestMetrics()
) -> WorkQueue<String> {
    // A long metrics period keeps the delay loop's only deadline the one a test is waiting for.
    WorkQueue(
        name: "test",
        rateLimiter: rateLimiter,
        clock: clock,
        metricsFactory: metrics,
        unfinishedWorkUpdatePeriod: .seconds(3600)
    )
}

/// Yields until `condition` holds; used only to wait for another task to reach a known state.
private func eventually(_ condition: () async -> Bool) async {
    while !(await condition()) { await Task.yield() }
}

@Suite("WorkQueue")
struct WorkQueueTests {
    @Test("a key added several times before it is taken is queued once")
    func deduplicatesQueuedKeys() async {
        let queue = makeQueue()
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.count == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(await queue.count == 0)
    }

    @Test("a key being processed is not handed to a second worker")
    func processingKeyIsExclusive() async {
        let queue = makeQueue()
        await queue.add("a")
        #expect(await queue.get() == "a")
        await queue.add("a")
        #expect(await queue.count == 0, "a dirty key that is still processing must not be queued")
        async let second = queue.get()
        await eventually { await queue.waiterCount == 1 }
        await queue.add("b")
        #expect(await second == "b", "the waiting worker gets another key, never the busy one")
    }

    @Test("a key re-added while processing is queued again once it is done")
    func reAddWhileProcessingRequeuesAfterDone() async {
        let queue = makeQueue()
        await queue.add("a")
        let key = await queue.get()
        await queue.add("a")
        await queue.add("a")
        await queue.done("a")
        #expect(key == "a")
        #expect(await queue.count == 1)
        #expect(await queue.get() == "a")
        await queue.done("a")
        #expect(await queue.count == 0)
    }

    @Test("a key that is done without being re-added is not queued again")
    func doneWithoutReAddLeavesQueueEmpty() async {
        let queue = makeQueue()
        await queue.add("a")
        _ = await queue.get()
        await queue.done("a")
        #expect(await queue.count == 0)
    }

    @Test("get waits for an add and serves waiters in arrival order")
    func getSuspendsUntilAdd() async {
        let queue = makeQueue()
        let first = Task { await queue.get() }
        await eventually { await queue.waiterCount == 1 }
        let second = Task { await queue.get() }
        await eventually { await queue.waiterCount == 2 }
        await queue.add("x")
        await queue.add("y")
        #expect(await first.value == "x")
        #expect(await second.value == "y")
    }

    @Test("a cancelled get returns nil and does not swallow a key")
    func cancelledGetReturnsNil() async {
        let queue = makeQueue()
        let waiter = Task { await queue.get() }
        await eventually { await queue.waiterCount == 1 }
        waiter.cancel()
        #expect(await waiter.value == nil)
        await queue.add("a")
        #expect(await queue.count == 1)
        #expect(await queue.get() == "a")
    }

    @Test("a delayed key becomes ready exactly at its deadline")
    func delayedAddWaitsForDeadline() async {
        let clock = TestClock()
        let queue = makeQueue(clock: clock)
        await withDelayLoop(queue) {
            await queue.add("a", after: .seconds(1))
            await clock.waitForSleeper(until: .seconds(1))
            clock.advance(by: .milliseconds(999))
            #expect(await queue.count == 0)
            #expect(await queue.delayedCount == 1)
            clock.advance(by: .milliseconds(1))
            #expect(await queue.get() == "a")
            #expect(await queue.delayedCount == 0)
        }
    }

    @Test("delayed adds of the same key keep the earliest deadline")
    func delayedAddEarliestWins() async {
        let clock = TestClock()
        let queue = makeQueue(clock: clock)
        await withDelayLoop(queue) {
            await queue.add("a", after: .seconds(5))
            await queue.add("a", after: .seconds(1))
            await queue.add("a", after: .seconds(3))
            #expect(await queue.delayedCount == 1)
            await clock.waitForSleeper(until: .seconds(1))
            clock.advance(to: .seconds(1))
            #expect(await queue.get() == "a")
            await queue.done("a")
            clock.advance(to: .seconds(5))
            #expect(await queue.count == 0, "the later deadlines were merged into the earliest")
            #expect(await queue.delayedCount == 0)
        }
    }

    @Test("a non-positive delay adds the key immediately", arguments: [Duration.zero, .seconds(-1)])
    func nonPositiveDelayAddsNow(delay: Duration) async {
        let queue = makeQueue()
        await queue.add("a", after: delay)
        #expect(await queue.count == 1)
        #expect(await queue.delayedCount == 0)
    }

    @Test("rate-limited adds back off 5 ms, 10 ms, 20 ms and forget resets the count")
    func rateLimitedAddsBackOff() async {
        let clock = TestClock()
        let queue = makeQueue(clock: clock)
        await withDelayLoop(queue) {
            var deadline = Duration.zero
            for (attempt, delay) in [5, 10, 20].map(Duration.milliseconds).enumerated() {
                await queue.addRateLimited("a")
                #expect(await queue.numberOfRequeues(of: "a") == attempt + 1)
                deadline = clock.elapsed + delay
                await clock.waitForSleeper(until: deadline)
                clock.advance(to: deadline)
                #expect(await queue.get() == "a")
                await queue.done("a")
            }
            await queue.forget("a")
            #expect(await queue.numberOfRequeues(of: "a") == 0)
            await queue.addRateLimited("a")
            await clock.waitForSleeper(until: clock.elapsed + .milliseconds(5))
        }
    }

    @Test("a write race backs off per key, 5 ms then 10 ms, outside the exhausted shared bucket")
    func writeRacesDoNotWaitForTheSharedBucket() async {
        let clock = TestClock()
        let queue = makeQueue(clock: clock)
        await withDelayLoop(queue) {
            // 150 failing keys use up the token bucket (burst 100, then 10 per second): a
            // rate-limited add now waits seconds.
            for index in 0..<150 { await queue.addRateLimited("failing-\(index)") }
            await queue.addAfterWriteRace("race")
            #expect(await queue.numberOfRequeues(of: "race") == 1)
            await clock.waitForSleeper(until: .milliseconds(5))
            clock.advance(to: .milliseconds(5))
            // Ready now: the 100 keys the burst allowed, and the race (if the race waited for the
            // bucket, the 101st key would never come: the queue is shut down after 10 s).
            let ready = await withTaskGroup(of: Set<String>?.self) { group in
                group.addTask {
                    var ready: Set<String> = []
                    for _ in 0..<101 {
                        guard let key = await queue.get() else { break }
                        ready.insert(key)
                        await queue.done(key)
                    }
                    return ready
                }
                group.addTask {
                    try? await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                if let first { return first }
                await queue.shutDown()
                let collected = await group.next() ?? nil
                return collected ?? []
            }
            #expect(ready.contains("race"))
            #expect(ready.count == 101)
            #expect(await queue.count == 0, "only the burst of failing keys is ready, not all 150")
            guard ready.contains("race") else { return }  // the queue was shut down
            await queue.addAfterWriteRace("race")
            await clock.waitForSleeper(until: .milliseconds(15))
            await queue.forget("race")
            #expect(await queue.numberOfRequeues(of: "race") == 0)
        }
    }

    @Test("after shutDown queued keys are still handed out, then get returns nil")
    func shutDownDrainsQueuedKeysThenReturnsNil() async {
        let queue = makeQueue()
        await queue.add("a")
        await queue.add("b", after: .seconds(1))
        await queue.shutDown()
        await queue.add("c")
        #expect(await queue.isShuttingDown)
        #expect(await queue.count == 1, "adds after shutdown are ignored")
        #expect(await queue.delayedCount == 0, "delayed keys are dropped")
        #expect(await queue.get() == "a")
        #expect(await queue.get() == nil)
    }

    @Test("shutDown wakes idle workers with nil")
    func shutDownWakesIdleWorkers() async {
        let queue = makeQueue()
        let worker = Task { await queue.get() }
        await eventually { await queue.waiterCount == 1 }
        await queue.shutDown()
        #expect(await worker.value == nil)
    }

    @Test("shutDownWithDrain returns only after in-flight keys are done")
    func shutDownWithDrainWaitsForInFlight() async {
        let queue = makeQueue()
        await queue.add("a")
        #expect(await queue.get() == "a")
        let drained = Mutex(false)
        let drain = Task {
            await queue.shutDownWithDrain()
            drained.withLock { $0 = true }
        }
        await eventually { await queue.isShuttingDown }
        #expect(drained.withLock { $0 } == false)
        await queue.done("a")
        await drain.value
        #expect(drained.withLock { $0 })
    }

    @Test("run returns when its task is cancelled, without shutting the queue down")
    func runStopsOnCancellation() async {
        let queue = makeQueue()
        let loop = Task { await queue.run() }
        loop.cancel()
        await loop.value
        #expect(await queue.isShuttingDown == false)
    }

    @Test("metrics count adds, depth, retries and time spent queued and working")
    func recordsMetrics() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let queue = makeQueue(clock: clock, metrics: metrics)
        let name = [("name", "test")]
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(try metrics.expectCounter("workqueue_adds_total", name).totalValue == 2)
        #expect(try metrics.expectGauge("workqueue_depth", name).lastValue == 2)

        clock.advance(by: .milliseconds(250))
        _ = await queue.get()
        #expect(try metrics.expectGauge("workqueue_depth", name).lastValue == 1)
        #expect(try metrics.expectTimer("workqueue_queue_duration_seconds", name).values == [250_000_000])

        clock.advance(by: .seconds(2))
        _ = await queue.get()
        await queue.done("b")
        #expect(try metrics.expectGauge("workqueue_unfinished_work_seconds", name).lastValue == 2)
        #expect(try metrics.expectGauge("workqueue_longest_running_processor_seconds", name).lastValue == 2)
        await queue.done("a")
        #expect(try metrics.expectTimer("workqueue_work_duration_seconds", name).values == [0, 2_000_000_000])
        #expect(try metrics.expectGauge("workqueue_unfinished_work_seconds", name).lastValue == 0)

        await queue.addRateLimited("a")
        await queue.add("a", after: .seconds(1))
        #expect(try metrics.expectCounter("workqueue_retries_total", name).totalValue == 2)
    }
}
