import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

@testable import FleetNetworking

// The membership controller (reference §2.8, §7.6 "Test InternalMemberCluster Controllers"):
// both agents of member-1 run against the hub's `fleet-member-member-1` namespace, with a
// 1-second heartbeat.

@Suite(.serialized) struct InternalMemberClusterControllerTests {
    static let cluster = "member-1"
    static let hubNamespace = FleetNamespaces.member(cluster)

    static func agent(_ imc: InternalMemberCluster?, _ type: String) -> AgentStatus? {
        imc?.status?.agentStatus?.first { $0.type == type }
    }

    static func joined(_ imc: InternalMemberCluster?, _ type: String) -> Condition? {
        agent(imc, type)?.conditions?.condition(ofType: AgentConditions.joined)
    }

    /// Sets the IMC's state, retrying on conflicts (both agents write its status concurrently).
    static func setState(_ hub: KubeClient, _ state: String) async throws {
        try await update(hub.api(InternalMemberCluster.self, namespace: hubNamespace), cluster) { $0.spec.state = state }
    }

    /// Runs both agents (and the MCS controller, which owns the MCS finalizer) for member-1.
    static func withAgents(_ body: @Sendable (FleetTestbed, KubeClient, KubeClient) async throws -> Void) async throws {
        try await FleetTestbed.run(members: [cluster]) { fleet in
            let hub = fleet.hub.client
            let member = fleet.member(cluster).client
            try await fleet.createNamespace("work", in: fleet.member(cluster))
            _ = try await hub.api(InternalMemberCluster.self, namespace: hubNamespace).create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: cluster, namespace: hubNamespace),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 1)))
            let context = fleet.memberContext(cluster)
            let mcsAgent = InternalMemberClusterController.multiClusterServiceAgent(context, networkingEnabled: true)
            let exportAgent = InternalMemberClusterController.serviceExportImportAgent(context, networkingEnabled: true)
            let mcsController = MultiClusterServiceController.runnable(context)
            try await fleet.whileRunning([
                context.memberInformers.run, context.hubInformers.run, mcsAgent.run, exportAgent.run, mcsController.run,
            ]) {
                try await body(fleet, hub, member)
            }
        }
    }

    @Test func joinReportsBothAgentsAndKeepsBeating() async throws {
        try await Self.withAgents { _, hub, _ in
            let api = hub.api(InternalMemberCluster.self, namespace: Self.hubNamespace)
            try await eventually("both agents report Joined=True/AgentJoined with a heartbeat") {
                let imc = try await api.get(Self.cluster)
                return [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent].allSatisfy { type in
                    let condition = Self.joined(imc, type)
                    return condition?.status == "True" && condition?.reason == AgentConditions.Reason.agentJoined
                        && condition?.observedGeneration == imc.metadata.generation
                        && Self.agent(imc, type)?.lastReceivedHeartbeat != nil
                }
            }
            let first = try #require(Self.agent(try await api.get(Self.cluster), AgentTypes.multiClusterServiceAgent)?.lastReceivedHeartbeat)
            try await eventually("the heartbeat advances") {
                let beat = Self.agent(try await api.get(Self.cluster), AgentTypes.multiClusterServiceAgent)?.lastReceivedHeartbeat
                return beat.map { $0 > first } == true
            }
            // Each agent sees the other's status writes; it must not answer them with a write.
            // Two agents beating every second write about twice a second, not continuously.
            var versions = Set<String>()
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .seconds(3) {
                versions.insert(try await api.get(Self.cluster).metadata.resourceVersion ?? "")
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(versions.count <= 12, "\(versions.count) IMC versions in 3 s")
        }
    }

    @Test func leaveWithdrawsMultiClusterServicesAndServiceExportsThenReportsLeft() async throws {
        try await Self.withAgents { _, hub, member in
            let api = hub.api(InternalMemberCluster.self, namespace: Self.hubNamespace)
            try await eventually("joined") {
                Self.joined(try await api.get(Self.cluster), AgentTypes.serviceExportImportAgent)?.status == "True"
            }
            let mcsAPI = member.api(MultiClusterService.self, namespace: "work")
            for index in 0..<3 {
                _ = try await mcsAPI.create(
                    MultiClusterService(
                        metadata: ObjectMeta(name: "mcs-\(index)", namespace: "work"),
                        spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "svc-\(index)"))))
            }
            let exportAPI = member.api(ServiceExport.self, namespace: "work")
            _ = try await exportAPI.create(ServiceExport(metadata: ObjectMeta(name: "plain", namespace: "work")))
            // Held by a finalizer nobody removes yet: the agent must wait for it.
            _ = try await exportAPI.create(
                ServiceExport(metadata: ObjectMeta(name: "held", namespace: "work", finalizers: ["example.com/hold"])))
            try await eventually("the MCSs carry their finalizer") {
                try await mcsAPI.list().items.allSatisfy { $0.metadata.finalizers?.contains(FleetFinalizers.serviceResourcesCleanup) == true }
            }

            try await Self.setState(hub, InternalMemberClusterSpec.leave)
            try await eventually("the MCS agent withdrew every MCS and reports AgentLeft") {
                let imc = try await api.get(Self.cluster)
                let condition = Self.joined(imc, AgentTypes.multiClusterServiceAgent)
                return try await mcsAPI.list().items.isEmpty && condition?.status == "False"
                    && condition?.reason == AgentConditions.Reason.agentLeft
            }
            try await consistently("the export agent waits for the held ServiceExport", for: .seconds(1)) {
                Self.joined(try await api.get(Self.cluster), AgentTypes.serviceExportImportAgent)?.status == "True"
            }
            #expect(try await exportAPI.get("held").metadata.isDeleting)
            try await update(exportAPI, "held") { $0.metadata.finalizers = nil }
            try await eventually("the export agent reports AgentLeft once every ServiceExport is gone") {
                let condition = Self.joined(try await api.get(Self.cluster), AgentTypes.serviceExportImportAgent)
                return try await exportAPI.list().items.isEmpty && condition?.status == "False"
                    && condition?.reason == AgentConditions.Reason.agentLeft
            }

            // And back.
            try await Self.setState(hub, InternalMemberClusterSpec.join)
            try await eventually("both agents rejoin") {
                let imc = try await api.get(Self.cluster)
                return Self.joined(imc, AgentTypes.multiClusterServiceAgent)?.status == "True"
                    && Self.joined(imc, AgentTypes.serviceExportImportAgent)?.status == "True"
            }
        }
    }

    @Test func leaveWithoutNetworkingSkipsCleanup() async throws {
        try await FleetTestbed.run(members: [Self.cluster]) { fleet in
            let hub = fleet.hub.client
            let api = hub.api(InternalMemberCluster.self, namespace: Self.hubNamespace)
            _ = try await api.create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: Self.cluster, namespace: Self.hubNamespace),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 1)))
            try await fleet.createNamespace("work", in: fleet.member(Self.cluster))
            let exports = fleet.member(Self.cluster).client.api(ServiceExport.self, namespace: "work")
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "kept", namespace: "work")))
            let context = fleet.memberContext(Self.cluster)
            let agent = InternalMemberClusterController.serviceExportImportAgent(context, networkingEnabled: false)
            try await fleet.whileRunning([context.hubInformers.run, context.memberInformers.run, agent.run]) {
                try await eventually("joined") {
                    Self.joined(try await api.get(Self.cluster), AgentTypes.serviceExportImportAgent)?.status == "True"
                }
                try await Self.setState(hub, InternalMemberClusterSpec.leave)
                try await eventually("left") {
                    Self.joined(try await api.get(Self.cluster), AgentTypes.serviceExportImportAgent)?.reason == AgentConditions.Reason.agentLeft
                }
                #expect(try await exports.list().items.count == 1)
                #expect(context.memberInformers.count == 0)
            }
        }
    }

    @Test func heartbeatPeriodIsAtLeastOneSecond() {
        func imc(_ seconds: Int32?) -> InternalMemberCluster {
            InternalMemberCluster(spec: InternalMemberClusterSpec(state: "Join", heartbeatPeriodSeconds: seconds))
        }
        #expect(InternalMemberClusterReconciler.period(of: imc(0)) == 1)
        #expect(InternalMemberClusterReconciler.period(of: imc(-5)) == 1)
        #expect(InternalMemberClusterReconciler.period(of: imc(nil)) == 60)
        #expect(InternalMemberClusterReconciler.period(of: imc(2)) == 2)
    }
}
