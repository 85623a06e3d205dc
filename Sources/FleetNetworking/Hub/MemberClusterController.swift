import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// hub/membercluster (spec §4.5): when a MemberCluster has been deleting for
// `forceDeleteWaitTime`, its agent is presumed gone, so the hub strips the finalizers of every
// EndpointSliceImport in `fleet-member-<name>` (the member agent's `endpointsliceimport-cleanup`
// would otherwise block the namespace's deletion). Unlike the reference, Create events count too
// (§9.14): a MemberCluster already deleting when the controller starts is handled at once (the
// controller's initial sync queues every cached MemberCluster), and the wait is a requeue for the
// remaining time — the one place where a timer is the point.

/// Force-releases a deleted member's EndpointSliceImports after the grace period.
public struct MemberClusterController: Reconciler {
    public static let name = "membercluster"

    let context: HubAgentContext
    let caches: HubCaches

    public static func make(_ context: HubAgentContext, caches: HubCaches) -> Controller<MemberClusterController> {
        ControllerBuilder(name: name)
            .for(MemberCluster.self, in: context.informers)
            // A copy appearing in a released member's namespace is released too; this source also
            // makes the controller wait for the copies' cache before its first reconcile.
            .watches(EndpointSliceImport.self, in: context.informers) { copy in
                FleetNamespaces.memberCluster(ofNamespace: copy.metadata.namespace ?? "").map { [ObjectKey(name: $0)] } ?? []
            }
            .logger(context.logger)
            .build(reconciler: MemberClusterController(context: context, caches: caches))
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let member = caches.memberClusters.get(key), let deletion = member.metadata.deletionTimestamp else {
            return .done
        }
        let elapsed = Duration.seconds(context.now().timeIntervalSince(deletion.date))
        guard elapsed >= context.forceDeleteWaitTime else {
            return .requeue(after: context.forceDeleteWaitTime - elapsed)
        }
        let namespace = FleetNamespaces.member(key.name)
        let api = context.hub.api(EndpointSliceImport.self, namespace: namespace)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for copy in caches.sliceImports.list(namespace: namespace) where !(copy.metadata.finalizers ?? []).isEmpty {
                    tasks.addTask {
                        var released = copy
                        released.metadata.finalizers = nil
                        do {
                            _ = try await api.replace(released)
                        } catch let error as KubeClientError where error.isNotFound {}
                    }
                }
                try await tasks.waitForAll()
            }
        } catch let error as KubeClientError where error.isConflict {
            return .requeueWithBackoff
        }
        return .done
    }
}
