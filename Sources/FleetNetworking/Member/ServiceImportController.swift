import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/serviceimport (reference controllers §2.5): turns a member ServiceImport into an
// InternalServiceImport `<hub namespace>/<derived name>` (the member's import request on the hub),
// guarded by the `serviceimport-cleanup` finalizer, which is removed once the hub object is gone.
// Hub InternalServiceImport events map back to their ServiceImport, so a request deleted or
// edited on the hub is repaired at once; nothing is written when nothing differs.

struct ServiceImportReconciler: Reconciler {
    let context: MemberAgentContext
    let imports: InformerStore<ServiceImport>
    let internalImports: InformerStore<InternalServiceImport>
    /// InternalServiceImports created and not yet in the cache.
    let created = CreateExpectations()

    static let name = "member-serviceimport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let internalImports = context.hubInformers.informer(for: InternalServiceImport.self, namespace: context.hubNamespace)
        let reconciler = ServiceImportReconciler(
            context: context, imports: context.memberInformers.informer(for: ServiceImport.self).store,
            internalImports: internalImports.store)
        reconciler.created.observe(internalImports)
        let controller = ControllerBuilder(name: name)
            .for(ServiceImport.self, in: context.memberInformers)
            .watches(InternalServiceImport.self, in: context.hubInformers, namespace: context.hubNamespace) { internalImport in
                let reference = internalImport.spec.serviceImportReference
                return [ObjectKey(namespace: reference.namespace, name: reference.name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let serviceImport = imports.get(key) else { return .done }
        let internalName = DerivedNames.hubObjectName(namespace: key.namespace, name: key.name)
        let internalImportAPI = context.hub.api(InternalServiceImport.self, namespace: context.hubNamespace)
        let importAPI = context.member.api(ServiceImport.self)

        if serviceImport.metadata.isDeleting {
            guard serviceImport.metadata.hasFinalizer(FleetFinalizers.serviceImportCleanup) else { return .done }
            try await internalImportAPI.deleteIgnoringNotFound(internalName)
            var updated = serviceImport
            updated.metadata.removeFinalizer(FleetFinalizers.serviceImportCleanup)
            _ = try await importAPI.replace(updated)
            return .done
        }

        var current = serviceImport
        if !current.metadata.hasFinalizer(FleetFinalizers.serviceImportCleanup) {
            current.metadata.addFinalizer(FleetFinalizers.serviceImportCleanup)
            current = try await importAPI.replace(current)
        }

        let desired = InternalServiceImportSpec(
            serviceImportReference: ExportedObjectReference(
                clusterId: context.clusterID, apiVersion: ServiceImport.apiVersion, kind: ServiceImport.kind,
                namespace: key.namespace, name: key.name, resourceVersion: current.metadata.resourceVersion ?? "",
                generation: current.metadata.generation ?? 0, uid: current.metadata.uid ?? "",
                exportedSince: current.metadata.creationTimestamp))
        guard var existing = internalImports.get(namespace: context.hubNamespace, name: internalName) else {
            // InternalServiceImports are watched: one created by an earlier round brings this key back.
            let internalKey = ObjectKey(namespace: context.hubNamespace, name: internalName)
            guard !created.isPending(internalKey) else { return .done }
            try await internalImportAPI.createUnlessPresent(
                InternalServiceImport(metadata: ObjectMeta(name: internalName, namespace: context.hubNamespace), spec: desired))
            created.expectCreated(internalKey)
            return .done
        }
        if existing.metadata.isDeleting { return .done }  // its deletion event brings this key back
        // The ServiceImport's resourceVersion moves with every status the hub sends back; the
        // reference rewrites the hub request each time (a hub write per import change, which
        // wakes the hub again). Here the request is rewritten only when it asks for something
        // else; the version recorded is the one it was made from.
        var unchanged = desired
        unchanged.serviceImportReference.resourceVersion = existing.spec.serviceImportReference.resourceVersion
        if existing.spec != unchanged {
            existing.spec = desired
            _ = try await internalImportAPI.replace(existing)
        }
        return .done
    }
}
