import FleetAPI
import Foundation
import Prometheus

// The reference's two propagation-latency histograms (spec §6), in milliseconds with its buckets.
// Observations are clamped as the reference clamps them: a non-positive latency (clock skew)
// counts as 1,000 ms, and anything above 100,000 ms counts as 100,000 ms.

/// `fleet_networking_service_export_duration_milliseconds` and
/// `fleet_networking_endpointslice_export_import_duration_milliseconds`.
public struct LatencyMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry?

    /// Records into `registry`; nil records nothing.
    public init(registry: PrometheusCollectorRegistry?) {
        self.registry = registry
    }

    /// Export of a service from `originCluster`, `milliseconds` after it was stamped.
    public func observeServiceExport(originCluster: String, milliseconds: Double) {
        registry?.makeValueHistogram(
            name: FleetMetrics.serviceExportDuration, labels: [("origin_cluster_id", originCluster)],
            buckets: FleetMetrics.durationBuckets
        ).record(Self.clamp(milliseconds))
    }

    /// Import into `destinationCluster` of an EndpointSlice exported by `originCluster`.
    public func observeEndpointSliceImport(
        originCluster: String, destinationCluster: String, isFirstImport: Bool, milliseconds: Double
    ) {
        registry?.makeValueHistogram(
            name: FleetMetrics.endpointSliceExportImportDuration,
            labels: [
                ("origin_cluster_id", originCluster), ("destination_cluster_id", destinationCluster),
                ("is_first_import", isFirstImport ? "true" : "false"),
            ],
            buckets: FleetMetrics.durationBuckets
        ).record(Self.clamp(milliseconds))
    }

    /// The latency between `since` and `now`, clamped as the reference clamps it.
    public static func milliseconds(from since: Date, to now: Date) -> Double {
        clamp(now.timeIntervalSince(since) * 1000)
    }

    static func clamp(_ milliseconds: Double) -> Double {
        if milliseconds <= 0 { return 1000 }
        return min(milliseconds, FleetMetrics.maximumObservation)
    }
}
