import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Synchronization
import Testing

// Two candidates over one Lease on the embedded API server, with short timings (lease 4 s,
// renew deadline 3 s, retry 0.2 s). Assertions are about order and bounds that hold however busy
// the machine is (the suite runs beside hundreds of other tests on two cores).

@Suite struct LeaderElectorTests {
    static func configuration(
        _ identity: String, releaseOnCancel: Bool = true, leaseDuration: Duration = .seconds(4), renewDeadline: Duration = .seconds(3)
    ) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            namespace: "default", leaseName: "election", identity: identity,
            leaseDuration: leaseDuration, renewDeadline: renewDeadline, retryPeriod: .milliseconds(200),
            releaseOnCancel: releaseOnCancel)
    }

    static func withClient(_ body: @Sendable (KubeClient) async throws -> Void) async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            do {
                try await body(client)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }

    @Test func twoCandidatesCompetingForOneLeaseExactlyOneLeads() async throws {
        try await Self.withClient { client in
            let first = LeaderElector(client: client, configuration: Self.configuration("first"), logger: EmbeddedServer.quiet)
            let second = LeaderElector(client: client, configuration: Self.configuration("second"), logger: EmbeddedServer.quiet)
            let running = [Task { await first.run() }, Task { await second.run() }]
            try await eventually("one candidate leads") { first.isLeader || second.isLeader }
            // Never both at once.
            let deadline = ContinuousClock.now + .milliseconds(1500)
            while ContinuousClock.now < deadline {
                #expect(!(first.isLeader && second.isLeader))
                try await Task.sleep(for: .milliseconds(20))
            }
            let leader = first.isLeader ? "first" : "second"
            let lease = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(lease.spec?.holderIdentity == leader)
            #expect(lease.spec?.leaseDurationSeconds == 4)
            #expect(lease.spec?.leaseTransitions == 0)
            for task in running { task.cancel() }
            for task in running { await task.value }
            #expect(!first.isLeader && !second.isLeader)
        }
    }

    @Test func aGracefullyStoppedLeaderReleasesAndTheOtherTakesOverQuickly() async throws {
        try await Self.withClient { client in
            // A 60 s lease: a takeover well within it can only come from the release.
            let first = LeaderElector(
                client: client, configuration: Self.configuration("first", leaseDuration: .seconds(60), renewDeadline: .seconds(40)),
                logger: EmbeddedServer.quiet)
            let second = LeaderElector(
                client: client, configuration: Self.configuration("second", leaseDuration: .seconds(60), renewDeadline: .seconds(40)),
                logger: EmbeddedServer.quiet)
            let firstRun = Task { await first.run() }
            try await eventually("first leads") { first.isLeader }
            let secondRun = Task { await second.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!second.isLeader)

            let stopped = ContinuousClock.now
            firstRun.cancel()
            await firstRun.value
            #expect(!first.isLeader)
            // Released on stop: the record no longer names `first` (it is empty, or already `second`'s).
            let afterStop = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(afterStop.spec?.holderIdentity != "first")
            try await eventually("second takes over", timeout: .seconds(10)) { second.isLeader }
            let tookOver = ContinuousClock.now - stopped
            // The released lease is taken on the next attempt (every 200 ms; measured about
            // 0.2 s), long before the 60 s lease would expire; the bound leaves room for a
            // starved machine.
            #expect(tookOver < .seconds(30), "took over \(tookOver) after the leader stopped (lease: 60 s)")
            let lease = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(lease.spec?.holderIdentity == "second")
            #expect(lease.spec?.leaseTransitions == 1)
            secondRun.cancel()
            await secondRun.value
            let released = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(released.spec?.holderIdentity == "")
            #expect(released.spec?.leaseDurationSeconds == 1)
        }
    }

    @Test func aLeaderThatDiesWithoutReleasingIsReplacedWithinTheLeaseDuration() async throws {
        try await Self.withClient { client in
            let first = LeaderElector(
                client: client, configuration: Self.configuration("first", releaseOnCancel: false), logger: EmbeddedServer.quiet)
            let second = LeaderElector(client: client, configuration: Self.configuration("second"), logger: EmbeddedServer.quiet)
            let firstRun = Task { await first.run() }
            try await eventually("first leads") { first.isLeader }
            let secondRun = Task { await second.run() }
            try await Task.sleep(for: .milliseconds(300))

            let died = ContinuousClock.now
            firstRun.cancel()
            await firstRun.value
            let lease = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(lease.spec?.holderIdentity == "first")
            try await eventually("second takes over", timeout: .seconds(20)) { second.isLeader }
            let waited = ContinuousClock.now - died
            // Not before the lease, as `second` last observed it renewed, expired; and soon after.
            #expect(waited > .seconds(3))
            #expect(waited < .seconds(15), "took over \(waited) after the leader died (lease: 4 s, retry: 200 ms)")
            secondRun.cancel()
            await secondRun.value
        }
    }

    @Test func losingTheLeaseStopsLeadershipAndCancelsTheWork() async throws {
        try await Self.withClient { client in
            let elector = LeaderElector(client: client, configuration: Self.configuration("first"), logger: EmbeddedServer.quiet)
            let updates = elector.leadershipUpdates()
            let workCancelled = Mutex(false)
            let running = Task {
                await elector.run {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                    workCancelled.withLock { $0 = true }
                }
            }
            try await eventually("leads") { elector.isLeader }
            // Someone else takes the lease over behind the elector's back.
            let api = client.api(Lease.self, namespace: "default")
            // The elector renews concurrently: re-read on conflict, as any writer must.
            _ = try await retryOnConflict {
                var lease = try await api.get("election")
                lease.spec?.holderIdentity = "intruder"
                lease.spec?.leaseDurationSeconds = 60
                return try await api.replace(lease)
            }
            try await eventually("leadership lost", timeout: .seconds(10)) { !elector.isLeader }
            try await eventually("work cancelled", timeout: .seconds(5)) { workCancelled.withLock { $0 } }
            // Back to competing, the elector sees the intruder's record (it may have lost the lease
            // to a missed renew deadline first on a busy machine).
            try await eventually("the intruder is observed", timeout: .seconds(10)) { elector.observedLeader == "intruder" }
            running.cancel()
            await running.value
            // The intruder's lease is not ours to release.
            #expect(try await api.get("election").spec?.holderIdentity == "intruder")
            var seen: [Bool] = []
            for await value in updates {
                seen.append(value)
                if seen.count == 3 { break }
            }
            #expect(seen == [false, true, false])
        }
    }
}
