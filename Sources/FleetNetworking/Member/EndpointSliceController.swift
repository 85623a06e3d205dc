import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/endpointslice (reference controllers §2.2): uploads the EndpointSlices of exported
// Services (ServiceExport exported, `Valid=True` and `Conflict=False`) as EndpointSliceExports in the
// member's hub namespace, and withdraws them when that stops being true.
//
// Differences from the reference (our decisions):
// - A ServiceExport whose weight annotation becomes malformed keeps its slices exported, as it
//   keeps its InternalServiceExport (the reference keeps the latter but withdraws the slices, so
//   importers lose the endpoints anyway); weight 0 withdraws them with the export (the reference
//   keeps uploading them under a stale `Conflict=False`).
// - The EndpointSliceExport's name is derived (`DerivedNames.endpointSliceExportName`), so member
//   EndpointSlices are never written (no `fleet-unique-name`, no last-seen annotations, §9.26);
//   the export time is `spec.endpointSliceReference.exportedSince`, refreshed when the slice's
//   generation changes.
// - Every endpoint is kept with its ready/serving/terminating conditions, and IPv6 slices are
//   exported too (`addressType` copied); FQDN slices are not exported (§9.11).
// - A deleted EndpointSlice's export is deleted from the delete event: the reconcile of a slice
//   that is gone finds its exports through the hub cache index by
//   `spec.endpointSliceReference.namespacedName` (§9.18: no 5-minute poll).
// - ServiceExport changes re-map to that Service's slices through an index by the
//   `kubernetes.io/service-name` label; hub EndpointSliceExport changes map back to their slice,
//   so an export deleted or edited on the hub is repaired at once.

struct EndpointSliceReconciler: Reconciler {
    let context: MemberAgentContext
    let slices: InformerStore<EndpointSlice>
    let exports: InformerStore<ServiceExport>
    let clusterSetExports: InformerStore<MCSServiceExport>
    let sliceExports: InformerStore<EndpointSliceExport>
    /// EndpointSliceExports created and not yet in the cache.
    let created: CreateExpectations

