import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/internalserviceexport (reference controllers §2.4), hub side: removes dangling exports.
//
// - An InternalServiceExport whose ServiceExport is gone (of either API) is deleted; ServiceExport
//   events map to their InternalServiceExport, so this happens on the deletion event.
// - The reference also copies the hub's `Conflict` condition to the ServiceExport here. In this
//   project member/serviceexport does it (it watches the InternalServiceExports too), in the same
//   status write as `Valid`: two controllers writing one status raced each other and repeated
//   their writes (about 2.6 status writes per export at scale instead of 2). The export latency is
//   measured there too, and the MCS API's exports by member/clusterset-serviceexport.

struct InternalServiceExportReconciler: Reconciler {
    let context: MemberAgentContext
    let internalExports: InformerStore<InternalServiceExport>
    let exports: InformerStore<ServiceExport>
    let clusterSetExports: InformerStore<MCSServiceExport>

    static let name = "member-internalserviceexport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let reconciler = InternalServiceExportReconciler(
            context: context,
            internalExports: context.hubInformers.informer(for: InternalServiceExport.self, namespace: context.hubNamespace).store,
            exports: context.memberInformers.informer(for: ServiceExport.self).store,
            clusterSetExports: context.memberInformers.informer(for: MCSServiceExport.self).store)
        let hubNamespace = context.hubNamespace
        let hubObject: @Sendable (ObjectMeta) -> [ObjectKey] = { meta in
            [ObjectKey(namespace: hubNamespace, name: DerivedNames.hubObjectName(namespace: meta.namespace ?? "", name: meta.name ?? ""))]
        }
        let controller = ControllerBuilder(name: name)
            .for(InternalServiceExport.self, in: context.hubInformers, namespace: hubNamespace)
            .watches(ServiceExport.self, in: context.memberInformers) { hubObject($0.metadata) }
            .watches(MCSServiceExport.self, in: context.memberInformers) { hubObject($0.metadata) }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let internalExport = internalExports.get(key), !internalExport.metadata.isDeleting,
            let reference = internalExport.spec?.serviceReference
        else { return .done }
        let name = (namespace: reference.namespace, name: reference.name)
        guard exports.get(namespace: name.namespace, name: name.name) == nil,
            clusterSetExports.get(namespace: name.namespace, name: name.name) == nil
        else { return .done }
        context.logger.info("deleting \(key): its ServiceExport \(reference.namespacedName) is gone")
        try await context.hub.api(InternalServiceExport.self, namespace: context.hubNamespace)
            .deleteIgnoringNotFound(key.name, uid: internalExport.metadata.uid)
        return .done
    }
}
