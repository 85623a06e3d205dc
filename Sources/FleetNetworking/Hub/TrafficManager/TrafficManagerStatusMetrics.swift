import FleetAPI
import Foundation
import KubeModel
import KubeRuntime
import Prometheus
import Synchronization

// The reference's status gauges of the Traffic Manager kinds:
// `fleet_networking_traffic_manager_{profile,backend}_status_last_timestamp_seconds{namespace,
// name, generation, condition, status, reason}`, set to the current time whenever a reconcile
// evaluates the condition (`Programmed` / `Accepted`) for the object's generation. Unlike the
// reference, an object has one series, the one of its current condition: the series of an older
// generation or condition is removed when a new one is set (the reference keeps every tuple until
// the object is deleted), and the series goes when the object is gone — without the reference's
// `metrics-cleanup` finalizer, which costs a write per object and can block deletion while the
// manager is down.

/// The status gauge of one Traffic Manager kind.
public final class TrafficManagerStatusMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry?
    private let name: String
    private let help: String
    private let series = Mutex<[ObjectKey: (labels: [String], gauge: Gauge)]>([:])

    /// Records into `registry` (nil: records nothing).
    public init(registry: PrometheusCollectorRegistry?, name: String, help: String) {
        self.registry = registry
        self.name = name
        self.help = help
    }

    /// The condition of `key` at `generation` was evaluated at `now`.
    func observe(_ key: ObjectKey, generation: Int64?, condition: Condition, now: Date) {
        guard let registry, condition.observedGeneration == generation else { return }
        let labels = [
            ("namespace", key.namespace), ("name", key.name), ("generation", "\(generation ?? 0)"), ("condition", condition.type),
            ("status", condition.status), ("reason", condition.reason),
        ]
        let values = labels.map(\.1)
        let gauge = series.withLock { series -> Gauge in
            if let current = series[key], current.labels == values { return current.gauge }
            if let previous = series[key] { registry.unregisterGauge(previous.gauge) }
            let gauge = registry.makeGauge(name: name, labels: labels, help: help)
            series[key] = (values, gauge)
            return gauge
        }
        gauge.set(now.timeIntervalSince1970)
    }

    /// `key` is gone: its series goes too.
    func forget(_ key: ObjectKey) {
        guard let removed = series.withLock({ $0.removeValue(forKey: key) }) else { return }
        registry?.unregisterGauge(removed.gauge)
    }
}
