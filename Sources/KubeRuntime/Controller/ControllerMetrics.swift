import Metrics

/// controller-runtime's reconcile metrics, with a `controller` dimension (and `result` for
/// `controller_runtime_reconcile_total`: `success`, `error`, `requeue`, `requeue_after`).
struct ControllerMetrics: Sendable {
    static let reconcileTotalLabel = "controller_runtime_reconcile_total"
    static let reconcileErrorsLabel = "controller_runtime_reconcile_errors_total"
    static let terminalReconcileErrorsLabel = "controller_runtime_terminal_reconcile_errors_total"
    static let reconcileTimeLabel = "controller_runtime_reconcile_time_seconds"

    enum Outcome: String, CaseIterable {
        case success
        case error
        case requeue
        case requeueAfter = "requeue_after"
    }

    private let totals: [String: Counter]
    let errors: Counter
    let terminalErrors: Counter
    let reconcileTime: Timer

    init(controllerName: String, factory: any MetricsFactory) {
        let controller = [("controller", controllerName)]
        var totals: [String: Counter] = [:]
        for outcome in Outcome.allCases {
            totals[outcome.rawValue] = Counter(
                label: Self.reconcileTotalLabel,
                dimensions: controller + [("result", outcome.rawValue)],
                factory: factory
            )
        }
        self.totals = totals
        errors = Counter(label: Self.reconcileErrorsLabel, dimensions: controller, factory: factory)
        terminalErrors = Counter(label: Self.terminalReconcileErrorsLabel, dimensions: controller, factory: factory)
        reconcileTime = Timer(label: Self.reconcileTimeLabel, dimensions: controller, factory: factory)
    }

    func count(_ outcome: Outcome) {
        totals[outcome.rawValue]?.increment()
    }
}
