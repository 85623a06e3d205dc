import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/endpointsliceexport (reference controllers §2.3), hub side: garbage-collects the
// EndpointSliceExports in the member's hub namespace whose member EndpointSlice no longer exists
// (or is another incarnation, with a different UID).
//
// Difference from the reference (§9.18): driven by EndpointSliceExport events *and* member
// EndpointSlice events (both caches), with no periodic re-scan. Deletions missed while the agent
// was down are caught at start-up, when every cached EndpointSliceExport is reconciled against
// the freshly listed slices.

struct EndpointSliceExportReconciler: Reconciler {
    let context: MemberAgentContext
    let slices: InformerStore<EndpointSlice>
    let sliceExports: InformerStore<EndpointSliceExport>

    static let name = "member-endpointsliceexport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let sliceExports = MemberIndexes.endpointSliceExports(
            context.hubInformers.informer(for: EndpointSliceExport.self, namespace: context.hubNamespace).store)
        let reconciler = EndpointSliceExportReconciler(
            context: context, slices: context.memberInformers.informer(for: EndpointSlice.self).store,
            sliceExports: sliceExports)
        let hubNamespace = context.hubNamespace
        let clusterID = context.clusterID
        let controller = ControllerBuilder(name: name)
            .for(EndpointSliceExport.self, in: context.hubInformers, namespace: hubNamespace)
            .watches(EndpointSlice.self, in: context.memberInformers) { slice in
                let namespace = slice.metadata.namespace ?? ""
                let name = slice.metadata.name ?? ""
                let derived = ObjectKey(
                    namespace: hubNamespace,
                    name: DerivedNames.endpointSliceExportName(cluster: clusterID, namespace: namespace, name: name))
                let indexed = sliceExports.byIndex(MemberIndexes.exportsBySlice, value: "\(namespace)/\(name)").map { ObjectKey($0) }
                return Array(Set(indexed + [derived]))
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let sliceExport = sliceExports.get(key), !sliceExport.metadata.isDeleting else { return .done }
        let reference = sliceExport.spec.endpointSliceReference
        if let slice = slices.get(namespace: reference.namespace, name: reference.name), slice.metadata.uid == reference.uid {
            return .done
        }
        context.logger.debug("deleting \(key): its EndpointSlice \(reference.namespacedName) (UID \(reference.uid)) is gone")
        try await context.hub.api(EndpointSliceExport.self, namespace: context.hubNamespace)
            .deleteIgnoringNotFound(key.name, uid: sliceExport.metadata.uid)
        return .done
    }
}