    static let name = "member-endpointslice"
    /// The address types exported; FQDN slices are not.
    static let exportedAddressTypes: Set<String> = ["IPv4", "IPv6"]

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let slices = MemberIndexes.slices(context.memberInformers.informer(for: EndpointSlice.self).store)
        let sliceExportInformer = context.hubInformers.informer(for: EndpointSliceExport.self, namespace: context.hubNamespace)
        let created = CreateExpectations()
        created.observe(sliceExportInformer)
        let reconciler = EndpointSliceReconciler(
            context: context, slices: slices,
            exports: context.memberInformers.informer(for: ServiceExport.self).store,
            clusterSetExports: context.memberInformers.informer(for: MCSServiceExport.self).store,
            sliceExports: MemberIndexes.endpointSliceExports(sliceExportInformer.store),
            created: created)
        let controller = ControllerBuilder(name: name)
            .for(EndpointSlice.self, in: context.memberInformers)
            .watches(ServiceExport.self, in: context.memberInformers) { export in
                slices.byIndex(MemberIndexes.slicesByService, value: ObjectKey(export).description).map { ObjectKey($0) }
            }
            .watches(MCSServiceExport.self, in: context.memberInformers) { export in
                slices.byIndex(MemberIndexes.slicesByService, value: ObjectKey(export).description).map { ObjectKey($0) }
            }
            .watches(EndpointSliceExport.self, in: context.hubInformers, namespace: context.hubNamespace) { sliceExport in
                let reference = sliceExport.spec.endpointSliceReference
                return [ObjectKey(namespace: reference.namespace, name: reference.name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    private var sliceExportAPI: ResourceAPI<EndpointSliceExport> {
        context.hub.api(EndpointSliceExport.self, namespace: context.hubNamespace)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let exportName = DerivedNames.endpointSliceExportName(cluster: context.clusterID, namespace: key.namespace, name: key.name)
        let current = sliceExports.byIndex(MemberIndexes.exportsBySlice, value: "\(key.namespace)/\(key.name)")

        guard let slice = slices.get(key), let service = exportedService(of: slice) else {
            for sliceExport in current where !sliceExport.metadata.isDeleting {
                try await sliceExportAPI.deleteIgnoringNotFound(sliceExport.metadata.name ?? "")
            }
            return .done
        }

        // Exports of this slice under another name (none unless names were made differently).
        for sliceExport in current where sliceExport.metadata.name != exportName && !sliceExport.metadata.isDeleting {
            try await sliceExportAPI.deleteIgnoringNotFound(sliceExport.metadata.name ?? "")
        }

        let existing = sliceExports.get(namespace: context.hubNamespace, name: exportName)
        if existing?.metadata.isDeleting == true {
            // Its deletion event brings this key back.
            return .done
        }
        let desired = desiredSpec(of: slice, service: service, previous: existing?.spec)
        guard var existing else {
            // Created with the hub's finalizer, which the hub would otherwise add as its first
            // write; the new object's event brings this key back.
            let exportKey = ObjectKey(namespace: context.hubNamespace, name: exportName)
            guard !created.isPending(exportKey) else { return .done }
            try await sliceExportAPI.createUnlessPresent(
                EndpointSliceExport(
                    metadata: ObjectMeta(
                        name: exportName, namespace: context.hubNamespace, finalizers: [FleetFinalizers.endpointSliceExportCleanup]),
                    spec: desired))
            created.expectCreated(exportKey)
            return .done
        }
        if existing.spec != desired {
            existing.spec = desired
            _ = try await sliceExportAPI.replace(existing)
        }
        return .done
    }

    /// The exported Service `slice` belongs to, or nil when the slice is not to be exported. A
    /// fleet ServiceExport decides while it exists; otherwise a `multicluster.x-k8s.io` one.
    private func exportedService(of slice: EndpointSlice) -> OwnerServiceReference? {
        guard !slice.metadata.isDeleting, Self.exportedAddressTypes.contains(slice.addressType),
            let namespace = slice.metadata.namespace,
            let name = slice.metadata.labels?[FleetLabels.serviceName]
        else { return nil }
        let fleetExport = exports.get(namespace: namespace, name: name)
        let isExported: Bool
        if let fleetExport, !fleetExport.metadata.isDeleting {
            isExported = Self.isExported(fleetExport)
        } else if let clusterSetExport = clusterSetExports.get(namespace: namespace, name: name) {
            isExported = Self.isExported(clusterSetExport)
        } else {
            isExported = false
        }
        return isExported ? OwnerServiceReference(namespace: namespace, name: name) : nil
    }

    /// Whether a `multicluster.x-k8s.io` ServiceExport's Service is exported: the export is live
    /// (its finalizer guards the InternalServiceExport) and valid. The hub distributes the slices
    /// of the clusters taking part in the service only (a conflict over ports or affinity does
    /// not withdraw an export under KEP-1645; a type conflict does, on the hub).
    static func isExported(_ export: MCSServiceExport) -> Bool {
        guard !export.metadata.isDeleting, export.metadata.hasFinalizer(FleetFinalizers.serviceExportCleanup) else { return false }
        return export.status?.conditions?.condition(ofType: MCSServiceExportConditions.valid)?.status == ConditionStatus.true
    }

    /// Whether `export`'s Service is exported without conflict: the export is live (its finalizer
    /// guards the hub InternalServiceExport; weight 0 and an invalid Service remove it), valid or
    /// merely carrying a malformed weight (which keeps the current export and so its
    /// endpoints), and the hub found no conflict.
    static func isExported(_ export: ServiceExport) -> Bool {
        guard !export.metadata.isDeleting, export.metadata.hasFinalizer(FleetFinalizers.serviceExportCleanup),
            let conditions = export.status?.conditions,
            let valid = conditions.condition(ofType: ServiceExportConditions.valid),
            valid.status == ConditionStatus.true || valid.reason == ServiceExportConditions.Reason.invalidWeightAnnotation
        else { return false }
        return conditions.condition(ofType: ServiceExportConditions.conflict)?.status == ConditionStatus.false
    }

    private func desiredSpec(
        of slice: EndpointSlice, service: OwnerServiceReference, previous: EndpointSliceExportSpec?
    ) -> EndpointSliceExportSpec {
        let generation = slice.metadata.generation ?? 0
        let resourceVersion = slice.metadata.resourceVersion ?? ""
        // The export time moves only when the slice's content (its generation) changes.
        var exportedSince = Time(context.now())
        if let previous = previous?.endpointSliceReference, previous.uid == slice.metadata.uid,
            previous.generation == generation, generation != 0 || previous.resourceVersion == resourceVersion,
            let since = previous.exportedSince
        {
            exportedSince = since
        }
        return EndpointSliceExportSpec(
            addressType: slice.addressType,
            endpoints: slice.endpoints.map(ExportedEndpoint.init),
            ports: slice.ports,
            endpointSliceReference: ExportedObjectReference(
                clusterId: context.clusterID, apiVersion: EndpointSlice.apiVersion, kind: EndpointSlice.kind,
                namespace: slice.metadata.namespace ?? "", name: slice.metadata.name ?? "",
                resourceVersion: resourceVersion, generation: generation, uid: slice.metadata.uid ?? "",
                exportedSince: exportedSince),
            ownerServiceReference: service)
    }
}
