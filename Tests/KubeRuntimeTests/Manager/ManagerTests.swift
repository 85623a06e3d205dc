import AsyncHTTPClient
import NIOCore
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@Suite struct ManagerTests {
    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func leaderGatedRunnableReadinessAndProbeEndpoints() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let quiet = EmbeddedServer.quiet
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: quiet)
            let metrics = MetricsRegistry()
            let elector = LeaderElector(
                client: client,
                configuration: LeaderElectionConfiguration(
                    namespace: "default", leaseName: "manager", identity: "manager-1",
                    leaseDuration: .seconds(1), renewDeadline: .milliseconds(600), retryPeriod: .milliseconds(100)),
                metricsFactory: metrics.factory, logger: quiet)
            let manager = Manager(configuration: ManagerConfiguration(port: 0), leaderElector: elector, metrics: metrics, logger: quiet)

            let gatedRunning = Mutex(false)
            let ungatedStarted = Mutex(false)
            let synced = Mutex(false)
            manager.add("gated", needsLeaderElection: true) {
                gatedRunning.withLock { $0 = true }
                defer { gatedRunning.withLock { $0 = false } }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            }
            manager.add("ungated", needsLeaderElection: false) {
                ungatedStarted.withLock { $0 = true }
                while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            }
            manager.addReadinessCheck("ping") { true }
            manager.addReadinessCheck("caches-synced") { synced.withLock { $0 } }

            // Someone else holds the lease for now: the gated runnable must wait.
            let leases = client.api(Lease.self, namespace: "default")
            var held = Lease(metadata: ObjectMeta(name: "manager", namespace: "default"))
            held.spec = LeaseSpec(holderIdentity: "other", leaseDurationSeconds: 60, renewTime: .now())
            _ = try await leases.create(held)

            let group = ServiceGroup(configuration: .init(services: [.init(service: manager)], logger: quiet))
            let running = Task { try await group.run() }
            let port = try await manager.waitUntilListening()
            #expect(port > 0)
            let base = "http://127.0.0.1:\(port)"

            let health = try await Self.get(base + "/healthz")
            #expect(health.status == 200 && health.body == "ok")
            let notReady = try await Self.get(base + "/readyz")
            #expect(notReady.status == 500)
            #expect(notReady.body == "[-]caches-synced failed: reason withheld\n[+]ping ok\nhealthz check failed\n")
            let excluding = try await Self.get(base + "/readyz?exclude=caches-synced")
            #expect(excluding.status == 200 && excluding.body == "ok")
            let single = try await Self.get(base + "/readyz/caches-synced")
            #expect(single.status == 500)
            #expect(try await Self.get(base + "/readyz/ping").status == 200)
            #expect(try await Self.get(base + "/readyz/unknown").status == 404)
            try await eventually("ungated runnable started") { ungatedStarted.withLock { $0 } }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!gatedRunning.withLock { $0 })
            #expect(!manager.isLeader)
            #expect(PrometheusSamples(try await Self.get(base + "/metrics").body)[#"leader_election_master_status{name="manager"}"#] == 0)

            synced.withLock { $0 = true }
            let ready = try await Self.get(base + "/readyz")
            #expect(ready.status == 200 && ready.body == "ok")
            let verbose = try await Self.get(base + "/readyz?verbose")
            #expect(verbose.status == 200 && verbose.body == "[+]caches-synced ok\n[+]ping ok\nhealthz check passed\n")

            // The other holder releases: the manager leads and starts the gated runnable.
            // The elector renews every 100 ms: on a loaded machine a few tries can all lose the race.
            _ = try await retryOnConflict(backoff: Backoff(duration: .milliseconds(20), factor: 1.5, jitter: 0.5, steps: 30, cap: .milliseconds(500))) {
                var lease = try await leases.get("manager")
                lease.spec?.holderIdentity = ""
                lease.spec?.leaseDurationSeconds = 1
                return try await leases.replace(lease)
            }
            try await eventually("gated runnable running") { gatedRunning.withLock { $0 } }
            #expect(manager.isLeader)
            let exposition = PrometheusSamples(try await Self.get(base + "/metrics").body)
            #expect(exposition[#"leader_election_master_status{name="manager"}"#] == 1)

            // Leadership lost (the lease is taken over): the gated runnable is cancelled at once.
            // The elector renews every 100 ms: on a loaded machine a few tries can all lose the race.
            _ = try await retryOnConflict(backoff: Backoff(duration: .milliseconds(20), factor: 1.5, jitter: 0.5, steps: 30, cap: .milliseconds(500))) {
                var lease = try await leases.get("manager")
                lease.spec?.holderIdentity = "other"
                lease.spec?.leaseDurationSeconds = 60
                return try await leases.replace(lease)
            }
            try await eventually("gated runnable cancelled", timeout: .seconds(3)) {
                !gatedRunning.withLock { $0 }
            }
            #expect(!manager.isLeader)

            await group.triggerGracefulShutdown()
            try await running.value
            await #expect(throws: (any Error).self) { _ = try await Self.get(base + "/healthz") }
            try await client.shutdown()
        }
    }
}

extension ManagerTests {
    struct RunnableFailed: Error {}

    @Test func aFailingRunnableStopsTheManagerAndCancelsTheOthers() async throws {
        let manager = Manager(configuration: ManagerConfiguration(port: 0), logger: EmbeddedServer.quiet)
        let otherCancelled = Mutex(false)
        manager.add("long-running", needsLeaderElection: false) {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            otherCancelled.withLock { $0 = true }
        }
        // Without an elector, gated runnables start at once.
        manager.add("failing", needsLeaderElection: true) {
            try await Task.sleep(for: .milliseconds(100))
            throw RunnableFailed()
        }
        await #expect(throws: RunnableFailed.self) { try await manager.run() }
        #expect(otherCancelled.withLock { $0 })
        #expect(manager.isLeader)
    }
}
