import FaultInjection
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Synchronization
import Testing

// Two managers of one kind (the ConfigMap copier, leader-gated) race for one Lease, each reaching
// the API server through its own FaultProxy. The leader is partitioned away for longer than the
// lease: it must stop leading once it cannot renew (renew deadline), the other takes over once
// the lease expires, and when the partition heals the old leader stays a follower. At no moment
// do both lead, and every change made before, during and after the partition is copied — no
// write is lost and none of the old leader's reaches the server late.

@Suite struct PartitionedLeaderTests {
    static func election(_ identity: String) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            namespace: "default", leaseName: "copier", identity: identity,
            leaseDuration: .seconds(6), renewDeadline: .seconds(4), retryPeriod: .milliseconds(250))
    }

    @Test func aPartitionedLeaderStepsDownTheOtherTakesOverAndAfterTheHealExactlyOneLeads() async throws {
        let core = try APIServerCore()
        let server = try await EmbeddedServer.Running.start(core: core, port: 0)
        let serverPort = try #require(server.url.split(separator: ":").last.flatMap { Int($0) })
        let proxyA = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: serverPort, logger: EmbeddedServer.quiet)
        let proxyB = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: serverPort, logger: EmbeddedServer.quiet)
        let admin = try KubeClient(configuration: ClientConfiguration(server: server.url), logger: EmbeddedServer.quiet)
        let maps = admin.api(ConfigMap.self, namespace: "default")

        let a = try await CopierProcess.start(
            client: ClientConfiguration(server: "http://127.0.0.1:\(proxyA.port)"), leaderElection: Self.election("a"))
        try await eventually("a leads", timeout: .seconds(30)) { a.manager.isLeader }
        let b = try await CopierProcess.start(
            client: ClientConfiguration(server: "http://127.0.0.1:\(proxyB.port)"), leaderElection: Self.election("b"))
        // Both leading at once, at any sample from here on, is a split brain.
        let splitBrain = Mutex(0)
        let monitor = Task {
            while !Task.isCancelled {
                if a.manager.isLeader && b.manager.isLeader { splitBrain.withLock { $0 += 1 } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        _ = try await maps.create(ConfigMapCopier.source("before", value: "1"))
        try await eventually("a copies what was there before", timeout: .seconds(30)) {
            (try? await maps.get("before-copy"))?.data == ["value": "1"]
        }

        // a is cut off.
        let cut = ContinuousClock.now
        proxyA.mode = .blackhole
        _ = try await maps.create(ConfigMapCopier.source("during", value: "1"))
        try await eventually("a steps down once it cannot renew", timeout: .seconds(20)) { !a.manager.isLeader }
        let steppedDown = ContinuousClock.now - cut
        try await eventually("b takes over once the lease expires", timeout: .seconds(30)) { b.manager.isLeader }
        let tookOver = ContinuousClock.now - cut
        try await eventually("b copies what changed during the partition", timeout: .seconds(30)) {
            (try? await maps.get("during-copy"))?.data == ["value": "1"]
        }
        #expect(steppedDown < .seconds(10), "a stepped down \(steppedDown) after the cut (renew deadline 4 s)")
        #expect(tookOver >= .seconds(4), "b took over \(tookOver) after the cut: before the lease could expire")

        // The partition heals: b keeps leading, a stays a follower.
        proxyA.mode = .pass
        _ = try await retryOnConflict {
            var before = try await maps.get("before")
            before.data = ["value": "2"]
            return try await maps.replace(before)
        }
        _ = try await maps.create(ConfigMapCopier.source("after", value: "1"))
        try await eventually("b copies what changed after the heal", timeout: .seconds(30)) {
            let before = try? await maps.get("before-copy")
            let after = try? await maps.get("after-copy")
            return before?.data == ["value": "2"] && after?.data == ["value": "1"]
        }
        try await consistently("b leads and a follows", for: .seconds(2)) { b.manager.isLeader && !a.manager.isLeader }
        let lease = try await admin.api(Lease.self, namespace: "default").get("copier")
        #expect(lease.spec?.holderIdentity == "b")
        monitor.cancel()
        await monitor.value
        #expect(splitBrain.withLock { $0 } == 0, "both managers led at once in \(splitBrain.withLock { $0 }) samples")
        // No late write of a's: every copy holds its source's latest value.
        for name in ["before", "during", "after"] {
            let source = try await maps.get(name)
            #expect(try await maps.get("\(name)-copy").data == source.data, "\(name)-copy")
        }

        try await a.stop()
        try await b.stop()
        await proxyA.stop()
        await proxyB.stop()
        try await admin.shutdown()
        await server.stop()
    }
}
