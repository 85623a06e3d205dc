import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// hub/endpointsliceexport (spec §4.4): distributes each EndpointSliceExport as an
// EndpointSliceImport of the same name and spec into `fleet-member-<importer>` of every cluster
// claiming its service (`service-in-use-by` on the hub ServiceImport) and, for a service governed
// by the MCS API, of every member holding its ClusterSetImport. For such a service the copy keeps
// only the slice's ports its exporter serves (`ClusterSetImport.spec.portClusters`), so a port
// that only some clusters expose reaches only their endpoints. Beyond the reference, only
// slices of exporters listed in the ServiceImport's `status.clusters` are distributed (§9.10),
// and the controller is driven by watches instead of a 5 s poll: ServiceImport changes (claims,
// resolved clusters) and EndpointSliceImport changes (a deleted copy is recreated, a stray one
// removed) map to the exports concerned. `endpointsliceexport-cleanup` is held while copies may
// exist; a deleted export withdraws all its copies. The exports of a member whose agent stopped
// heartbeating (`MemberLiveness`) are withdrawn from every importer until it heartbeats again.
// Where a member's CIDRs are declared, its endpoints outside them are left out of the copies, with
// a Warning event; of exports of one name in several members' namespaces only the name's owner is
// distributed (`EndpointOwnership.swift`). A MemberCluster change redistributes that member's
// exports.

/// Distributes exported EndpointSlices to the importing clusters.
public struct HubEndpointSliceExportController: Reconciler {
    public static let name = "endpointsliceexport"

    let context: HubAgentContext
    let caches: HubCaches
    let memo = WarningMemo()
    /// Copies created and not yet in the cache.
    let created: CreateExpectations

    public static func make(_ context: HubAgentContext, caches: HubCaches) -> Controller<HubEndpointSliceExportController> {
        let created = CreateExpectations()
        created.observe(context.informers.informer(for: EndpointSliceImport.self))
        return ControllerBuilder(name: name)
            .for(EndpointSliceExport.self, in: context.informers)
            .watches(ServiceImport.self, in: context.informers) { serviceImport in
                caches.sliceExports.byIndex(HubCaches.byService, value: ObjectKey(serviceImport).description).map { ObjectKey($0) }
            }
            .watches(ClusterSetImport.self, in: context.informers) { clusterSetImport in
                caches.sliceExports.byIndex(HubCaches.byService, value: clusterSetImport.spec.service.namespacedName)
                    .map { ObjectKey($0) }
            }
            .watches(MemberCluster.self, in: context.informers) { member in
                caches.sliceExports.list(namespace: FleetNamespaces.member(member.metadata.name ?? "")).map { ObjectKey($0) }
            }
            .watches(EndpointSliceImport.self, in: context.informers) { copy in
                let name = copy.metadata.name ?? ""
                let exports = caches.sliceExports.byIndex(HubCaches.byName, value: name).map { ObjectKey($0) }
                // A copy whose export is gone (from the cache) is withdrawn under a key of its name.
                return exports.isEmpty ? [ObjectKey(namespace: "", name: name)] : exports
            }
            .logger(context.logger)
            .build(reconciler: HubEndpointSliceExportController(context: context, caches: caches, created: created))
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        do {
            try await distribute(key)
            return .done
        } catch let error as KubeClientError where error.isStale {
            return .requeueWithBackoff
        }
    }

    private func distribute(_ key: ObjectKey) async throws {
        let copies = caches.sliceImports.byIndex(HubCaches.byName, value: key.name)
        guard var export = caches.sliceExports.get(key) else {
            // Gone without our finalizer (or a stray copy): withdraw copies no export stands for.
            if caches.sliceExports.byIndex(HubCaches.byName, value: key.name).isEmpty {
                for copy in copies { try await withdraw(copy) }
            }
            return
        }
        // Of the live exports of this name, the one whose copies the importers get.
        let owner = EndpointSliceExportNameOwner.owner(among: caches.sliceExports.byIndex(HubCaches.byName, value: key.name))
        if export.metadata.isDeleting {
            // The copies are this export's unless another export owns the name.
            if owner == nil { for copy in copies { try await withdraw(copy) } }
            try await release(export)
            return
        }
        if let owner, owner.metadata.namespace != export.metadata.namespace {
            // Another member's export owns the name: the copies are its own.
            if memo.isNew(export.metadata, reason: HubEventReasons.endpointSliceExportNameTaken) {
                context.record(
                    .warning, reason: HubEventReasons.endpointSliceExportNameTaken,
                    message: "EndpointSliceExport \(key.name) is not distributed: the name belongs to the export of \(owner.metadata.namespace ?? "")",
                    about: export)
            }
            try await release(export)
            return
        }

        let importers = await importerNamespaces(of: export)
        if importers.isEmpty {
            // The finalizer stays on a live export (its member creates it with it): removing it
            // now and adding it back with the first importer would be two writes for nothing.
            for copy in copies { try await withdraw(copy) }
            return
        }
        if export.metadata.addFinalizer(FleetFinalizers.endpointSliceExportCleanup) {
            export = try await exportAPI(export).replace(export)
        }
        let spec = acceptedEndpoints(of: export, in: distributedSpec(of: export))
        for copy in copies {
            let namespace = copy.metadata.namespace ?? ""
            if importers.contains(namespace) {
                guard !copy.metadata.isDeleting, copy.spec != spec else { continue }
                var updated = copy
                updated.spec = spec
                _ = try await context.hub.api(EndpointSliceImport.self, namespace: namespace).replace(updated)
            } else {
                try await withdraw(copy)
            }
        }
        let present = Set(copies.map { $0.metadata.namespace ?? "" })
        for namespace in importers.subtracting(present).sorted() {
            let copyKey = ObjectKey(namespace: namespace, name: export.metadata.name ?? "")
            guard !created.isPending(copyKey) else { continue }
            // With the importer's finalizer, which its agent would add as its first write.
            let copy = EndpointSliceImport(
                metadata: ObjectMeta(name: copyKey.name, namespace: namespace, finalizers: [FleetFinalizers.endpointSliceImportCleanup]),
                spec: spec)
            try await context.hub.api(EndpointSliceImport.self, namespace: namespace).createUnlessPresent(copy)
            created.expectCreated(copyKey)
        }
    }

