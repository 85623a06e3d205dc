import FaultInjection
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import LocalFleet
import Logging
import Synchronization
import Testing

// The fault suite's data-plane part: on a local fleet with real HTTP through member-2's
// multi-cluster load balancer, each member's agents reach the hub through a FaultProxy, which
// partitions one member from the hub for longer than the dead-member bound (3 heartbeat
// periods; 1 s periods here, FAULT_HEARTBEAT_SECONDS=30 for `fleetnet up`'s default). An exporter cut off has its endpoints withdrawn, so traffic goes only to the other
// cluster and no request fails; changes on both sides during the partition are there after it
// heals. The importer cut off keeps serving its last import to both clusters throughout.

@Suite(.serialized) struct LocalFleetFaultTests {
    static let quiet: Logger = {
        var logger = Logger(label: "fault-proxy")
        logger.logLevel = .critical
        return logger
    }()

    /// The members' heartbeat period: FAULT_HEARTBEAT_SECONDS, default 1.
    static let heartbeat: Int32 = Int32(ProcessInfo.processInfo.environment["FAULT_HEARTBEAT_SECONDS"] ?? "") ?? 1

    /// Long enough for the dead-member bound and what follows it.
    static var withdrawalTimeout: Duration { .seconds(30 + 4 * Int(heartbeat)) }

    @Test func trafficThroughTheLoadBalancerSurvivesAPartitionOfAnExporterAndOfTheImporter() async throws {
        let proxies = Mutex<[String: FaultProxy]>([:])
        let outcome: Result<Void, any Error>
        do {
            try await LocalFleetE2ETests.withTutorialFleet(heartbeatPeriodSeconds: Self.heartbeat, memberHubURL: { member, hubURL in
                let hubPort = try #require(URL(string: hubURL)?.port)
                let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: hubPort, logger: Self.quiet)
                proxies.withLock { $0[member] = proxy }
                return "https://127.0.0.1:\(proxy.port)"
            }) { fleet in
                let exporter = try #require(proxies.withLock { $0["member-1"] })
                let importer = try #require(proxies.withLock { $0["member-2"] })
                try await Self.partitionTheExporter(fleet, exporter)
                try await Self.partitionTheImporter(fleet, importer)
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for proxy in proxies.withLock({ Array($0.values) }) { await proxy.stop() }
        try outcome.get()
    }

    /// member-1 exports and is cut off from the hub; both sides scale during the partition.
    static func partitionTheExporter(_ fleet: LocalFleetE2ETests.Fleet, _ proxy: FaultProxy) async throws {
        try await eventually("both clusters answer") { await fleet.answeringClusters(20) == ["member-1", "member-2"] }
        var start = ContinuousClock.now
        proxy.mode = .blackhole
        try await eventually("member-1's endpoints are withdrawn from member-2's import", timeout: withdrawalTimeout) {
            try await fleet.importedEndpoints() == ["member-2": 2]
        }
        let withdrawn = start.duration(to: .now)
        try await eventually("only member-2 answers, and every request is answered") {
            let answers = await fleet.answers(20)
            return answers.allSatisfy { $0?.cluster == "member-2" }
        }
        try await fleet.setReplicas(3, in: "member-1")
        try await fleet.setReplicas(1, in: "member-2")
        try await eventually("member-2 imports its own one endpoint") { try await fleet.importedEndpoints() == ["member-2": 1] }

        start = ContinuousClock.now
        proxy.mode = .pass
        try await eventually("member-2 imports member-1's 3 endpoints and its own 1") {
            try await fleet.importedEndpoints() == ["member-1": 3, "member-2": 1]
        }
        try await eventually("traffic reaches the 3 pods of member-1 and the pod of member-2, every request answered") {
            let answers = await fleet.answers(40)
            return answers.allSatisfy { $0 != nil } && Set(answers.compactMap { $0.map { "\($0.cluster)/\($0.pod)" } }).count == 4
        }
        FaultFigures.record(
            "local fleet (\(heartbeat) s heartbeats), traffic checked: exporter partitioned from the hub", withdrawn: withdrawn, converged: start.duration(to: .now))
    }

    /// member-2 (the importer, whose load balancer carries the traffic) is cut off from the hub.
    /// The hub withdraws member-2's endpoints from every importer, but member-2 cannot hear it:
    /// it keeps serving what it imported last, from both clusters.
    static func partitionTheImporter(_ fleet: LocalFleetE2ETests.Fleet, _ proxy: FaultProxy) async throws {
        let hubImports = fleet.hub.api(EndpointSliceImport.self, namespace: FleetNamespaces.member("member-2"))
        @Sendable func hubHoldsMember2sOwnEndpoints() async throws -> Bool {
            // Withdrawn copies wait for member-2's finalizer, which it cannot remove while cut off.
            try await hubImports.list().items.contains {
                $0.spec.endpointSliceReference.clusterId == "member-2" && !$0.metadata.isDeleting
            }
        }
        try await eventually("the hub holds member-2's import of its own endpoints") { try await hubHoldsMember2sOwnEndpoints() }
        proxy.mode = .blackhole
        let start = ContinuousClock.now
        try await eventually("the hub has withdrawn member-2's endpoints (no heartbeat)", timeout: withdrawalTimeout) { try await !hubHoldsMember2sOwnEndpoints() }
        let withdrawn = start.duration(to: .now)
        // Cut off, member-2 still serves both clusters, every request answered.
        let during = await fleet.answers(40)
        #expect(during.allSatisfy { $0 != nil }, "every request is answered while the importer is cut off")
        #expect(Set(during.compactMap { $0?.cluster }) == ["member-1", "member-2"])
        #expect(try await fleet.importedEndpoints() == ["member-1": 3, "member-2": 1])

        let healed = ContinuousClock.now
        proxy.mode = .pass
        try await eventually("the hub restores member-2's endpoints") { try await hubHoldsMember2sOwnEndpoints() }
        try await eventually("member-2 imports 3 + 1 endpoints and both clusters answer every request") {
            let answers = await fleet.answers(40)
            return try await fleet.importedEndpoints() == ["member-1": 3, "member-2": 1] && answers.allSatisfy { $0 != nil }
                && Set(answers.compactMap { $0?.cluster }) == ["member-1", "member-2"]
        }
        FaultFigures.record(
            "local fleet (\(heartbeat) s heartbeats), traffic checked: importer partitioned from the hub", withdrawn: withdrawn,
            converged: healed.duration(to: .now))
    }
}
