import MetricsTestKit
import Synchronization
import Testing

@testable import KubeRuntime

/// A reconciler whose answers are scripted per call; it reports each call on `calls`.
private final class ScriptedReconciler: Reconciler, Sendable {
    private let answers: Mutex<[@Sendable (ObjectKey) async throws -> ReconcileResult]>
    private let continuation: AsyncStream<ObjectKey>.Continuation
    let calls: AsyncStream<ObjectKey>

    init(_ answers: [@Sendable (ObjectKey) async throws -> ReconcileResult]) {
        self.answers = Mutex(answers)
        (calls, continuation) = AsyncStream.makeStream()
    }

    func reconcile(_ request: ObjectKey) async throws -> ReconcileResult {
        let answer = answers.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        defer { continuation.yield(request) }
        guard let answer else { return .done }
        return try await answer(request)
    }
}

private struct Boom: Error {}

private let key = ObjectKey(namespace: "ns", name: "a")

/// Runs the controller, gives `body` an iterator over reconcile calls, then shuts down gracefully.
private func withController(
    _ reconciler: ScriptedReconciler,
    clock: TestClock,
    metrics: TestMetrics = TestMetrics(),
    _ body: (Controller<ScriptedReconciler>, inout AsyncStream<ObjectKey>.Iterator) async throws -> Void
) async throws {
    let controller = Controller(name: "demo", reconciler: reconciler, workers: 2, clock: clock, metricsFactory: metrics)
    var calls = reconciler.calls.makeAsyncIterator()
    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { await controller.run() }
        try await body(controller, &calls)
        await controller.shutDown()
    }
}

private func total(_ metrics: TestMetrics, _ result: String) throws -> Int64 {
    try metrics.expectCounter("controller_runtime_reconcile_total", [("controller", "demo"), ("result", result)]).totalValue
}

@Suite("Controller")
struct ControllerTests {
    @Test("a successful reconcile is counted and not requeued")
    func doneIsNotRequeued() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let reconciler = ScriptedReconciler([{ _ in .done }])
        try await withController(reconciler, clock: clock, metrics: metrics) { controller, calls in
            await controller.enqueue(key)
            #expect(await calls.next() == key)
            await controller.queue.done(key)  // no-op if already done; makes the next reads ordered
            #expect(await controller.queue.count == 0)
            #expect(await controller.queue.delayedCount == 0)
        }
        #expect(try total(metrics, "success") == 1)
        #expect(try total(metrics, "error") == 0)
    }

    @Test("an error requeues with backoff 5 ms then 10 ms, and success forgets the failures")
    func errorRequeuesRateLimited() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let reconciler = ScriptedReconciler([{ _ in throw Boom() }, { _ in throw Boom() }, { _ in .done }])
        try await withController(reconciler, clock: clock, metrics: metrics) { controller, calls in
            await controller.enqueue(key)
            #expect(await calls.next() == key)
            await clock.waitForSleeper(until: .milliseconds(5))
            #expect(await controller.queue.numberOfRequeues(of: key) == 1)
            clock.advance(by: .milliseconds(5))
            #expect(await calls.next() == key)
            await clock.waitForSleeper(until: .milliseconds(15))
            clock.advance(by: .milliseconds(10))
            #expect(await calls.next() == key)
            await eventuallyForgotten(controller.queue)
        }
        #expect(try total(metrics, "error") == 2)
        #expect(try total(metrics, "success") == 1)
        #expect(try metrics.expectCounter("controller_runtime_reconcile_errors_total", [("controller", "demo")]).totalValue == 2)
    }

    @Test("a terminal error is counted but not retried")
    func terminalErrorIsNotRetried() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let reconciler = ScriptedReconciler([{ _ in throw TerminalError(Boom()) }])
        try await withController(reconciler, clock: clock, metrics: metrics) { controller, calls in
            await controller.enqueue(key)
            #expect(await calls.next() == key)
            await controller.enqueue(ObjectKey(name: "marker"))
            #expect(await calls.next() == ObjectKey(name: "marker"), "the next call is other work, not a retry")
            #expect(await controller.queue.delayedCount == 0)
            #expect(await controller.queue.numberOfRequeues(of: key) == 0)
        }
        #expect(try metrics.expectCounter("controller_runtime_terminal_reconcile_errors_total", [("controller", "demo")]).totalValue == 1)
        #expect(try metrics.expectCounter("controller_runtime_reconcile_errors_total", [("controller", "demo")]).totalValue == 1)
        #expect(try total(metrics, "error") == 1)
    }

    @Test("requeue(after:) reconciles again exactly after the delay")
    func requeueAfterDelay() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let reconciler = ScriptedReconciler([{ _ in .requeue(after: .seconds(10)) }, { _ in .done }])
        try await withController(reconciler, clock: clock, metrics: metrics) { controller, calls in
            await controller.enqueue(key)
            #expect(await calls.next() == key)
            while await controller.queue.delayedCount == 0 { await Task.yield() }
            clock.advance(by: .milliseconds(9999))
            #expect(await controller.queue.count == 0)
            clock.advance(by: .milliseconds(1))
            #expect(await calls.next() == key)
        }
        #expect(try total(metrics, "requeue_after") == 1)
        #expect(try total(metrics, "success") == 1)
    }

    @Test("reconcile time is measured on the injected clock")
    func recordsReconcileTime() async throws {
        let clock = TestClock()
        let metrics = TestMetrics()
        let reconciler = ScriptedReconciler([{ [clock] _ in
            try await clock.sleep(until: clock.now.advanced(by: .seconds(3)))
            return .done
        }])
        try await withController(reconciler, clock: clock, metrics: metrics) { controller, calls in
            await controller.enqueue(key)
            await clock.waitForSleeper(until: .seconds(3))
            clock.advance(by: .seconds(3))
            #expect(await calls.next() == key)
        }
        let timer = try metrics.expectTimer("controller_runtime_reconcile_time_seconds", [("controller", "demo")])
        #expect(timer.values == [3_000_000_000])
    }

    @Test("shutDown lets an in-flight reconcile finish before run returns")
    func gracefulShutdownWaitsForInFlight() async throws {
        let clock = TestClock()
        let finished = Recording<String>()
        let reconciler = ScriptedReconciler([{ [clock] _ in
            try await clock.sleep(until: clock.now.advanced(by: .seconds(1)))
            finished.append("reconciled")
            return .done
        }])
        let controller = Controller(name: "demo", reconciler: reconciler, clock: clock, metricsFactory: TestMetrics())
        await withDiscardingTaskGroup { group in
            group.addTask { await controller.run() }
            await controller.enqueue(key)
            await clock.waitForSleeper(until: .seconds(1))
            group.addTask { await controller.shutDown() }
            await eventuallyShuttingDown(controller.queue)
            #expect(finished.values.isEmpty)
            clock.advance(by: .seconds(1))
        }
        #expect(finished.values == ["reconciled"])
    }
}

private func eventuallyForgotten(_ queue: WorkQueue<ObjectKey>) async {
    while await queue.numberOfRequeues(of: key) != 0 { await Task.yield() }
}

private func eventuallyShuttingDown(_ queue: WorkQueue<ObjectKey>) async {
    while !(await queue.isShuttingDown) { await Task.yield() }
}
