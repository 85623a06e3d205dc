import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/clusterset-serviceexport (ours): exports the Service of a `multicluster.x-k8s.io`
// ServiceExport through the same hub protocol as the fleet's ServiceExport — an
// InternalServiceExport `<hub namespace>/<derived name>`, with `spec.clusterSetExport` carrying
// what KEP-1645's resolution needs (the export's creationTimestamp, the import type, session
// affinity, traffic policies, IP families, exported labels and annotations) — and is the only
// writer of the MCS ServiceExport's status:
//   - `Valid`: True/`Valid`; False/`NoService` (no Service, or being deleted);
//     False/`InvalidServiceType` (ExternalName, never exported);
//   - `Ready`: True/`Exported` once the hub lists this cluster in the service's ClusterSetImport;
//     False/`Failed` while the export takes no part (a type or export-API conflict);
//     Unknown/`Pending` until the hub has answered; False/`Pending` while not exportable;
//   - `Conflict`: the hub's condition from the InternalServiceExport, verbatim (the same on every
//     exporting cluster).
// One Service has one InternalServiceExport per cluster. A fleet ServiceExport of the same
// Service takes precedence in its cluster whatever its state (reference behaviour is unchanged
// by an MCS export beside it): this export then reports `Conflict=True/ExportAPIConflict` and
// `Ready=False/Failed`, and takes the InternalServiceExport over in place — no gap — once the
// fleet ServiceExport is deleted (member/serviceexport leaves it for us).

struct ClusterSetServiceExportReconciler: Reconciler {
    let context: MemberAgentContext
    let exports: InformerStore<MCSServiceExport>
    let fleetExports: InformerStore<ServiceExport>
    let services: InformerStore<Service>
    let internalExports: InformerStore<InternalServiceExport>
    let clusterSetImports: InformerStore<ClusterSetImport>
    /// InternalServiceExports created and not yet in the cache.
    let created: CreateExpectations

