import KubeModel
import KubeRuntime
import Synchronization
import Testing

/// Samples of a Prometheus text exposition, keyed by `name{labels}` as written.
struct PrometheusSamples {
    var values: [String: Double] = [:]
    var types: [String: String] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...])
            else { continue }
            values[String(line[..<space])] = value
        }
    }

    subscript(_ sample: String) -> Double? { values[sample] }
}

@Suite struct MetricsRegistryTests {
    final class CountingReconciler: Reconciler {
        let seen = Mutex(0)
        func reconcile(_ request: ObjectKey) async throws -> ReconcileResult {
            let count = seen.withLock { value -> Int in
                value += 1
                return value
            }
            // Every third reconcile asks to go again later; the others are done.
            return count % 3 == 0 ? .requeue(after: .seconds(60)) : .done
        }
    }

    @Test func queueAndControllerMetricsAppearInTheTextExposition() async throws {
        let registry = MetricsRegistry()
        let reconciler = CountingReconciler()
        let controller = Controller(name: "widgets", reconciler: reconciler, metricsFactory: registry.factory)
        let running = Task { await controller.run() }
        for index in 0..<6 { await controller.enqueue(ObjectKey(namespace: "default", name: "w-\(index)")) }
        try await eventually("six reconciles") { reconciler.seen.withLock { $0 } == 6 }
        try await eventually("metrics recorded") {
            PrometheusSamples(registry.exposition())[#"controller_runtime_reconcile_total{controller="widgets",result="success"}"#] == 4
        }
        await controller.shutDown()
        await running.value

        let samples = PrometheusSamples(registry.exposition())
        #expect(samples[#"workqueue_adds_total{name="widgets"}"#] == 6)
        #expect(samples[#"workqueue_retries_total{name="widgets"}"#] == 2)
        #expect(samples[#"controller_runtime_reconcile_total{controller="widgets",result="success"}"#] == 4)
        #expect(samples[#"controller_runtime_reconcile_total{controller="widgets",result="requeue_after"}"#] == 2)
        #expect(samples[#"controller_runtime_reconcile_total{controller="widgets",result="error"}"#] == 0)
        #expect(samples[#"controller_runtime_reconcile_time_seconds_count{controller="widgets"}"#] == 6)
        #expect(samples.types["workqueue_adds_total"] == "counter")
        #expect(samples.types["workqueue_depth"] == "gauge")
        #expect(samples.types["controller_runtime_reconcile_time_seconds"] == "histogram")
    }
}
