import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/internalserviceexport (reference controllers §2.4), hub side: reports the hub's conflict
// resolution back to the member and removes dangling exports.
//
// - The InternalServiceExport's `Conflict` condition is copied to the ServiceExport (observed
//   generation = the ServiceExport's) only when it differs in type, status, reason, message or
//   observed generation (the reference rewrites it on most reconciles, §9.17).
// - An InternalServiceExport whose ServiceExport is gone (of either API) is deleted; ServiceExport
//   events map to their InternalServiceExport, so this happens on the deletion event. The status
//   of an export through the MCS API is member/clusterset-serviceexport's to write.
// - The export latency (`exportedSince` → now) is observed once per generation of the hub
//   object (each exported resourceVersion of the Service), when the hub's verdict on that
//   generation arrives, and only when the export is fresh: a Service change that exports the
//   same thing keeps the older `exportedSince`, which would measure the age of the export
//   instead of a latency. The reference records the version in an annotation on the hub object
//   (a hub write per export); here it is remembered in memory, and after a restart a verdict
//   already reported is not measured again.

struct InternalServiceExportReconciler: Reconciler {
    let context: MemberAgentContext
    let internalExports: InformerStore<InternalServiceExport>
    let exports: InformerStore<ServiceExport>
    let clusterSetExports: InformerStore<MCSServiceExport>
    /// The generation whose verdict was last measured, per InternalServiceExport.
    let measuredGenerations = GenerationMemo()

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
        else {
            measuredGenerations.forget(key)
            return .done
        }
        let internalExportAPI = context.hub.api(InternalServiceExport.self, namespace: context.hubNamespace)

        let clusterSetExport = clusterSetExports.get(namespace: reference.namespace, name: reference.name)
        guard let export = exports.get(namespace: reference.namespace, name: reference.name),
            internalExport.spec?.clusterSetExport == nil
        else {
            // Exported through the MCS API, or about to be taken over by its export (whose
            // controller writes its status), or dangling.
            if clusterSetExport == nil && exports.get(namespace: reference.namespace, name: reference.name) == nil {
                context.logger.info("deleting \(key): its ServiceExport \(reference.namespacedName) is gone")
                try await internalExportAPI.deleteIgnoringNotFound(key.name, uid: internalExport.metadata.uid)
            }
            return .done
        }

        guard var conflict = internalExport.status?.conditions?.condition(ofType: ServiceExportConditions.conflict) else {
            return .done
        }
        let verdictGeneration = conflict.observedGeneration
        conflict.observedGeneration = export.metadata.generation
        var conditions = export.status?.conditions
        let conflictChanged = conditions.setEquivalent(conflict)
        // Ready, when the hub writes it (a reference hub does not).
        var ready = internalExport.status?.conditions?.condition(ofType: ServiceExportConditions.ready)
        ready?.observedGeneration = export.metadata.generation
        let readyChanged = ready.map { conditions.setEquivalent($0) } ?? false
        // EndpointsAccepted, likewise (our hub's ownership check of the exported endpoints).
        var accepted = internalExport.status?.conditions?.condition(ofType: ServiceExportConditions.endpointsAccepted)
        accepted?.observedGeneration = export.metadata.generation
        let acceptedChanged = accepted.map { conditions.setEquivalent($0) } ?? false
        if conflictChanged || readyChanged || acceptedChanged {
            var updated = export
            updated.status = ServiceExportStatus(conditions: conditions)
            updated = try await context.member.api(ServiceExport.self).replaceStatus(updated)
            if conflictChanged {
                let isConflict = conflict.status == ConditionStatus.true
                context.memberEvents.emit(
                    isConflict ? .warning : .normal,
                    reason: isConflict ? MemberEventReasons.conflictFound : MemberEventReasons.noConflictFound,
                    message: conflict.message, about: updated)
            }
            // A hub that cannot take the export in says why (a conflict has its own event).
            if readyChanged, let ready, ready.status == ConditionStatus.false,
                ready.reason != ServiceExportConditions.Reason.notExported
            {
                context.memberEvents.emit(.warning, reason: ready.reason, message: ready.message, about: updated)
            }
            if acceptedChanged, let accepted, accepted.status == ConditionStatus.false {
                context.memberEvents.emit(.warning, reason: accepted.reason, message: accepted.message, about: updated)
            }
        }

        // Export latency, once per generation the hub has given its verdict on. An export first
        // seen here with its verdict already reported (a restart) is not measured.
        let generation = internalExport.metadata.generation ?? 0
        if verdictGeneration == generation {
            let recorded = measuredGenerations.record(generation, for: key, uid: internalExport.metadata.uid)
            if recorded == .newGeneration || (recorded == .first && (conflictChanged || readyChanged)),
                let since = reference.exportedSince, isFreshExport(reference)
            {
                context.latency.observeServiceExport(
                    originCluster: context.clusterID,
                    milliseconds: LatencyMetrics.milliseconds(from: since.date, to: context.now()))
            }
        }
        return .done
    }

    /// Whether the hub export carries the stamp the member took for the Service version it
    /// references (annotations `last-seen-resource-version` / `last-seen-timestamp`).
    private func isFreshExport(_ reference: ExportedObjectReference) -> Bool {
        guard let export = exports.get(namespace: reference.namespace, name: reference.name),
            let annotations = export.metadata.annotations,
            annotations[FleetAnnotations.lastSeenResourceVersion] == reference.resourceVersion,
            let seen = annotations[FleetAnnotations.lastSeenTimestamp].flatMap(Time.init(rfc3339:))
        else { return true }
        return seen == reference.exportedSince
    }
}
