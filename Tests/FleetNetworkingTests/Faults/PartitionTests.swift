import FaultInjection
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// Fault suite: the hub is partitioned from one member (a FaultProxy between member-1's agents and
// the hub black-holes every byte) for longer than the dead-member bound, while both members
// export, unexport and change endpoints. During the partition the hub withdraws member-1's
// endpoints (no heartbeat); after it heals the fleet converges to exactly the state a run of the
// same scenario without the partition reaches, compared object by object across the fleet.

@Suite(.serialized) struct PartitionTests {
    struct Outcome: Sendable {
        var snapshot: FleetSnapshot
        /// From the partition's start until member-1's endpoints left member-2's import.
        var withdrawn: Duration?
        /// From the heal until the fleet showed the final state.
        var converged: Duration
    }

    static let namespace = E2E.namespace

    /// Runs the scenario on a fresh fleet, with or without the partition.
    static func run(partitioned: Bool) async throws -> Outcome {
        try await FleetTestbed.run { fleet in
            let hubPort = try #require(URL(string: fleet.hub.url)?.port)
            let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: hubPort, logger: FleetTestbed.quiet)
            let throughProxy = try KubeClient(
                configuration: ClientConfiguration(server: "http://127.0.0.1:\(proxy.port)"), logger: FleetTestbed.quiet)
            let outcome: Result<Outcome, any Error>
            do {
                outcome = .success(
                    try await fleet.runningEverything(heartbeatPeriodSeconds: 1, hubClients: ["member-1": throughProxy]) { _ in
                        try await scenario(fleet, proxy: partitioned ? proxy : nil)
                    })
            } catch {
                outcome = .failure(error)
            }
            try? await throughProxy.shutdown()
            await proxy.stop()
            return try outcome.get()
        }
    }

    static func scenario(_ fleet: FleetTestbed, proxy: FaultProxy?) async throws -> Outcome {
        let member1 = fleet.member("member-1")
        let member2 = fleet.member("member-2")
        // Before: app exported by both and imported in member-2; old exported by member-1.
        try await E2E.exportAndImport(fleet)
        _ = try await member1.client.api(Service.self, namespace: namespace).create(makeService(namespace, "old"))
        _ = try await member1.client.api(EndpointSlice.self, namespace: namespace)
            .create(E2E.slice("old-member-1", service: "old", addresses: ["127.11.0.9"]))
        _ = try await member1.client.api(ServiceExport.self, namespace: namespace).create(E2E.serviceExport("old"))
        let hubImports = fleet.hub.client.api(ServiceImport.self, namespace: namespace)
        try await eventually("the hub imports old") { try await getIfPresent(hubImports, "old") != nil }
        let derived = try #require(try await E2E.derivedServiceName(member2))

        // The partition, and changes on both sides while it lasts.
        let start = ContinuousClock.now
        proxy?.mode = .blackhole
        let slices1 = member1.client.api(EndpointSlice.self, namespace: namespace)
        let slices2 = member2.client.api(EndpointSlice.self, namespace: namespace)
        try await update(slices1, "app-member-1") { slice in
            slice.endpoints.append(Endpoint(addresses: ["127.11.0.3"], conditions: EndpointConditions(ready: true, serving: true, terminating: false)))
        }
        try await update(slices2, "app-member-2") { slice in slice.endpoints.removeAll { $0.addresses == ["127.12.0.2"] } }
        for (cluster, address) in [(member1, "127.11.0.5"), (member2, "127.12.0.5")] {
            _ = try await cluster.client.api(Service.self, namespace: namespace).create(makeService(namespace, "web"))
            _ = try await cluster.client.api(EndpointSlice.self, namespace: namespace)
                .create(E2E.slice("web-\(cluster.name)", service: "web", addresses: [address]))
            _ = try await cluster.client.api(ServiceExport.self, namespace: namespace).create(E2E.serviceExport("web"))
        }
        try await member1.client.api(ServiceExport.self, namespace: namespace).delete("old")

        var withdrawn: Duration?
        if let proxy {
            // Without heartbeats for 3 periods (1 s), member-1 counts as dead: its endpoints leave
            // member-2's import while member-2's own changes still arrive.
            try await eventually("member-1's endpoints are withdrawn from member-2's import", timeout: .seconds(30)) {
                try await E2E.importedAddresses(member2, derived: derived) == ["127.12.0.1"]
            }
            withdrawn = ContinuousClock.now - start
            #expect(proxy.statistics.acceptedConnections > 0)
            proxy.mode = .pass
        }

        // After: every change of both sides, and nothing else.
        let healed = ContinuousClock.now
        try await eventually("the fleet converges", timeout: .seconds(60)) {
            let imported = try await E2E.importedAddresses(member2, derived: derived)
            let web = try await getIfPresent(hubImports, "web")?.status?.clusterNames.sorted()
            let old = try await getIfPresent(hubImports, "old")
            let webValid = try await E2E.exportState(member1, "web", valid: E2E.validExport, conflict: E2E.noConflict)
            return imported == ["127.11.0.1", "127.11.0.2", "127.11.0.3", "127.12.0.1"] && web == ["member-1", "member-2"]
                && old == nil && webValid
        }
        let converged = ContinuousClock.now - healed
        let snapshot = try await settled("the fleet's networking objects", stableFor: .seconds(2), timeout: .seconds(60)) {
            try await FleetSnapshot.take(fleet)
        }
        return Outcome(snapshot: snapshot, withdrawn: withdrawn, converged: converged)
    }

    @Test func aMemberPartitionedFromTheHubIsWithdrawnAndTheFleetConvergesToTheFaultFreeStateWhenItHeals() async throws {
        let faulty = try await Self.run(partitioned: true)
        let clean = try await Self.run(partitioned: false)
        let differences = faulty.snapshot.differences(from: clean.snapshot)
        #expect(differences.isEmpty, "after the partition, the fleet differs from a run without it:\n\(differences.joined(separator: "\n"))")
        #expect(faulty.snapshot.objects.count > 20, "the snapshot covers the fleet (\(faulty.snapshot.objects.count) objects)")
        let withdrawn = try #require(faulty.withdrawn)
        // 3 heartbeat periods of 1 s after the last heartbeat, which came up to 1 s before the
        // cut and is recorded to the second (up to 1 s earlier still): no sooner than 1 s in.
        #expect(withdrawn >= .seconds(1) && withdrawn < .seconds(20), "member-1 withdrawn \(withdrawn) into the partition")
        #expect(faulty.converged < .seconds(30), "converged \(faulty.converged) after the heal")
        FaultFigures.record("partition member-1/hub", withdrawn: withdrawn, converged: faulty.converged, faultFree: clean.converged)
    }
}
