import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// hub/memberliveness (ours; the reference keeps a dead member's endpoints until someone deletes
// it): follows each member's heartbeat (`MemberLiveness`) and, when a member dies or comes back,
// has `endpointsliceexport` redistribute that member's EndpointSliceExports — withdrawing their
// copies from every importer, or restoring them. Keyed by member; an alive member is requeued for
// the instant its heartbeat would expire, since a dead member sends no event. One timer per
// member, no writes but a Warning/Normal event on the InternalMemberCluster per transition. A
// member told to leave is withdrawn at once, whether or not its agent is alive to do it.

/// Withdraws the endpoints of members whose agents stopped heartbeating, and restores them.
public struct MemberLivenessController: Reconciler {
    public static let name = "memberliveness"

    let context: HubAgentContext
    let caches: HubCaches
    /// Queues keys of `endpointsliceexport`.
    let redistribute: @Sendable ([ObjectKey]) async -> Void

    public static func make(
        _ context: HubAgentContext, caches: HubCaches, redistribute: @escaping @Sendable ([ObjectKey]) async -> Void
    ) -> Controller<MemberLivenessController> {
        ControllerBuilder(name: name)
            .watches(InternalMemberCluster.self, in: context.informers) { imc in
                FleetNamespaces.memberCluster(ofNamespace: imc.metadata.namespace ?? "").map { [ObjectKey(name: $0)] } ?? []
            }
            // Waits for the exports' cache too: a transition redistributes them.
            .watches(EndpointSliceExport.self, in: context.informers) { _ in [] }
            .logger(context.logger)
            .build(reconciler: MemberLivenessController(context: context, caches: caches, redistribute: redistribute))
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let member = key.name
        let namespace = FleetNamespaces.member(member)
        let imc = caches.internalMemberClusters.get(namespace: namespace, name: member)
        let now = context.now()
        let state = imc.map { MemberLiveness.state(of: $0, at: now) } ?? .unknown
        if caches.liveness.set(member, dead: state.isWithdrawn) {
            await redistribute(caches.sliceExports.list(namespace: namespace).map { ObjectKey($0) })
            if let imc {
                if case .leaving = state {
                    context.logger.info("member \(member) is leaving the fleet; withdrawing its endpoints")
                    context.record(
                        .normal, reason: HubEventReasons.memberLeaving,
                        message: "member \(member) is leaving the fleet: its endpoints are withdrawn from every importer", about: imc)
                } else if case .dead(let last) = state {
                    context.logger.warning("member \(member) stopped heartbeating; withdrawing its endpoints")
                    context.record(
                        .warning, reason: HubEventReasons.heartbeatLost,
                        message:
                            "no heartbeat from member \(member)'s networking agent since \(Time(last).description): its endpoints are withdrawn from every importer until it heartbeats again",
                        about: imc)
                } else {
                    context.logger.info("member \(member) heartbeats again; restoring its endpoints")
                    context.record(
                        .normal, reason: HubEventReasons.heartbeatResumed,
                        message: "member \(member)'s networking agent heartbeats again: its endpoints are restored", about: imc)
                }
            }
        }
        if case .alive(let deadline) = state {
            return .requeue(after: .seconds(max(0, deadline.timeIntervalSince(now))) + .milliseconds(10))
        }
        return .done
    }
}