    /// The namespaces of the clusters that should get a copy of `export`: those claiming its
    /// service, provided its exporter is one of the service's resolved clusters.
    private func importerNamespaces(of export: EndpointSliceExport) async -> Set<String> {
        guard
            let exporter = await context.memberCluster(
                of: export, reportedClusterID: export.spec.endpointSliceReference.clusterId, memo: memo),
            !caches.liveness.isDead(exporter)
        else { return [] }
        let owner = export.spec.ownerServiceReference
        var claimers: [String] = []
        if let serviceImport = caches.serviceImports.get(HubCaches.serviceKey(owner.namespace, owner.name)),
            !serviceImport.metadata.isDeleting, serviceImport.status?.clusterNames.contains(exporter) == true
        {
            claimers = HubInternalServiceImportController.inUse(serviceImport).keys.filter {
                FleetNamespaces.memberCluster(ofNamespace: $0) != nil
            }
        }
        let clusterSetImporters = caches.clusterSetImports.byIndex(HubCaches.byService, value: owner.namespacedName)
            .filter { !$0.metadata.isDeleting && $0.spec.clusters.contains { $0.cluster == exporter } }
            .compactMap(\.metadata.namespace)
        return Set(claimers).union(clusterSetImporters)
    }

    /// What the importers get of `export`: its spec with the exporter's identity from its hub
    /// namespace (a member cannot speak for another), and with only the ports its exporter serves
    /// when the service is governed by the MCS API (per-port routing).
    private func distributedSpec(of export: EndpointSliceExport) -> EndpointSliceExportSpec {
        let owner = export.spec.ownerServiceReference
        guard let exporter = FleetNamespaces.memberCluster(ofNamespace: export.metadata.namespace ?? "") else { return export.spec }
        var spec = export.spec
        spec.endpointSliceReference.clusterId = exporter
        guard
            let portClusters = caches.clusterSetImports.byIndex(HubCaches.byService, value: owner.namespacedName)
                .first(where: { !$0.metadata.isDeleting })?.spec.portClusters
        else { return spec }
        let served = Set(portClusters.filter { $0.clusters.contains(exporter) }.map(\.name))
        spec.ports = spec.ports?.filter { served.contains($0.name ?? "") }
        return spec
    }

    /// `spec` without the endpoints outside the exporter's declared CIDRs, reporting those once
    /// per generation of `export` with a Warning event.
    private func acceptedEndpoints(of export: EndpointSliceExport, in spec: EndpointSliceExportSpec) -> EndpointSliceExportSpec {
        let exporter = spec.endpointSliceReference.clusterId
        let declaration = EndpointCIDRDeclaration(of: caches.memberClusters.get(ObjectKey(name: exporter)))
        var accepted = spec
        accepted.endpoints = spec.endpoints.filter(declaration.accepts)
        let rejected = spec.endpoints.filter { !declaration.accepts($0) }.flatMap(\.addresses)
        if !rejected.isEmpty, memo.isNew(export.metadata, reason: HubEventReasons.endpointsOutsideDeclaredCIDRs + rejected.joined()) {
            context.record(
                .warning, reason: HubEventReasons.endpointsOutsideDeclaredCIDRs,
                message: EndpointsAcceptedCondition.rejectionMessage(rejected: rejected, member: exporter, declaration: declaration),
                about: export)
        }
        return accepted
    }

    private func withdraw(_ copy: EndpointSliceImport) async throws {
        guard !copy.metadata.isDeleting else { return }
        do {
            try await context.hub.api(EndpointSliceImport.self, namespace: copy.metadata.namespace ?? "")
                .delete(copy.metadata.name ?? "", preconditions: Preconditions(uid: copy.metadata.uid))
        } catch let error as KubeClientError where error.isNotFound || error.isConflict {}
    }

    private func release(_ export: EndpointSliceExport) async throws {
        var updated = export
        guard updated.metadata.removeFinalizer(FleetFinalizers.endpointSliceExportCleanup) else { return }
        do {
            _ = try await exportAPI(export).replace(updated)
        } catch let error as KubeClientError where error.isNotFound {}
    }

    private func exportAPI(_ export: EndpointSliceExport) -> ResourceAPI<EndpointSliceExport> {
        context.hub.api(EndpointSliceExport.self, namespace: export.metadata.namespace ?? "")
    }
}
