import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Synchronization
import Testing

// Two candidates over one Lease on the embedded API server, with short timings
// (lease 1 s, renew deadline 0.6 s, retry 0.1 s).

@Suite struct LeaderElectorTests {
    static func configuration(_ identity: String, releaseOnCancel: Bool = true) -> LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            namespace: "default", leaseName: "election", identity: identity,
            leaseDuration: .seconds(1), renewDeadline: .milliseconds(600), retryPeriod: .milliseconds(100),
            releaseOnCancel: releaseOnCancel)
    }

    static func withClient(_ body: @Sendable (KubeClient) async throws -> Void) async throws {
        let core = try APIServerCore()
        try await InformerIntegrationTests.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: InformerIntegrationTests.quiet)
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
            let first = LeaderElector(client: client, configuration: Self.configuration("first"), logger: InformerIntegrationTests.quiet)
            let second = LeaderElector(client: client, configuration: Self.configuration("second"), logger: InformerIntegrationTests.quiet)
            let running = [Task { await first.run() }, Task { await second.run() }]
            try await InformerIntegrationTests.eventually("one candidate leads") { first.isLeader || second.isLeader }
            // Across more than a lease duration, never both, and always one.
            let deadline = ContinuousClock.now + .milliseconds(1500)
            while ContinuousClock.now < deadline {
                let leaders = [first.isLeader, second.isLeader].filter { $0 }.count
                #expect(leaders == 1)
                try await Task.sleep(for: .milliseconds(20))
            }
            let leader = first.isLeader ? "first" : "second"
            let lease = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(lease.spec?.holderIdentity == leader)
            #expect(lease.spec?.leaseDurationSeconds == 1)
            #expect(lease.spec?.leaseTransitions == 0)
            for task in running { task.cancel() }
            for task in running { await task.value }
            #expect(!first.isLeader && !second.isLeader)
        }
    }

    @Test func aGracefullyStoppedLeaderReleasesAndTheOtherTakesOverQuickly() async throws {
        try await Self.withClient { client in
            let first = LeaderElector(client: client, configuration: Self.configuration("first"), logger: InformerIntegrationTests.quiet)
            let second = LeaderElector(client: client, configuration: Self.configuration("second"), logger: InformerIntegrationTests.quiet)
            let firstRun = Task { await first.run() }
            try await InformerIntegrationTests.eventually("first leads") { first.isLeader }
            let secondRun = Task { await second.run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(!second.isLeader)

            let stopped = ContinuousClock.now
            firstRun.cancel()
            await firstRun.value
            #expect(!first.isLeader)
            try await InformerIntegrationTests.eventually("second takes over", timeout: .seconds(5)) { second.isLeader }
            // Released: no waiting for the 1 s lease to run out.
            #expect(ContinuousClock.now - stopped < .milliseconds(800))
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
                client: client, configuration: Self.configuration("first", releaseOnCancel: false), logger: InformerIntegrationTests.quiet)
            let second = LeaderElector(client: client, configuration: Self.configuration("second"), logger: InformerIntegrationTests.quiet)
            let firstRun = Task { await first.run() }
            try await InformerIntegrationTests.eventually("first leads") { first.isLeader }
            let secondRun = Task { await second.run() }
            try await Task.sleep(for: .milliseconds(300))

            let died = ContinuousClock.now
            firstRun.cancel()
            await firstRun.value
            let lease = try await client.api(Lease.self, namespace: "default").get("election")
            #expect(lease.spec?.holderIdentity == "first")
            try await InformerIntegrationTests.eventually("second takes over", timeout: .seconds(5)) { second.isLeader }
            let waited = ContinuousClock.now - died
            // Not before the lease (as observed by `second`) expired, and not long after.
            #expect(waited > .milliseconds(700))
            #expect(waited < .milliseconds(2500))
            secondRun.cancel()
            await secondRun.value
        }
    }

    @Test func losingTheLeaseStopsLeadershipAndCancelsTheWork() async throws {
        try await Self.withClient { client in
            let elector = LeaderElector(client: client, configuration: Self.configuration("first"), logger: InformerIntegrationTests.quiet)
            let updates = elector.leadershipUpdates()
            let workCancelled = Mutex(false)
            let running = Task {
                await elector.run {
                    while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
                    workCancelled.withLock { $0 = true }
                }
            }
            try await InformerIntegrationTests.eventually("leads") { elector.isLeader }
            // Someone else takes the lease over behind the elector's back.
            let api = client.api(Lease.self, namespace: "default")
            // The elector renews concurrently: re-read on conflict, as any writer must.
            _ = try await retryOnConflict {
                var lease = try await api.get("election")
                lease.spec?.holderIdentity = "intruder"
                lease.spec?.leaseDurationSeconds = 60
                return try await api.replace(lease)
            }
            try await InformerIntegrationTests.eventually("leadership lost", timeout: .seconds(3)) { !elector.isLeader }
            try await InformerIntegrationTests.eventually("work cancelled", timeout: .seconds(1)) { workCancelled.withLock { $0 } }
            #expect(elector.observedLeader == "intruder")
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
