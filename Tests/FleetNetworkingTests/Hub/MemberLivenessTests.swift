import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Synchronization
import Testing

// hub/memberliveness: a member whose networking agent stops heartbeating has its endpoints
// withdrawn from every importer within 3 heartbeat periods, and restored when it heartbeats
// again — nobody deletes anything. The member's agent is played here by a task that writes the
// heartbeat into its InternalMemberCluster, as member/internalmembercluster does.

@Suite(.serialized) struct MemberLivenessTests {
    static let web = [Hub.port(80, name: "http", target: 8080)]

    /// Writes `cluster`'s heartbeat (ServiceExportImportAgent) into its InternalMemberCluster.
    static func beat(_ fleet: FleetTestbed, cluster: String) async throws {
        let api = fleet.hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member(cluster))
        var imc = try await api.get(cluster)
        imc.status = MemberClusterStatus(agentStatus: [
            AgentStatus(type: AgentTypes.serviceExportImportAgent, lastReceivedHeartbeat: Time(Date()))
        ])
        _ = try await api.replaceStatus(imc)
    }

    @Test func aMemberThatStopsHeartbeatingHasItsEndpointsWithdrawnAndRestoredWhenItReturns() async throws {
        try await Hub.run { fleet, context in
            let imcs = fleet.hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member("a"))
            _ = try await imcs.create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: "a", namespace: FleetNamespaces.member("a")),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 1)))
            try await Self.beat(fleet, cluster: "a")
            try await Hub.whileControllersRun(fleet, context) {
                // The member's agent, heartbeating every half period until it "dies".
                let agent = Task {
                    while !Task.isCancelled {
                        try? await Self.beat(fleet, cluster: "a")
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                }
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                let fromA = try await Hub.exportSlice(fleet, cluster: "a", name: "s1", addresses: ["10.1.0.1"])
                let fromB = try await Hub.exportSlice(fleet, cluster: "b", name: "s2", addresses: ["10.2.0.1"])
                try await Hub.claim(fleet, cluster: "c")
                let nameA = try #require(fromA.metadata.name)
                let nameB = try #require(fromB.metadata.name)
                try await eventually("c gets both members' endpoints") {
                    let a = try await Hub.copies(fleet, of: nameA).keys.sorted()
                    let b = try await Hub.copies(fleet, of: nameB).keys.sorted()
                    return a == ["c"] && b == ["c"]
                }

                // a dies: its agent stops (no goodbye).
                agent.cancel()
                await agent.value
                let lastBeat = try #require(try await imcs.get("a").status?.agentStatus?.first?.lastReceivedHeartbeat?.date)
                try await eventually("a's endpoints are withdrawn from c", timeout: .seconds(30)) {
                    try await Hub.copies(fleet, of: nameA).isEmpty
                }
                let withdrawnAfter = Date().timeIntervalSince(lastBeat)
                // 3 periods of 1 s after the last beat (recorded to the second), plus the
                // controllers' work on a loaded machine.
                #expect(withdrawnAfter >= 2, "withdrawn \(withdrawnAfter) s after the last heartbeat: too early")
                #expect(withdrawnAfter < 10, "withdrawn \(withdrawnAfter) s after the last heartbeat (bound: 3 periods of 1 s)")
                #expect(try await Hub.copies(fleet, of: nameB).keys.sorted() == ["c"], "b's endpoints stay")
                try await eventually("a Warning event on a's InternalMemberCluster says why") {
                    try await !Hub.events(fleet, namespace: FleetNamespaces.member("a"), about: "a", reason: HubEventReasons.heartbeatLost)
                        .isEmpty
                }
                // The export itself is left alone: nothing the member wrote is deleted.
                #expect(try await fleet.hub.client.api(EndpointSliceExport.self, namespace: FleetNamespaces.member("a")).get(nameA).spec == fromA.spec)

                // a comes back.
                try await Self.beat(fleet, cluster: "a")
                try await eventually("a's endpoints are restored in c") {
                    try await Hub.copies(fleet, of: nameA)["c"]?.spec.endpoints.flatMap(\.addresses) == ["10.1.0.1"]
                }
                try await eventually("a Normal event says it is back") {
                    try await !Hub.events(
                        fleet, namespace: FleetNamespaces.member("a"), about: "a", reason: HubEventReasons.heartbeatResumed
                    ).isEmpty
                }
            }
        }
    }

    /// The fleet tells a member to leave while its agent is dead: the hub withdraws its
    /// endpoints at once; then the fleet removes it (MemberCluster and namespace deleted) and
    /// nothing it created on the hub remains, though its agent never cleaned anything up.
    @Test func aMemberToldToLeaveWithItsAgentDeadIsWithdrawnAtOnceAndLeavesNothingBehind() async throws {
        try await Hub.run(forceDeleteWaitTime: .seconds(1)) { fleet, context in
            let namespace = FleetNamespaces.member("a")
            let imcs = fleet.hub.client.api(InternalMemberCluster.self, namespace: namespace)
            // One heartbeat with the default 60 s period: alive for three minutes, whatever happens.
            _ = try await imcs.create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: "a", namespace: namespace),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 60)))
            try await Self.beat(fleet, cluster: "a")
            let members = fleet.hub.client.api(MemberCluster.self)
            _ = try await members.create(
                MemberCluster(
                    metadata: ObjectMeta(name: "a", finalizers: ["test.fleet/member-cleanup"]),
                    spec: MemberClusterSpec(identity: Subject(kind: "User", name: "agent-a"))))
            try await Hub.whileControllersRun(fleet, context, deadAgents: ["a"]) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await Hub.export(fleet, cluster: "b", service: "web", ports: Self.web, since: 2000)
                let fromA = try #require(try await Hub.exportSlice(fleet, cluster: "a", name: "s1", addresses: ["10.1.0.1"]).metadata.name)
                let fromB = try #require(try await Hub.exportSlice(fleet, cluster: "b", name: "s2", addresses: ["10.2.0.1"]).metadata.name)
                let webFromB = try #require(
                    try await Hub.exportSlice(fleet, cluster: "b", name: "w1", service: "web", addresses: ["10.2.0.2"]).metadata.name)
                try await Hub.claim(fleet, cluster: "c")
                try await Hub.claim(fleet, cluster: "a", service: "web")
                try await eventually("c imports a's and b's endpoints, a imports b's web") {
                    let a = try await Hub.copies(fleet, of: fromA).keys.sorted()
                    let b = try await Hub.copies(fleet, of: fromB).keys.sorted()
                    let web = try await Hub.copies(fleet, of: webFromB).keys.sorted()
                    return a == ["c"] && b == ["c"] && web == ["a"]
                }
                // a's copy carries a's finalizer from its creation, and a's agent is dead.
                let copies = fleet.hub.client.api(EndpointSliceImport.self, namespace: namespace)
                #expect(try await copies.get(webFromB).metadata.finalizers == [FleetFinalizers.endpointSliceImportCleanup])

                // The fleet tells a to leave.
                var imc = try await imcs.get("a")
                imc.spec.state = InternalMemberClusterSpec.leave
                _ = try await imcs.replace(imc)
                let told = ContinuousClock.now
                try await eventually("a's endpoints are withdrawn from c", timeout: .seconds(20)) {
                    try await Hub.copies(fleet, of: fromA).isEmpty
                }
                let withdrawnAfter = ContinuousClock.now - told
                #expect(withdrawnAfter < .seconds(10), "withdrawn \(withdrawnAfter) after the leave (its heartbeat was good for 3 minutes)")
                #expect(try await Hub.copies(fleet, of: fromB).keys.sorted() == ["c"], "b's endpoints stay")
                try await eventually("a Normal event on a's InternalMemberCluster says why") {
                    try await !Hub.events(fleet, namespace: namespace, about: "a", reason: HubEventReasons.memberLeaving).isEmpty
                }

                // The fleet removes a: its MemberCluster is deleted, then its namespace.
                try await members.delete("a")
                try await fleet.hub.client.api(Namespace.self).delete(namespace)
                try await eventually("nothing of a remains: its namespace is gone", timeout: .seconds(30)) {
                    try await Hub.gone(fleet.hub.client.api(Namespace.self), namespace)
                }
                try await eventually("the ServiceImport lists only b, and web is in use by nobody") {
                    let app = try await Hub.serviceImport(fleet)
                    let web = try await Hub.serviceImport(fleet, service: "web")
                    return app?.status?.clusterNames == ["b"] && web?.metadata.annotations?[FleetAnnotations.serviceInUseBy] == nil
                }
                // (The MemberCluster itself is Fleet's to finalize.)
                var member = try await members.get("a")
                member.metadata.finalizers = nil
                _ = try await members.replace(member)
            }
        }
    }

    @Test func livenessFollowsTheNetworkingAgentsHeartbeat() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        func imc(period: Int32?, beat: TimeInterval?, type: String = AgentTypes.serviceExportImportAgent) -> InternalMemberCluster {
            InternalMemberCluster(
                metadata: ObjectMeta(name: "m", namespace: "fleet-member-m"),
                spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: period),
                status: MemberClusterStatus(agentStatus: beat.map {
                    [AgentStatus(type: type, lastReceivedHeartbeat: Time(Date(timeIntervalSince1970: 1_000_000 - $0)))]
                }))
        }
        #expect(MemberLiveness.state(of: imc(period: 10, beat: nil), at: now) == .unknown)
        #expect(MemberLiveness.state(of: imc(period: 10, beat: 5, type: AgentTypes.multiClusterServiceAgent), at: now) == .unknown)
        #expect(MemberLiveness.state(of: imc(period: 10, beat: 5), at: now) == .alive(deadline: now.addingTimeInterval(25)))
        #expect(MemberLiveness.state(of: imc(period: 10, beat: 30), at: now) == .dead(lastHeartbeat: now.addingTimeInterval(-30)))
        // The reference's default period (60 s) when none is set: dead after 3 minutes.
        #expect(MemberLiveness.state(of: imc(period: nil, beat: 179), at: now) == .alive(deadline: now.addingTimeInterval(1)))
        #expect(MemberLiveness.state(of: imc(period: nil, beat: 180), at: now) == .dead(lastHeartbeat: now.addingTimeInterval(-180)))
        // Told to leave: withdrawn whatever its heartbeat.
        var leaving = imc(period: 10, beat: 1)
        leaving.spec.state = InternalMemberClusterSpec.leave
        #expect(MemberLiveness.state(of: leaving, at: now) == .leaving)
        #expect(MemberLiveness.State.leaving.isWithdrawn && !MemberLiveness.State.unknown.isWithdrawn)
    }
}
