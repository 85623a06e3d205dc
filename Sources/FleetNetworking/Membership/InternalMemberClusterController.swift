import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Synchronization

// The membership controller of both member binaries (reference-controllers §2.8): it reports the
// agent's `Joined` condition and heartbeat in the InternalMemberCluster `fleet-member-<c>/<c>` on
// the hub, and on `Leave` withdraws what the agent serves (every MultiClusterService for the MCS
// agent, every ServiceExport for the service export/import agent) before reporting it left.
//
// Differences from the reference:
// - Heartbeats are written when due, not on every IMC event: the reference relies on a
//   generation-changed predicate; this controller sees every change (the other agent's status
//   writes too) and writes only when the heartbeat is due or the condition differs.
// - The heartbeat period is clamped to at least 1 s before the ±5 % jitter (§9.13).
// - Leave cleanup deletes every object at once and waits for them to disappear by watching the
//   member cache (not by sleeping with a bounded backoff, §9.25); objects created while the
//   state is `Leave` are withdrawn too.

/// A kind of member object an agent withdraws on leave: every object of it is deleted.
public struct WithdrawnKind: Sendable {
    let kind: String
    /// The objects left: (namespace, name, isDeleting).
    let remaining: @Sendable () -> [(namespace: String?, name: String, isDeleting: Bool)]
    let delete: @Sendable (_ namespace: String?, _ name: String) async throws -> Void

    init<K: Resource>(_ type: K.Type, store: InformerStore<K>, client: KubeClient) {
        kind = K.kind
        remaining = { store.list().map { ($0.metadata.namespace, $0.metadata.name ?? "", $0.metadata.isDeleting) } }
        delete = { namespace, name in
            do {
                try await client.api(K.self, namespace: namespace).delete(name)
            } catch let error as KubeClientError where error.isNotFound {}
        }
    }
}

/// Reconciles the member's InternalMemberCluster for one agent type, withdrawing `cleaned` on leave.
public struct InternalMemberClusterReconciler: Reconciler {
    let context: MemberAgentContext
    let agentType: String
    let networkingEnabled: Bool
    let memberClusters: InformerStore<InternalMemberCluster>
    /// The member's objects to withdraw on leave (none when networking is disabled).
    let cleaned: [WithdrawnKind]
    /// A factor in [0.95, 1.05] for each heartbeat interval.
    let jitter: @Sendable () -> Double
    /// When this process last wrote a heartbeat (the stored time has whole seconds only).
    private let lastBeat = LastBeat()

    final class LastBeat: Sendable {
        let value = Mutex<Date?>(nil)
    }

    init(
        context: MemberAgentContext, agentType: String, networkingEnabled: Bool,
        memberClusters: InformerStore<InternalMemberCluster>, cleaned: [WithdrawnKind],
        jitter: @escaping @Sendable () -> Double
    ) {
        self.context = context
        self.agentType = agentType
        self.networkingEnabled = networkingEnabled
        self.memberClusters = memberClusters
        self.cleaned = cleaned
        self.jitter = jitter
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let imc = memberClusters.get(key) else { return .done }
        switch imc.spec.state {
        case InternalMemberClusterSpec.join:
            return try await join(imc)
        case InternalMemberClusterSpec.leave:
            return try await leave(imc)
        default:
            context.logger.error(
                "unknown internal member cluster state", metadata: ["state": "\(imc.spec.state)", "imc": "\(key)"])
            return .done
        }
    }

    /// The heartbeat period: `heartbeatPeriodSeconds` (default 60), at least one second.
    static func period(of imc: InternalMemberCluster) -> Double {
        Double(max(1, imc.spec.heartbeatPeriodSeconds ?? 60))
    }

    private func join(_ imc: InternalMemberCluster) async throws -> ReconcileResult {
        let period = Self.period(of: imc)
        let now = context.now()
        let entry = imc.status?.agentStatus?.first { $0.type == agentType }
        let joined = Condition.make(
            type: AgentConditions.joined, status: ConditionStatus.true, reason: AgentConditions.Reason.agentJoined,
            message: "", observedGeneration: imc.metadata.generation, at: now)
        let conditionCurrent = entry?.conditions?.condition(ofType: AgentConditions.joined)?.isEquivalent(to: joined) == true
        let last = lastBeat.value.withLock { $0 } ?? entry?.lastReceivedHeartbeat.map { Date(timeIntervalSince1970: TimeInterval($0.secondsSinceEpoch)) }
        if conditionCurrent, entry?.lastReceivedHeartbeat != nil, let last {
            let elapsed = now.timeIntervalSince(last)
            // Due at the earliest jittered instant; until then wait for the rest of the period.
            if elapsed >= 0, elapsed < period * 0.95 {
                return .requeue(after: Self.duration(seconds: period * jitter() - elapsed))
            }
        }
        var updated = imc
        var status = updated.status ?? MemberClusterStatus()
        var agents = status.agentStatus ?? []
        var agent = entry ?? AgentStatus(type: agentType)
        agent.conditions.setEquivalent(joined)
        agent.lastReceivedHeartbeat = Time(now)
        if let index = agents.firstIndex(where: { $0.type == agentType }) {
            agents[index] = agent
        } else {
            agents.append(agent)
        }
        status.agentStatus = agents
        updated.status = status
        _ = try await context.hub.api(InternalMemberCluster.self, namespace: context.hubNamespace).replaceStatus(updated)
        lastBeat.value.withLock { $0 = now }
        return .requeue(after: Self.duration(seconds: period * jitter()))
    }

