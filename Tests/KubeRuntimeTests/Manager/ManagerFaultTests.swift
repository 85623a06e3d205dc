import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Testing

// A whole Manager (shared informers + a ControllerBuilder controller) against the embedded API
// server over HTTPS, through an API server outage: it starts while nothing serves (not ready),
// becomes ready once its caches sync, converges, and converges again after the API server was
// stopped and restarted on the same port and storage — without restarting the Manager.
// Timeouts are generous: the suite runs beside hundreds of other tests on two cores.

@Suite struct ManagerFaultTests {
    /// Runs `body` with a fresh admin client of the server at `url`, closed afterwards.
    static func withAdmin<T: Sendable>(
        _ identity: ServerIdentity, url: String, _ body: @Sendable (ResourceAPI<ConfigMap>) async throws -> T
    ) async throws -> T {
        let client = try KubeClient(configuration: try identity.clientConfiguration(url: url), logger: EmbeddedServer.quiet)
        do {
            let value = try await body(client.api(ConfigMap.self, namespace: "default"))
            try await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    static func copyValue(_ maps: ResourceAPI<ConfigMap>, of name: String) async throws -> String? {
        (try? await maps.get(name + "-copy"))?.data?["value"]
    }

    @Test func aManagerBecomesReadyWhenCachesSyncConvergesAndConvergesAgainAfterTheAPIServerRestarts() async throws {
        let core = try APIServerCore()
        let identity = try ServerIdentity()
        // A first run of the server picks the port and seeds the storage, then goes away.
        var server = try await EmbeddedServer.Running.start(core: core, port: RestartablePort.next(), tls: identity)
        let port = server.port
        let url = server.url
        #expect(url.hasPrefix("https://"))
        try await Self.withAdmin(identity, url: url) { maps in
            _ = try await maps.create(ConfigMapCopier.source("alpha", value: "1"))
        }
        await server.stop()

        // The manager starts while the API server is down: alive, not ready, nothing reconciled.
        let process = try await CopierProcess.start(client: try identity.clientConfiguration(url: url))
        #expect(try await process.get("/healthz") == (200, "ok"))
        let notReady = try await process.get("/readyz?verbose")
        #expect(notReady.status == 500)
        #expect(notReady.body == "[-]\(CopierProcess.readinessCheck) failed: reason withheld\nhealthz check failed\n")
        #expect(process.reconciles.values.isEmpty)

        // The API server comes up: caches sync, the manager turns ready and the controller converges.
        server = try await EmbeddedServer.Running.start(core: core, port: port, tls: identity)
        try await eventually("the manager is ready", timeout: .seconds(30)) {
            try await process.get("/readyz").status == 200
        }
        #expect(try await process.get("/readyz?verbose").body == "[+]\(CopierProcess.readinessCheck) ok\nhealthz check passed\n")
        try await Self.withAdmin(identity, url: url) { maps in
            try await eventually("alpha is copied", timeout: .seconds(30)) {
                try await Self.copyValue(maps, of: "alpha") == "1"
            }
        }

        // Outage: the server stops (closing every watch and connection) and comes back on the same
        // port over the same storage. Changes made after the restart must reach the same manager.
        await server.stop()
        try await Task.sleep(for: .milliseconds(500))  // let the informers fail a few reconnects
        server = try await EmbeddedServer.Running.start(core: core, port: port, tls: identity)
        try await Self.withAdmin(identity, url: url) { maps in
            _ = try await retryOnConflict {
                var alpha = try await maps.get("alpha")
                alpha.data = ["value": "2"]
                return try await maps.replace(alpha)
            }
            _ = try await maps.create(ConfigMapCopier.source("beta", value: "1"))
            try await eventually("the controller converged again after the restart", timeout: .seconds(60)) {
                let alpha = try await Self.copyValue(maps, of: "alpha")
                let beta = try await Self.copyValue(maps, of: "beta")
                return alpha == "2" && beta == "1"
            }
        }
        #expect(try await process.get("/readyz").status == 200)
        let samples = PrometheusSamples(try await process.get("/metrics").body)
        let successes = samples[#"controller_runtime_reconcile_total{controller="\#(CopierProcess.controllerName)",result="success"}"#]
        #expect((successes ?? 0) >= 3)

        try await process.stop()
        await server.stop()
    }
}
