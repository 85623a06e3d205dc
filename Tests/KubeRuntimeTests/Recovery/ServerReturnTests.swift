import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Logging
import Synchronization
import Testing

// What an informer and a controller do when their API server comes back after an outage: they
// go back to work as soon as the client's probe sees the server answer, not when a backoff that
// grew while it was away runs out. The backoffs here are 30 s on purpose: any recovery faster
// than that came from the server's return, so the bounds below cannot be met by a lucky backoff.

@Suite struct ServerReturnTests {
    static var quiet: Logger { EmbeddedServer.quiet }

    @Test func anInformerWatchesAgainAsSoonAsItsServerAnswers() async throws {
        let core = try APIServerCore()
        var server = try await EmbeddedServer.Running.start(core: core, port: RestartablePort.next())
        let port = server.port
        let client = try KubeClient(configuration: ClientConfiguration(server: server.url), logger: Self.quiet)
        let api = client.api(ConfigMap.self, namespace: "default")
        let informer = Informer(
            source: ResourceListWatch(api: api),
            backoff: InformerBackoff(initialDelay: .seconds(30), maximumDelay: .seconds(30), jitterFraction: 0), logger: Self.quiet)
        let running = Task { await informer.run() }
        await informer.store.waitUntilSynced()
        await server.stop()
        // The broken watch opened an outage; the informer is now in its 30 s backoff.
        try await eventually("the client saw its server go away") { !client.reachability.isReachable }
        server = try await EmbeddedServer.Running.start(core: core, port: port)
        let returned = ContinuousClock.now
        _ = try await api.create(InformerIntegrationTests.configMap("after-return", value: "1"))
        try await eventually("the informer sees an object created after the server returned", timeout: .seconds(25)) {
            informer.store.get(ObjectKey(namespace: "default", name: "after-return")) != nil
        }
        let recovered = ContinuousClock.now - returned
        #expect(recovered < .seconds(10), "recovered \(recovered) after the server returned (the backoff was 30 s)")
        // (A request on a pooled connection to the old server may open one more short outage.)
        try await eventually("the client sees its server answer") { client.reachability.isReachable }

        running.cancel()
        await running.value
        try await client.shutdown()
        await server.stop()
    }

    @Test func aControllerRetriesAsSoonAsItsServerAnswers() async throws {
        let core = try APIServerCore()
        var server = try await EmbeddedServer.Running.start(core: core, port: RestartablePort.next())
        let port = server.port
        let client = try KubeClient(
            configuration: ClientConfiguration(server: server.url, retry: .never), logger: Self.quiet)
        let reconciler = ReadingReconciler(api: client.api(ConfigMap.self, namespace: "default"))
        let controller = Controller(
            name: "server-return", reconciler: reconciler,
            rateLimiter: ExponentialBackoffRateLimiter<String>(baseDelay: .seconds(30), maxDelay: .seconds(30)), logger: Self.quiet)
        let running = Task { await controller.run() }

        await server.stop()
        await controller.enqueue("wanted")
        try await eventually("the reconcile failed because the server was away") { reconciler.failures.withLock { $0 } >= 1 }
        server = try await EmbeddedServer.Running.start(core: core, port: port)
        let returned = ContinuousClock.now
        try await eventually("the reconcile succeeded after the server returned", timeout: .seconds(25)) {
            reconciler.successes.withLock { $0 } >= 1
        }
        let recovered = ContinuousClock.now - returned
        #expect(recovered < .seconds(10), "recovered \(recovered) after the server returned (the backoff was 30 s)")
        #expect(reconciler.failures.withLock { $0 } == 1, "one failure, then the retry on the server's return")

        await controller.shutDown()
        await running.value
        try await client.shutdown()
        await server.stop()
    }

    /// Reads the namespace `default`'s config maps; counts outcomes.
    final class ReadingReconciler: Reconciler {
        let api: ResourceAPI<ConfigMap>
        let failures = Mutex(0)
        let successes = Mutex(0)

        init(api: ResourceAPI<ConfigMap>) {
            self.api = api
        }

        func reconcile(_ request: String) async throws -> ReconcileResult {
            do {
                _ = try await api.list()
                successes.withLock { $0 += 1 }
                return .done
            } catch {
                failures.withLock { $0 += 1 }
                throw error
            }
        }
    }
}
