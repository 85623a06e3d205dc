import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/endpointsliceimport (reference controllers §2.7), hub side: turns each
// EndpointSliceImport in the member's hub namespace into an EndpointSlice `fleet-system/<name>` of
// the derived Service of the MultiClusterService importing that service, guarded by the
// `endpointsliceimport-cleanup` finalizer on the EndpointSliceImport.
//
// Differences from the reference:
// - Member MultiClusterServices and fleet-system Services are watched too (one process holds both
//   caches), so an EndpointSliceImport that arrives before its MultiClusterService or derived
//   Service is imported as soon as they appear, with no 2-second polling (§9.19).
// - Endpoints keep their ready/serving/terminating conditions; the address type is copied.
// - Imported EndpointSlices are watched as well: one edited or deleted by someone else is
//   repaired, one whose import has become impossible (its MultiClusterService or derived
//   Service is gone) is removed, and one left behind by an EndpointSliceImport that disappeared
//   without its finalizer (e.g. stripped by the hub) is deleted.
// - The import latency is observed once per source generation, when the imported slice is
//   written; the reference records each generation in an annotation on the EndpointSliceImport
//   (a hub write per import and per endpoint change), here it is remembered in memory. After a
//   restart, a slice already up to date is not written, so nothing old is measured.

struct EndpointSliceImportReconciler: Reconciler {
    let context: MemberAgentContext
    let sliceImports: InformerStore<EndpointSliceImport>
    let multiClusterServices: InformerStore<MultiClusterService>
    let services: InformerStore<Service>
    let importedSlices: InformerStore<EndpointSlice>
    /// The source generation last imported, per EndpointSliceImport.
    let importedGenerations = GenerationMemo()
    /// Imported EndpointSlices created and not yet in the cache.
    let created: CreateExpectations

