import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Logging
import ServiceLifecycle
import Synchronization

// The controller runtime under load, in one process:
// - informer memory: resident memory added by an informer caching N ConfigMaps listed from the
//   embedded server over plain HTTP (pages of 500), scaled to 10,000 objects. The delta includes
//   whatever the allocator keeps of transient list buffers, so it is an upper bound;
// - reconcile throughput: a no-op reconciler draining K keys through a Controller's WorkQueue
//   with 1 and 4 workers, keys added by one producer while the workers run; queue latency is
//   add → handed to a worker.

struct RuntimeBenchmark {
    var objectCount: Int
    var keyCount: Int
    var workerCounts = [1, 4]

    func run() async throws -> [String: Double] {
        var results: [String: Double] = [:]
        results.merge(try await informerMemory()) { $1 }
        for workers in workerCounts {
            progress("reconciling \(keyCount) keys with \(workers) worker(s)")
            let figures = await reconcileThroughput(workers: workers)
            results["reconcile_w\(workers)_keys_per_s"] = figures.keysPerSecond
            results["reconcile_w\(workers)_queue_p50_ms"] = figures.latency.p50
            results["reconcile_w\(workers)_queue_p99_ms"] = figures.latency.p99
        }
        progress("done")
        return results
    }

    // MARK: Informer memory

    private func informerMemory() async throws -> [String: Double] {
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let core = try APIServerCore()
        guard let definition = core.registry.definition(group: "", version: "v1", resource: "configmaps") else {
            throw BenchmarkError("no configmaps resource")
        }
        progress("storing \(objectCount) ConfigMaps in the server")
        for index in 0..<objectCount {
            _ = try core.create(definition, namespace: "default", body: Self.configMap(index), options: WriteOptions())
        }
        let server = APIServer(
            configuration: APIServerConfiguration(name: "bench", port: 0, allowsAnonymous: true, authorizationEnabled: false),
            core: core, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        return try await withThrowingTaskGroup(of: [String: Double]?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            let url = try await server.url()
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: logger)
            var results: [String: Double] = [:]
            do {
                // Warm the client's connection pool and code paths so they are not counted.
                _ = try await client.api(ConfigMap.self, namespace: "default").list(pageSize: 50)
                let before = Self.residentMegabytes()
                let informer = Informer(source: ResourceListWatch(api: client.api(ConfigMap.self)), logger: logger)
                let clock = ContinuousClock()
                let start = clock.now
                let running = Task { await informer.run() }
                await informer.store.waitUntilSynced()
                let syncTime = (clock.now - start).seconds
                guard informer.store.count == objectCount else {
                    throw BenchmarkError("informer cached \(informer.store.count) objects, expected \(objectCount)")
                }
                let after = Self.residentMegabytes()
                results["informer_rss_per_10k_mb"] = (after - before) * 10_000 / Double(objectCount)
                results["informer_sync_ms"] = syncTime * 1000
                results["informer_objects"] = Double(objectCount)
                running.cancel()
                await running.value
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return results
        }
    }

    /// A ConfigMap of typical size: a few labels and a few hundred bytes of data.
    static func configMap(_ index: Int) -> JSONValue {
        [
            "metadata": [
                "name": .string("object-\(index)"),
                "labels": ["app": "bench", "tier": .string(index.isMultiple(of: 2) ? "web" : "db"), "shard": .string(String(index % 16))],
            ],
            "data": ["config": .string(String(repeating: "k=v;", count: 64)), "index": .string(String(index))],
        ]
    }

    static func residentMegabytes() -> Double {
        ResidentMemory.currentMegabytes()
    }

    // MARK: Reconcile throughput

    /// Records when each key was added and when a worker got it; signals once all are reconciled.
    final class Timings: Sendable {
        private struct State {
            var added: [ContinuousClock.Instant?]
            var latencies: [Double] = []
            var reconciled = 0
            var finished: CheckedContinuation<Void, Never>?
            var isFinished = false
        }
        private let state: Mutex<State>
        let total: Int

        init(total: Int) {
            self.total = total
            var initial = State(added: Array(repeating: nil, count: total))
            initial.latencies.reserveCapacity(total)
            state = Mutex(initial)
        }

        func added(_ key: Int, at instant: ContinuousClock.Instant) {
            state.withLock { $0.added[key] = instant }
        }

        func reconciled(_ key: Int, at instant: ContinuousClock.Instant) {
            let finished: CheckedContinuation<Void, Never>? = state.withLock { state in
                if let added = state.added[key] { state.latencies.append((instant - added).milliseconds) }
                state.reconciled += 1
                guard state.reconciled == total else { return nil }
                state.isFinished = true
                defer { state.finished = nil }
                return state.finished
            }
            finished?.resume()
        }

        func waitUntilAllReconciled() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.isFinished { return true }
                    state.finished = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        var latencies: [Double] { state.withLock { $0.latencies } }
    }

    struct NoOpReconciler: Reconciler {
        let timings: Timings
        let clock = ContinuousClock()

        func reconcile(_ key: Int) async throws -> ReconcileResult {
            timings.reconciled(key, at: clock.now)
            return .done
        }
    }

    private func reconcileThroughput(workers: Int) async -> (keysPerSecond: Double, latency: LatencySummary) {
        let timings = Timings(total: keyCount)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let controller = Controller(name: "bench-w\(workers)", reconciler: NoOpReconciler(timings: timings), workers: workers, logger: logger)
        let running = Task { await controller.run() }
        let clock = ContinuousClock()
        let start = clock.now
        for key in 0..<keyCount {
            timings.added(key, at: clock.now)
            await controller.enqueue(key)
        }
        await timings.waitUntilAllReconciled()
        let elapsed = (clock.now - start).seconds
        await controller.shutDown()
        await running.value
        return (Double(keyCount) / elapsed, LatencySummary(milliseconds: timings.latencies))
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("bench runtime: \(text)\n".utf8))
    }
}