    private func leave(_ imc: InternalMemberCluster) async throws -> ReconcileResult {
        var waiting = false
        for kind in networkingEnabled ? cleaned : [] {
            let remaining = kind.remaining()
            guard !remaining.isEmpty else { continue }
            for object in remaining where !object.isDeleting {
                try await kind.delete(object.namespace, object.name)
            }
            context.logger.info(
                "waiting for objects to be deleted before leaving", metadata: ["kind": "\(kind.kind)", "count": "\(remaining.count)"])
            waiting = true
        }
        // Their deletions (cache events) bring the IMC back here.
        if waiting { return .done }
        let left = Condition.make(
            type: AgentConditions.joined, status: ConditionStatus.false, reason: AgentConditions.Reason.agentLeft,
            message: "", observedGeneration: imc.metadata.generation, at: context.now())
        var updated = imc
        var status = updated.status ?? MemberClusterStatus()
        var agents = status.agentStatus ?? []
        var agent = agents.first { $0.type == agentType } ?? AgentStatus(type: agentType)
        guard agent.conditions.setEquivalent(left) else { return .done }
        if let index = agents.firstIndex(where: { $0.type == agentType }) {
            agents[index] = agent
        } else {
            agents.append(agent)
        }
        status.agentStatus = agents
        updated.status = status
        _ = try await context.hub.api(InternalMemberCluster.self, namespace: context.hubNamespace).replaceStatus(updated)
        lastBeat.value.withLock { $0 = nil }
        return .done
    }

    static func duration(seconds: Double) -> Duration {
        .milliseconds(Int64((max(0, seconds) * 1000).rounded()))
    }
}

/// Builds the membership controller of a member agent.
public enum InternalMemberClusterController {
    public static let name = "internalmembercluster"

    /// The controller for `agentType`, withdrawing every object of the `cleaning` kinds on leave
    /// when `networkingEnabled` (otherwise they are not watched at all: their CRDs may be absent).
    public static func make(
        _ context: MemberAgentContext, agentType: String, cleaning: [any Resource.Type], networkingEnabled: Bool,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.95...1.05) }
    ) -> Controller<InternalMemberClusterReconciler> {
        let imcKey = ObjectKey(namespace: context.hubNamespace, name: context.clusterID)
        let imcs = context.hubInformers.informer(for: InternalMemberCluster.self, namespace: context.hubNamespace).store
        var builder = ControllerBuilder(name: "\(name)-\(agentType)")
            .for(InternalMemberCluster.self, in: context.hubInformers, namespace: context.hubNamespace)
        var withdrawn: [WithdrawnKind] = []
        if networkingEnabled {
            for kind in cleaning {
                func watch<K: Resource>(_ type: K.Type) {
                    withdrawn.append(WithdrawnKind(type, store: context.memberInformers.informer(for: type).store, client: context.member))
                    builder = builder.watches(type, in: context.memberInformers) { _ in
                        // Only while leaving: then every deletion may be the last one awaited.
                        imcs.get(imcKey)?.spec.state == InternalMemberClusterSpec.leave ? [imcKey] : []
                    }
                }
                watch(kind)
            }
        }
        let reconciler = InternalMemberClusterReconciler(
            context: context, agentType: agentType, networkingEnabled: networkingEnabled, memberClusters: imcs,
            cleaned: withdrawn, jitter: jitter)
        return builder.logger(context.logger).build(reconciler: reconciler)
    }

    /// mcs-controller-manager's agent (`MultiClusterServiceAgent`): withdraws MultiClusterServices.
    public static func multiClusterServiceAgent(_ context: MemberAgentContext, networkingEnabled: Bool) -> ControllerRunnable {
        ControllerRunnable(
            make(context, agentType: AgentTypes.multiClusterServiceAgent, cleaning: [MultiClusterService.self], networkingEnabled: networkingEnabled))
    }

    /// member-net-controller-manager's agent (`ServiceExportImportAgent`): withdraws ServiceExports
    /// of both APIs (networking.fleet.azure.com and multicluster.x-k8s.io).
    public static func serviceExportImportAgent(_ context: MemberAgentContext, networkingEnabled: Bool) -> ControllerRunnable {
        ControllerRunnable(
            make(
                context, agentType: AgentTypes.serviceExportImportAgent, cleaning: [ServiceExport.self, MCSServiceExport.self],
                networkingEnabled: networkingEnabled))
    }
}