    static let name = "member-endpointsliceimport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let hubNamespace = context.hubNamespace
        let fleetSystem = context.fleetSystemNamespace
        let sliceImports = MemberIndexes.endpointSliceImports(
            context.hubInformers.informer(for: EndpointSliceImport.self, namespace: hubNamespace).store)
        let multiClusterServices = MemberIndexes.multiClusterServices(
            context.memberInformers.informer(for: MultiClusterService.self).store)
        let slices = context.memberInformers.informer(for: EndpointSlice.self)
        let created = CreateExpectations()
        created.observe(slices)
        let reconciler = EndpointSliceImportReconciler(
            context: context, sliceImports: sliceImports, multiClusterServices: multiClusterServices,
            // The agent's cluster-wide Service and EndpointSlice caches (the exporting controllers
            // share them); only their fleet-system objects are read here. A second, fleet-system
            // informer would hold every imported slice twice and decode each change twice.
            services: context.memberInformers.informer(for: Service.self).store,
            importedSlices: slices.store, created: created)
        /// The EndpointSliceImports of the service a MultiClusterService imports.
        let importsOf: @Sendable (MultiClusterService) -> [ObjectKey] = { service in
            guard let name = service.spec.serviceImport?.name else { return [] }
            return sliceImports.byIndex(MemberIndexes.importsByService, value: "\(service.metadata.namespace ?? "")/\(name)")
                .map { ObjectKey($0) }
        }
        let controller = ControllerBuilder(name: name)
            .for(EndpointSliceImport.self, in: context.hubInformers, namespace: hubNamespace)
            .watches(MultiClusterService.self, in: context.memberInformers, map: importsOf)
            .watches(Service.self, in: context.memberInformers) { service in
                guard service.metadata.namespace == fleetSystem else { return [] }
                return multiClusterServices.byIndex(MemberIndexes.multiClusterServicesByDerivedService, value: service.metadata.name ?? "")
                    .flatMap(importsOf)
            }
            .watches(EndpointSlice.self, in: context.memberInformers) { slice in
                guard slice.metadata.namespace == fleetSystem,
                    slice.metadata.labels?[FleetLabels.endpointSliceManagedBy] == FleetLabels.endpointSliceImportManager
                else {
                    return []
                }
                return [ObjectKey(namespace: hubNamespace, name: slice.metadata.name ?? "")]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    private var sliceAPI: ResourceAPI<EndpointSlice> {
        context.member.api(EndpointSlice.self, namespace: context.fleetSystemNamespace)
    }
    private var sliceImportAPI: ResourceAPI<EndpointSliceImport> {
        context.hub.api(EndpointSliceImport.self, namespace: context.hubNamespace)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var sliceImport = sliceImports.get(key) else {
            importedGenerations.forget(key)
            try await removeImportedSlice(named: key.name)
            return .done
        }
        if sliceImport.metadata.isDeleting {
            guard sliceImport.metadata.hasFinalizer(FleetFinalizers.endpointSliceImportCleanup) else { return .done }
            try await sliceAPI.deleteIgnoringNotFound(key.name)
            sliceImport.metadata.removeFinalizer(FleetFinalizers.endpointSliceImportCleanup)
            _ = try await sliceImportAPI.replace(sliceImport)
            return .done
        }

        guard let derivedService = derivedService(of: sliceImport.spec.ownerServiceReference) else {
            // Nothing to import into (yet): MultiClusterService or derived Service events bring
            // this key back; a slice imported earlier would only carry stale endpoints.
            try await removeImportedSlice(named: key.name)
            return .done
        }

        // The finalizer before the slice exists (our hub creates the import with it; a
        // reference hub does not).
        if !sliceImport.metadata.hasFinalizer(FleetFinalizers.endpointSliceImportCleanup) {
            sliceImport.metadata.addFinalizer(FleetFinalizers.endpointSliceImportCleanup)
            sliceImport = try await sliceImportAPI.replace(sliceImport)
        }

        let spec = sliceImport.spec
        let labels = [
            FleetLabels.serviceName: derivedService,
            FleetLabels.endpointSliceManagedBy: FleetLabels.endpointSliceImportManager,
        ]
        let endpoints = spec.endpoints.map { Endpoint(addresses: $0.addresses, conditions: $0.conditions) }
        let isFirstImport: Bool
        if var existing = importedSlices.get(namespace: context.fleetSystemNamespace, name: key.name) {
            if existing.addressType != spec.addressType {
                // The address type of an EndpointSlice is immutable: replace the slice (its
                // deletion event brings this key back).
                try await sliceAPI.deleteIgnoringNotFound(key.name, uid: existing.metadata.uid)
                return .done
            }
            guard existing.metadata.labels != labels || existing.endpoints != endpoints || existing.ports != spec.ports else {
                return .done
            }
            existing.metadata.labels = labels
            existing.endpoints = endpoints
            existing.ports = spec.ports
            _ = try await sliceAPI.replace(existing)
            isFirstImport = false
        } else {
            // The new slice's event brings this key back.
            let sliceKey = ObjectKey(namespace: context.fleetSystemNamespace, name: key.name)
            guard !created.isPending(sliceKey) else { return .done }
            try await sliceAPI.createUnlessPresent(
                EndpointSlice(
                    metadata: ObjectMeta(name: key.name, namespace: context.fleetSystemNamespace, labels: labels),
                    addressType: spec.addressType, endpoints: endpoints, ports: spec.ports))
            created.expectCreated(sliceKey)
            isFirstImport = true
        }

        // Import latency: observed when this write imported a generation of the source slice not
        // imported before (a repair of an edited slice is not an import).
        let reference = sliceImport.spec.endpointSliceReference
        if importedGenerations.record(reference.generation, for: key, uid: sliceImport.metadata.uid) != .unchanged,
            let since = reference.exportedSince
        {
            context.latency.observeEndpointSliceImport(
                originCluster: reference.clusterId, destinationCluster: context.clusterID, isFirstImport: isFirstImport,
                milliseconds: LatencyMetrics.milliseconds(from: since.date, to: context.now()))
        }
        return .done
    }

    /// The name of the derived Service (in fleet-system) of the MultiClusterService importing
    /// `service`, when that Service exists and is not being deleted.
    private func derivedService(of service: OwnerServiceReference) -> String? {
        let candidates = multiClusterServices.byIndex(MemberIndexes.multiClusterServicesByImport, value: service.namespacedName)
        guard
            let name = candidates.lazy.filter({ !$0.metadata.isDeleting })
                .compactMap({ $0.metadata.labels?[FleetLabels.derivedService] }).first,
            NameValidation.isDNS1123Label(name), name.first.map({ $0.isASCII && $0.isLetter }) == true,
            let derived = services.get(namespace: context.fleetSystemNamespace, name: name), !derived.metadata.isDeleting
        else { return nil }
        return name
    }

    /// Deletes `fleet-system/<name>` if it is a slice this controller imported.
    private func removeImportedSlice(named name: String) async throws {
        guard let slice = importedSlices.get(namespace: context.fleetSystemNamespace, name: name),
            slice.metadata.labels?[FleetLabels.endpointSliceManagedBy] == FleetLabels.endpointSliceImportManager,
            !slice.metadata.isDeleting
        else { return }
        try await sliceAPI.deleteIgnoringNotFound(name, uid: slice.metadata.uid)
    }
}
