import KubeClient
import Logging
import Metrics

/// Runs a `Reconciler` over a work queue with a fixed number of workers
/// (controller-runtime `internal/controller.Controller`).
///
/// Each worker loops: take a key → reconcile → `done`. The outcome picks what happens next,
/// as in controller-runtime's four-way switch:
/// - thrown `TerminalError` → counted as an error, not requeued (backoff forgotten);
/// - a write that lost a race (409 Conflict or AlreadyExists) → counted as an error, requeued on
///   a per-key backoff outside the shared token bucket;
/// - any other thrown error → counted as an error, requeued rate-limited; when the API server
///   did not answer at all (a transport error with a `ServerOutage`), the request is also retried
///   as soon as the server answers again, instead of waiting out a backoff that grew meanwhile;
/// - `.requeue(after:)` → backoff forgotten, requeued after the delay;
/// - `.requeueWithBackoff` → requeued rate-limited;
/// - `.done` → backoff forgotten.
///
/// Event sources (informer handlers) feed it through `enqueue(_:)` or `queue`. `run()` owns the
/// workers and the queue's delay loop in one task group and returns once they have all stopped:
/// after `shutDown()` (graceful: in-flight reconciles finish) or when its task is cancelled.
public final class Controller<R: Reconciler>: Sendable {
    public typealias Request = R.Request

    public let name: String
    /// The controller's queue, named after the controller.
    public let queue: WorkQueue<Request>

    private let reconciler: R
    private let workers: Int
    private let clock: ElapsedClock
    private let metrics: ControllerMetrics
    private let logger: Logger
    /// Run in order before the workers start; `ControllerBuilder` uses them to wait for its
    /// informers' caches and to queue every object already cached.
    private let preparations: [@Sendable (WorkQueue<Request>) async -> Void]
    /// Requests whose last reconcile failed because an API server did not answer.
    private let parked: OutageParking<Request>

    /// - Parameters:
    ///   - name: the `controller` metrics dimension, the queue's name and the logger's label.
    ///   - workers: how many reconciles may run at once (controller-runtime
    ///     `MaxConcurrentReconciles`, default 1).
    public convenience init(
        name: String,
        reconciler: R,
        workers: Int = 1,
        rateLimiter: any RateLimiter<Request> = MaxOfRateLimiter<Request>.controllerDefault(),
        clock: any Clock<Duration> = ContinuousClock(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger? = nil
    ) {
        self.init(
            name: name, reconciler: reconciler, workers: workers, rateLimiter: rateLimiter, clock: clock,
            metricsFactory: metricsFactory, logger: logger, preparations: [])
    }

    init(
        name: String,
        reconciler: R,
        workers: Int,
        rateLimiter: any RateLimiter<Request>,
        clock: any Clock<Duration>,
        metricsFactory: any MetricsFactory,
        logger: Logger?,
        preparations: [@Sendable (WorkQueue<Request>) async -> Void]
    ) {
        precondition(workers > 0, "a controller needs at least one worker")
        self.name = name
        self.reconciler = reconciler
        self.workers = workers
        self.clock = ElapsedClock(clock)
        self.queue = WorkQueue(name: name, rateLimiter: rateLimiter, clock: clock, metricsFactory: metricsFactory)
        self.metrics = ControllerMetrics(controllerName: name, factory: metricsFactory)
        var logger = logger ?? Logger(label: "KubeRuntime.Controller")
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.preparations = preparations
        self.parked = OutageParking(queue: queue)
    }

    /// Asks for `request` to be reconciled (merged with any pending request for the same key).
    public func enqueue(_ request: Request) async {
        await queue.add(request)
    }

    /// Runs the workers until `shutDown()` completes or the calling task is cancelled.
    ///
    /// A controller made by `ControllerBuilder` first waits until the caches of its informers
    /// have synced (the informers are run by their `SharedInformers`, not by the controller),
    /// then queues every cached object, and only then starts its workers.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.queue.run() }
            group.addTask { await self.parked.run() }
            for prepare in preparations {
                guard !Task.isCancelled else { return }
                await prepare(queue)
            }
            for _ in 0..<workers {
                group.addTask {
                    while let request = await self.queue.get() {
                        await self.process(request)
                    }
                    self.parked.finish()
                }
            }
        }
    }

    /// Stops taking new work, lets in-flight reconciles finish, and makes `run()` return.
    public func shutDown() async {
        await queue.shutDownWithDrain()
    }

    private func process(_ request: Request) async {
        let start = clock.now
        let outcome: Result<ReconcileResult, any Error>
        do {
            outcome = .success(try await reconciler.reconcile(request))
        } catch {
            outcome = .failure(error)
        }
        metrics.reconcileTime.recordNanoseconds((clock.now - start).inNanoseconds)

        switch outcome {
        case .failure(let error as TerminalError):
            metrics.terminalErrors.increment()
            metrics.errors.increment()
            metrics.count(.error)
            await queue.forget(request)
            logger.error("reconcile failed terminally", metadata: ["request": "\(request)", "error": "\(error.underlying)"])
        case .failure where Task.isCancelled:
            // The controller is stopping (the manager shuts down, leadership is lost): the
            // reconcile was interrupted, it did not fail. Nothing to warn about and nothing to
            // retry here: a controller that runs again starts from a full resync.
            await queue.forget(request)
            logger.debug("reconcile interrupted: the controller is stopping", metadata: ["request": "\(request)"])
        case .failure(let error):
            metrics.errors.increment()
            metrics.count(.error)
            // A write that lost an optimistic-concurrency race (409: Conflict or AlreadyExists) is
            // routine: the next round reads the newer object. It is retried on its own backoff,
            // not the shared budget meant for failing servers; anything else deserves a warning.
            let clientError = error as? KubeClientError
            let isConflict = clientError?.isConflict == true || clientError?.isAlreadyExists == true
            if isConflict {
                await queue.addAfterWriteRace(request)
            } else {
                await queue.addRateLimited(request)
                if let outage = error.serverOutage { parked.park(request, until: outage) }
            }
            logger.log(
                level: isConflict ? .info : .warning, isConflict ? "reconcile hit a write conflict; retrying" : "reconcile failed; retrying",
                metadata: ["request": "\(request)", "error": "\(error)"])
        case .success(.requeue(let delay)):
            metrics.count(.requeueAfter)
            await queue.forget(request)
            await queue.add(request, after: delay)
        case .success(.requeueWithBackoff):
            metrics.count(.requeue)
            await queue.addRateLimited(request)
        case .success(.done):
            metrics.count(.success)
            await queue.forget(request)
        }
        await queue.done(request)
    }
}