    static let name = "member-clusterset-serviceexport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let hubNamespace = context.hubNamespace
        let internalExports = context.hubInformers.informer(for: InternalServiceExport.self, namespace: hubNamespace)
        let created = CreateExpectations()
        created.observe(internalExports)
        let reconciler = ClusterSetServiceExportReconciler(
            context: context,
            exports: context.memberInformers.informer(for: MCSServiceExport.self).store,
            fleetExports: context.memberInformers.informer(for: ServiceExport.self).store,
            services: context.memberInformers.informer(for: Service.self).store,
            internalExports: internalExports.store,
            clusterSetImports: MemberIndexes.clusterSetImports(
                context.hubInformers.informer(for: ClusterSetImport.self, namespace: hubNamespace).store),
            created: created)
        let controller = ControllerBuilder(name: name)
            .for(MCSServiceExport.self, in: context.memberInformers)
            .watches(Service.self, in: context.memberInformers) { [ObjectKey($0)] }
            .watches(ServiceExport.self, in: context.memberInformers) { [ObjectKey($0)] }
            .watches(InternalServiceExport.self, in: context.hubInformers, namespace: hubNamespace) { internalExport in
                guard let reference = internalExport.spec?.serviceReference else { return [] }
                return [ObjectKey(namespace: reference.namespace, name: reference.name)]
            }
            .watches(ClusterSetImport.self, in: context.hubInformers, namespace: hubNamespace) { clusterSetImport in
                [ObjectKey(namespace: clusterSetImport.spec.service.namespace, name: clusterSetImport.spec.service.name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    private var exportAPI: ResourceAPI<MCSServiceExport> { context.member.api(MCSServiceExport.self) }
    private var internalExportAPI: ResourceAPI<InternalServiceExport> {
        context.hub.api(InternalServiceExport.self, namespace: context.hubNamespace)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var export = exports.get(key) else { return .done }
        let internalName = DerivedNames.hubObjectName(namespace: key.namespace, name: key.name)
        let existing = internalExports.get(namespace: context.hubNamespace, name: internalName)
        // A fleet ServiceExport of the Service owns the hub object while it exists.
        let fleetExport = fleetExports.get(key).flatMap { $0.metadata.isDeleting ? nil : $0 }
        let owned = fleetExport == nil ? existing : nil

        if export.metadata.isDeleting {
            _ = try await unexport(export, internalExport: owned)
            return .done
        }

        guard let service = services.get(key), !service.metadata.isDeleting else {
            export = try await unexport(export, internalExport: owned)
            try await writeStatus(
                export,
                valid: (ConditionStatus.false, MCSServiceExportConditions.Reason.noService, "Service \(key) is not found."),
                ready: (ConditionStatus.false, MCSServiceExportConditions.Reason.pending, "The export waits for Service \(key)."),
                conflict: nil)
            return .done
        }
        if service.spec?.type == "ExternalName" {
            export = try await unexport(export, internalExport: owned)
            try await writeStatus(
                export,
                valid: (
                    ConditionStatus.false, MCSServiceExportConditions.Reason.invalidServiceType,
                    "Service \(key) is of type ExternalName, which cannot be exported."
                ),
                ready: (ConditionStatus.false, MCSServiceExportConditions.Reason.failed, "Services of type ExternalName are not exported."),
                conflict: nil)
            return .done
        }
        let metadata = ExportedMetadata(export.spec)
        let valid = (
            ConditionStatus.true, MCSServiceExportConditions.Reason.valid,
            "The ServiceExport and its Service are exportable." + metadata.leftOutSentence
        )

        // The finalizer before any hub write (kept while a fleet ServiceExport stands in front, so
        // that this export takes over without its endpoints being withdrawn in between).
        if !export.metadata.hasFinalizer(FleetFinalizers.serviceExportCleanup) {
            export.metadata.addFinalizer(FleetFinalizers.serviceExportCleanup)
            export = try await exportAPI.replace(export)
        }

        if fleetExport != nil {
            // The fleet's ServiceExport of the same Service exports it from this cluster: its
            // member/serviceexport writes the InternalServiceExport.
            try await writeStatus(
                export, valid: valid,
                ready: (
                    ConditionStatus.false, MCSServiceExportConditions.Reason.failed,
                    "The Service is exported through \(NetworkingGroup.name) ServiceExport \(key) in this cluster."
                ),
                conflict: (
                    ConditionStatus.true, MCSServiceExportConditions.Reason.exportAPIConflict,
                    "Conflicting export API. ServiceExport \(key) of \(NetworkingGroup.name) exports the Service from this cluster and takes precedence; delete it to export through \(MCSGroup.name)."
                ))
            return .done
        }

        var desired = desiredSpec(export: export, service: service, metadata: metadata, key: key)
        if let existing, let current = existing.spec, current.serviceReference.uid == desired.serviceReference.uid,
            ServiceExportReconciler.exportsTheSame(current, desired)
        {
            desired.serviceReference.exportedSince = current.serviceReference.exportedSince
        }
        switch existing {
        case nil:
            // InternalServiceExports are watched: the new object's event brings this key back.
            let internalKey = ObjectKey(namespace: context.hubNamespace, name: internalName)
            if !created.isPending(internalKey) {
                try await internalExportAPI.createUnlessPresent(ServiceExportReconciler.newInternalExport(internalKey, spec: desired))
                created.expectCreated(internalKey)
            }
        case var existing?:
            if existing.metadata.isDeleting { break }  // its deletion event brings this key back
            if let uid = existing.spec?.serviceReference.uid, uid != desired.serviceReference.uid {
                // Exported from another incarnation of the Service: withdraw it, then export again.
                try await internalExportAPI.deleteIgnoringNotFound(internalName, uid: existing.metadata.uid)
                return .requeueWithBackoff
            }
            if existing.spec != desired {
                existing.spec = desired
                _ = try await internalExportAPI.replace(existing)
            }
        }

        let hubConflict = existing?.spec?.clusterSetExport == nil ? nil : existing?.status?.conditions?.condition(
            ofType: ServiceExportConditions.conflict)
        try await writeStatus(
            export, valid: valid, ready: readiness(of: key, hubConflict: hubConflict),
            conflict: hubConflict.map { ($0.status, $0.reason, $0.message) })
        return .done
    }

    /// The InternalServiceExport's spec for `service` exported by `export`.
    private func desiredSpec(
        export: MCSServiceExport, service: Service, metadata: ExportedMetadata, key: ObjectKey
    ) -> InternalServiceExportSpec {
        let spec = service.spec
        let clusterSetExport = ClusterSetExport(
            serviceExportCreationTimestamp: export.metadata.creationTimestamp ?? Time(context.now()),
            type: spec?.clusterIP == "None" ? MCSServiceImportType.headless : MCSServiceImportType.clusterSetIP,
            sessionAffinity: spec?.sessionAffinity,
            sessionAffinityConfig: spec?.sessionAffinity == "ClientIP" ? spec?.sessionAffinityConfig : nil,
            internalTrafficPolicy: spec?.internalTrafficPolicy, trafficDistribution: spec?.trafficDistribution,
            ipFamilies: spec?.ipFamilies,
            exportedLabels: metadata.labels.isEmpty ? nil : metadata.labels,
            exportedAnnotations: metadata.annotations.isEmpty ? nil : metadata.annotations)
        return InternalServiceExportSpec(
            ports: (spec?.ports ?? []).map(FleetServicePort.init),
            serviceReference: ExportedObjectReference(
                clusterId: context.clusterID, apiVersion: Service.apiVersion, kind: Service.kind,
                namespace: key.namespace, name: key.name, resourceVersion: service.metadata.resourceVersion ?? "",
                generation: service.metadata.generation ?? 0, uid: service.metadata.uid ?? "",
                exportedSince: Time(context.now())),
            type: spec?.type ?? "ClusterIP", clusterSetExport: clusterSetExport)
    }

    /// `Ready` from the hub's answer: exported once the ClusterSetImport lists this cluster.
    private func readiness(of key: ObjectKey, hubConflict: Condition?) -> (String, String, String) {
        let clusterSetImport = clusterSetImports.byIndex(MemberIndexes.clusterSetImportsByService, value: key.description).first
        if clusterSetImport?.spec.clusters.contains(where: { $0.cluster == context.clusterID }) == true {
            return (ConditionStatus.true, MCSServiceExportConditions.Reason.exported, "The service is exported to the fleet.")
        }
        let reasons = Set((hubConflict?.reason ?? "").split(separator: ",").map(String.init))
        if hubConflict?.status == ConditionStatus.true,
            reasons.contains(MCSServiceExportConditions.Reason.typeConflict)
                || reasons.contains(MCSServiceExportConditions.Reason.exportAPIConflict)
        {
            return (
                ConditionStatus.false, MCSServiceExportConditions.Reason.failed,
                "The export takes no part in the service: \(hubConflict?.message ?? "")"
            )
        }
        return (ConditionStatus.unknown, MCSServiceExportConditions.Reason.pending, "The export is waiting for the hub.")
    }

    /// Withdraws this export: deletes `internalExport` (when given: no fleet ServiceExport of the
    /// Service stands for it) and removes the finalizer; returns the ServiceExport as written.
    private func unexport(_ export: MCSServiceExport, internalExport: InternalServiceExport?) async throws -> MCSServiceExport {
        guard export.metadata.hasFinalizer(FleetFinalizers.serviceExportCleanup) else { return export }
        if let internalExport {
            try await internalExportAPI.deleteIgnoringNotFound(internalExport.metadata.name ?? "", uid: internalExport.metadata.uid)
        }
        var updated = export
        updated.metadata.removeFinalizer(FleetFinalizers.serviceExportCleanup)
        return try await exportAPI.replace(updated)
    }

    /// Writes the three conditions in one status update when any of them changes (`conflict`
    /// nil removes the Conflict condition: an export that is not part of the service has none).
    private func writeStatus(
        _ export: MCSServiceExport, valid: (String, String, String), ready: (String, String, String),
        conflict: (String, String, String)?
    ) async throws {
        let now = context.now()
        let generation = export.metadata.generation
        var conditions = export.status?.conditions
        var changed = false
        for (type, value) in [(MCSServiceExportConditions.valid, valid), (MCSServiceExportConditions.ready, ready)] {
            changed =
                conditions.setEquivalent(
                    .make(type: type, status: value.0, reason: value.1, message: value.2, observedGeneration: generation, at: now))
                || changed
        }
        if let conflict {
            changed =
                conditions.setEquivalent(
                    .make(
                        type: MCSServiceExportConditions.conflict, status: conflict.0, reason: conflict.1, message: conflict.2,
                        observedGeneration: generation, at: now)) || changed
        } else if conditions?.condition(ofType: MCSServiceExportConditions.conflict) != nil {
            conditions?.removeAll { $0.type == MCSServiceExportConditions.conflict }
            changed = true
        }
        guard changed else { return }
        let previous = export.status?.conditions
        var updated = export
        updated.status = MCSServiceExportStatus(conditions: conditions)
        updated = try await exportAPI.replaceStatus(updated)
        recordTransitions(from: previous, to: conditions, about: updated)
    }

    /// An event when a condition turns into a problem (Warning) and when the export becomes
    /// `Ready` (Normal); other transitions are in the status only.
    private func recordTransitions(from previous: [Condition]?, to current: [Condition]?, about export: MCSServiceExport) {
        for condition in current ?? [] {
            let before = previous?.condition(ofType: condition.type)
            guard before?.status != condition.status || before?.reason != condition.reason else { continue }
            let isProblem =
                (condition.type == MCSServiceExportConditions.conflict && condition.status == ConditionStatus.true)
                || (condition.type != MCSServiceExportConditions.conflict && condition.status == ConditionStatus.false)
            let isExported = condition.type == MCSServiceExportConditions.ready && condition.status == ConditionStatus.true
            guard isProblem || isExported else { continue }
            context.memberEvents.emit(
                isProblem ? .warning : .normal, reason: condition.reason.split(separator: ",").first.map(String.init) ?? condition.reason,
                message: condition.message, about: export)
        }
    }
}

/// The exported labels and annotations that can be put on a ServiceImport: keys that are
/// qualified names, label values that are valid label values. Others are left out (and named in
/// the `Valid` message) rather than failing every importing cluster's write.
struct ExportedMetadata: Sendable {
    let labels: [String: String]
    let annotations: [String: String]
    let leftOut: [String]

    init(_ spec: MCSServiceExportSpec?) {
        var leftOut: [String] = []
        var labels: [String: String] = [:]
        for (key, value) in spec?.exportedLabels ?? [:] {
            if NameValidation.qualifiedNameProblems(key).isEmpty, NameValidation.labelValueProblems(value).isEmpty {
                labels[key] = value
            } else {
                leftOut.append("label \"\(key)\"")
            }
        }
        var annotations: [String: String] = [:]
        for (key, value) in spec?.exportedAnnotations ?? [:] {
            if NameValidation.qualifiedNameProblems(key).isEmpty {
                annotations[key] = value
            } else {
                leftOut.append("annotation \"\(key)\"")
            }
        }
        self.labels = labels
        self.annotations = annotations
        self.leftOut = leftOut.sorted()
    }

    /// ` Not exported, not valid on a ServiceImport: label "a b".` (empty when nothing is left out).
    var leftOutSentence: String {
        leftOut.isEmpty ? "" : " Not exported, not valid on a ServiceImport: \(leftOut.joined(separator: ", "))."
    }
}
