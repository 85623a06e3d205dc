import Metrics

/// The work queue's metrics, under controller-runtime's names with a `name` dimension holding the
/// queue's name (controller-runtime names a controller's queue after the controller).
///
/// Durations are recorded with swift-metrics timers (exported as histograms in seconds);
/// `workqueue_unfinished_work_seconds` and `workqueue_longest_running_processor_seconds` are
/// gauges refreshed on every hand-out and `done`, and periodically by `WorkQueue.run()`.
struct WorkQueueMetrics: Sendable {
    static let depthLabel = "workqueue_depth"
    static let addsLabel = "workqueue_adds_total"
    static let queueDurationLabel = "workqueue_queue_duration_seconds"
    static let workDurationLabel = "workqueue_work_duration_seconds"
    static let retriesLabel = "workqueue_retries_total"
    static let unfinishedWorkLabel = "workqueue_unfinished_work_seconds"
    static let longestRunningLabel = "workqueue_longest_running_processor_seconds"

    let depth: Gauge
    let adds: Counter
    let queueDuration: Timer
    let workDuration: Timer
    let retries: Counter
    let unfinishedWork: Gauge
    let longestRunningProcessor: Gauge

    init(queueName: String, factory: any MetricsFactory) {
        let dimensions = [("name", queueName)]
        depth = Gauge(label: Self.depthLabel, dimensions: dimensions, factory: factory)
        adds = Counter(label: Self.addsLabel, dimensions: dimensions, factory: factory)
        queueDuration = Timer(label: Self.queueDurationLabel, dimensions: dimensions, factory: factory)
        workDuration = Timer(label: Self.workDurationLabel, dimensions: dimensions, factory: factory)
        retries = Counter(label: Self.retriesLabel, dimensions: dimensions, factory: factory)
        unfinishedWork = Gauge(label: Self.unfinishedWorkLabel, dimensions: dimensions, factory: factory)
        longestRunningProcessor = Gauge(label: Self.longestRunningLabel, dimensions: dimensions, factory: factory)
    }
}
