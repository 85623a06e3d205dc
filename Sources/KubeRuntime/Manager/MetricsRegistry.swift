import Metrics
import Prometheus

// One registry per process (or per test): everything KubeRuntime records — work queue, controller,
// leader election metrics — goes through `factory`, and `/metrics` renders `exposition()`.

/// A Prometheus registry and the swift-metrics factory that records into it.
///
/// Pass `factory` to `WorkQueue`, `Controller`, `LeaderElector` (their `metricsFactory:`), or
/// bootstrap it process-wide once with `MetricsSystem.bootstrap(registry.factory)`. Timers are
/// exported as histograms in seconds, as controller-runtime's are.
public final class MetricsRegistry: Sendable {
    /// The Prometheus text exposition format's content type.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public let prometheus: PrometheusCollectorRegistry
    public let factory: any MetricsFactory

    public init() {
        let prometheus = PrometheusCollectorRegistry()
        self.prometheus = prometheus
        self.factory = PrometheusMetricsFactory(registry: prometheus)
    }

    /// All metrics in the Prometheus text format (`# TYPE` lines, then one sample per line).
    public func exposition() -> String {
        prometheus.emitToString()
    }

    /// `exposition()` as UTF-8 bytes, for an HTTP body.
    public func expositionBytes() -> [UInt8] {
        prometheus.emitToBuffer()
    }
}
