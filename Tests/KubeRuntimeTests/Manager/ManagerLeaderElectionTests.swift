import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Testing

// Two whole Managers (each with informers and the same leader-gated controller) competing for one
// Lease on the embedded API server over HTTPS, with short timings (lease 15 s, renew deadline
// 10 s, retry 0.5 s: with 6 s / 4 s the leader lost its lease on a loaded 2-core machine running
// the whole suite, local fleets and traffic included). Only the leader reconciles; when it shuts
// down gracefully the other takes over — at once when the lease is released, else once the lease
// expires.

@Suite struct ManagerLeaderElectionTests {
    static let leaseDuration = Duration.seconds(15)

    static func election(_ identity: String, releaseOnCancel: Bool) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            namespace: "default", leaseName: "copier", identity: identity,
            leaseDuration: leaseDuration, renewDeadline: .seconds(10), retryPeriod: .milliseconds(500),
            releaseOnCancel: releaseOnCancel)
    }

    static func masterStatus(_ process: CopierProcess) async throws -> Double? {
        PrometheusSamples(try await process.get("/metrics").body)[#"leader_election_master_status{name="copier"}"#]
    }

    @Test(arguments: [true, false])
    func onlyTheLeadingManagerReconcilesAndTheOtherTakesOverWhenItShutsDown(releaseOnCancel: Bool) async throws {
        let core = try APIServerCore()
        let identity = try ServerIdentity()
        let server = try await EmbeddedServer.Running.start(core: core, port: 0, tls: identity)
        let admin = try KubeClient(configuration: try identity.clientConfiguration(url: server.url), logger: EmbeddedServer.quiet)
        let maps = admin.api(ConfigMap.self, namespace: "default")
        _ = try await maps.create(ConfigMapCopier.source("alpha", value: "1"))

        let configuration = try identity.clientConfiguration(url: server.url)
        let first = try await CopierProcess.start(client: configuration, leaderElection: Self.election("first", releaseOnCancel: releaseOnCancel))
        let second = try await CopierProcess.start(client: configuration, leaderElection: Self.election("second", releaseOnCancel: releaseOnCancel))
        try await eventually("one manager leads", timeout: .seconds(30)) { first.manager.isLeader || second.manager.isLeader }
        let (leader, follower, followerName) = first.manager.isLeader ? (first, second, "second") : (second, first, "first")

        try await eventually("the leader converged alpha", timeout: .seconds(30)) {
            (try? await maps.get("alpha-copy"))?.data == ["value": "1"]
        }
        _ = try await maps.create(ConfigMapCopier.source("beta", value: "1"))
        try await eventually("the leader converged beta", timeout: .seconds(30)) {
            (try? await maps.get("beta-copy"))?.data == ["value": "1"]
        }
        try await eventually("both managers are ready", timeout: .seconds(30)) {
            let firstStatus = try await first.get("/readyz").status
            let secondStatus = try await second.get("/readyz").status
            return firstStatus == 200 && secondStatus == 200
        }
        // The follower's caches are synced (it is ready), yet its controller never ran.
        #expect(leader.manager.isLeader && !follower.manager.isLeader)
        #expect(!leader.reconciles.values.isEmpty)
        #expect(follower.reconciles.values.isEmpty)
        #expect(try await admin.api(Lease.self, namespace: "default").get("copier").spec?.holderIdentity != followerName)
        #expect(try await Self.masterStatus(leader) == 1)
        #expect(try await Self.masterStatus(follower) == 0)

        // The leader shuts down gracefully; the follower takes over and reconciles every cached key.
        // Measured while the stop runs: the manager stops leading within milliseconds, but closing
        // its client then waits up to NIOSSL's 5 s shutdown timeout for the server's close_notify.
        let stoppedAt = ContinuousClock.now
        let stopping = Task { try await leader.stop() }
        try await eventually("the follower took over and reconciled", timeout: .seconds(60)) {
            follower.reconciles.values.count >= 4
        }
        let takeover = ContinuousClock.now - stoppedAt
        #expect(takeover < Self.leaseDuration * 3, "takeover took \(takeover)")
        try await stopping.value
        #expect(follower.manager.isLeader)
        #expect(try await admin.api(Lease.self, namespace: "default").get("copier").spec?.holderIdentity == followerName)
        #expect(try await Self.masterStatus(follower) == 1)

        // The new leader keeps converging.
        _ = try await retryOnConflict {
            var alpha = try await maps.get("alpha")
            alpha.data = ["value": "2"]
            return try await maps.replace(alpha)
        }
        try await eventually("the new leader converged alpha's change", timeout: .seconds(30)) {
            (try? await maps.get("alpha-copy"))?.data == ["value": "2"]
        }

        try await follower.stop()
        try await admin.shutdown()
        await server.stop()
    }
}
