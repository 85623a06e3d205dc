import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/internalserviceimport (reference controllers §2.6), hub side: copies the status the hub
// gives an InternalServiceImport to the member ServiceImport it stands for (only when they differ
// semantically), and deletes InternalServiceImports whose ServiceImport is gone. Member
// ServiceImport events map to their InternalServiceImport, so both directions are watch-driven.

struct InternalServiceImportReconciler: Reconciler {
    let context: MemberAgentContext
    let internalImports: InformerStore<InternalServiceImport>
    let imports: InformerStore<ServiceImport>

    static let name = "member-internalserviceimport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let reconciler = InternalServiceImportReconciler(
            context: context,
            internalImports: context.hubInformers.informer(for: InternalServiceImport.self, namespace: context.hubNamespace).store,
            imports: context.memberInformers.informer(for: ServiceImport.self).store)
        let hubNamespace = context.hubNamespace
        let controller = ControllerBuilder(name: name)
            .for(InternalServiceImport.self, in: context.hubInformers, namespace: hubNamespace)
            .watches(ServiceImport.self, in: context.memberInformers) { serviceImport in
                [
                    ObjectKey(
                        namespace: hubNamespace,
                        name: DerivedNames.hubObjectName(
                            namespace: serviceImport.metadata.namespace ?? "", name: serviceImport.metadata.name ?? ""))
                ]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let internalImport = internalImports.get(key), !internalImport.metadata.isDeleting else { return .done }
        let reference = internalImport.spec.serviceImportReference
        guard var serviceImport = imports.get(namespace: reference.namespace, name: reference.name) else {
            context.logger.info("deleting \(key): its ServiceImport \(reference.namespacedName) is gone")
            try await context.hub.api(InternalServiceImport.self, namespace: context.hubNamespace)
                .deleteIgnoringNotFound(key.name, uid: internalImport.metadata.uid)
            return .done
        }
        if Self.normalized(internalImport.status) == Self.normalized(serviceImport.status) { return .done }
        serviceImport.status = internalImport.status
        _ = try await context.member.api(ServiceImport.self).replaceStatus(serviceImport)
        return .done
    }

    /// The status with absent and empty lists treated alike (as Go's semantic equality of a
    /// decoded object would after a round trip).
    static func normalized(_ status: ServiceImportStatus?) -> ServiceImportStatus {
        var status = status ?? ServiceImportStatus()
        if status.ips?.isEmpty == true { status.ips = nil }
        if status.ports?.isEmpty == true { status.ports = nil }
        if status.clusters?.isEmpty == true { status.clusters = nil }
        if status.type?.isEmpty == true { status.type = nil }
        if status.sessionAffinity?.isEmpty == true { status.sessionAffinity = nil }
        return status
    }
}
