import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// hub/internalserviceexport and hub/serviceimport of the reference (spec §4.1, §4.2) as one
// reconciler keyed by the service (`<namespace>/<name>` of the hub ServiceImport), so that each
// ServiceImport has a single writer (fixes §9.16, §9.22). Triggered by InternalServiceExport
// events (mapped to their service through `spec.serviceReference`) and ServiceImport events; no
// timer is needed for progress. In one pass it:
//   1. adds `internal-svc-export-cleanup` to new exports;
//   2. resolves the live exports (`ServiceResolution`): the API of the oldest export governs —
//      exports through the fleet API by the reference's rules (`ExportResolution`: oldest wins,
//      port sets compared), exports through the MCS API by KEP-1645's (`ClusterSetResolution`);
//      exports through the other API take no part and are in conflict;
//   3. writes each live export's `Conflict` condition when it changes;
//   4. creates the ServiceImport if missing and writes its status {ports, clusters, type, session
//      affinity} when it changes;
//   5. for a service governed by the MCS API, writes its ClusterSetImport into every member's
//      `fleet-member-<cluster>` (and deletes them otherwise);
//   6. releases deleting exports once their cluster is out of the status;
//   7. deletes the ServiceImport when no live export remains (the importer's claim finalizer, if
//      any, holds it until hub/internalserviceimport withdraws the claim).
// A cluster is the one named by the export's `fleet-member-<cluster>` namespace; exports
// elsewhere are ignored.

/// Resolves a service's exports into its hub ServiceImport and the exports' Conflict conditions.
public struct HubInternalServiceExportController: Reconciler {
    public static let name = "internalserviceexport"

    let context: HubAgentContext
    let caches: HubCaches
    let memo = WarningMemo()

    public static func make(_ context: HubAgentContext, caches: HubCaches) -> Controller<HubInternalServiceExportController> {
        ControllerBuilder(name: name)
            .for(ServiceImport.self, in: context.informers)
            .watches(InternalServiceExport.self, in: context.informers) { export in
                guard let reference = export.spec?.serviceReference else { return [] }
                return [HubCaches.serviceKey(reference.namespace, reference.name)]
            }
            .watches(ClusterSetImport.self, in: context.informers) { clusterSetImport in
                [HubCaches.serviceKey(clusterSetImport.spec.service.namespace, clusterSetImport.spec.service.name)]
            }
            // EndpointsAccepted follows the exported endpoints and the member's declared CIDRs.
            .watches(EndpointSliceExport.self, in: context.informers) { slice in
                [HubCaches.serviceKey(slice.spec.ownerServiceReference.namespace, slice.spec.ownerServiceReference.name)]
            }
            .watches(MemberCluster.self, in: context.informers) { member in
                caches.exportedServices(ofMember: member.metadata.name ?? "")
            }
            .watches(Namespace.self, in: context.informers) { namespace in
                let name = namespace.metadata.name ?? ""
                // A member joining or leaving changes where ClusterSetImports go; an application
                // namespace appearing lets its services' ServiceImports be created.
                if FleetNamespaces.memberCluster(ofNamespace: name) != nil { return caches.servicesExportedThroughClusterSet() }
                return caches.exportedServices(inNamespace: name)
            }
            .logger(context.logger)
            .build(reconciler: HubInternalServiceExportController(context: context, caches: caches))
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        do {
            return try await resolve(key)
        } catch let error as KubeClientError where error.isStale {
            return .requeueWithBackoff
        }
    }

    private func resolve(_ key: ObjectKey) async throws -> ReconcileResult {
        let exportAPI = { (namespace: String) in context.hub.api(InternalServiceExport.self, namespace: namespace) }
        // Exports of this service in member namespaces, with their clusters.
        var candidates: [ServiceExportCandidate] = []
        var deleting: [ServiceExportCandidate] = []
        for export in caches.serviceExports.byIndex(HubCaches.byService, value: key.description) {
            guard
                let cluster = await context.memberCluster(
                    of: export, reportedClusterID: export.spec?.serviceReference.clusterId, memo: memo)
            else { continue }
            if export.metadata.isDeleting {
                if export.metadata.hasFinalizer(FleetFinalizers.internalServiceExportCleanup) {
                    deleting.append(ServiceExportCandidate(export: export, cluster: cluster))
                }
                continue
            }
            var current = export
            if current.metadata.addFinalizer(FleetFinalizers.internalServiceExportCleanup) {
                current = try await exportAPI(current.metadata.namespace ?? "").replace(current)
            }
            candidates.append(ServiceExportCandidate(export: current, cluster: cluster))
        }

        let serviceImports = context.hub.api(ServiceImport.self, namespace: key.namespace)
        var serviceImport = caches.serviceImports.get(key)
        // The cache still shows a version the hub replaced: the event of that write comes.
        if let serviceImport, caches.serviceImportWrites.isSuperseded(key, serviceImport.metadata) { return .done }
        let served = (serviceImport?.status?.clusters ?? []).isEmpty ? [] : (serviceImport?.status?.ports ?? [])
        let resolution = ServiceResolution(candidates, served: served, service: key)

        guard !candidates.isEmpty else {
            // Nobody exports the service: withdraw it.
            try await syncClusterSetImports(of: key, resolution: nil)
            if var existing = serviceImport, !existing.metadata.isDeleting {
                if !(existing.status?.clusters ?? []).isEmpty {
                    var cleared = existing
                    cleared.status = ServiceImportStatus()
                    existing = try await caches.serviceImportWrites.write(over: existing) { [cleared] in try await serviceImports.replaceStatus(cleared) }
                }
                context.record(
                    .normal, reason: HubEventReasons.noExportedService,
                    message: "no cluster exports service \(key) any more; deleting its ServiceImport", about: existing)
                do {
                    try await serviceImports.delete(key.name)
                } catch let error as KubeClientError where error.isNotFound {}
                serviceImport = nil
            }
            for candidate in deleting { try await release(candidate.export) }
            return .done
        }

        // The service's namespace must exist on the hub for its ServiceImport (importers through
        // the MCS API need neither); the Namespace's creation event brings this key back.
        let waitsForNamespace =
            !resolution.isClusterSet && serviceImport == nil && caches.namespaces.hasSynced
            && caches.namespaces.get(name: key.namespace) == nil

        // Conflict, Ready and EndpointsAccepted conditions of the live exports, in one status
        // write each.
        for candidate in candidates {
            try await writeConditions(
                candidate.export, conflict: resolution.conflict(of: candidate),
                ready: candidate.clusterSetExport != nil
                    ? nil : readiness(serving: resolution.isServing(candidate), waitsForNamespace: waitsForNamespace, key: key),
                endpoints: endpointsAccepted(of: candidate, key: key))
        }

        // Members importing through the MCS API need no hub ServiceImport (nor the service's
        // namespace on the hub): their ClusterSetImports go first.
        try await syncClusterSetImports(of: key, resolution: resolution.clusterSet)

        // The ServiceImport and its resolved status, in the service's namespace on the hub.
        if serviceImport == nil, caches.namespaces.get(name: key.namespace) == nil, caches.namespaces.hasSynced {
            if waitsForNamespace {
                for candidate in candidates where memo.isNew(candidate.export.metadata, reason: HubEventReasons.noHubNamespace) {
                    context.record(
                        .warning, reason: HubEventReasons.noHubNamespace,
                        message: "namespace \(key.namespace) does not exist on the hub: the ServiceImport of \(key) waits for it",
                        about: candidate.export)
                }
            }
            for candidate in deleting where !resolution.clusters.contains(candidate.cluster) { try await release(candidate.export) }
            return .done
        }
        if serviceImport == nil {
            do {
                serviceImport = try await serviceImports.create(
                    ServiceImport(metadata: ObjectMeta(name: key.name, namespace: key.namespace)))
            } catch let error as KubeClientError where error.isAlreadyExists {
                return .requeueWithBackoff
            }
        }
        guard var current = serviceImport, !current.metadata.isDeleting else {
            // Still going away (an importer's claim holds it; its status was cleared first): its
            // deletion event brings us back to create it anew.
            for candidate in deleting { try await release(candidate.export) }
            return .done
        }
        var desired = resolution.status
        desired.ips = current.status?.ips
        if current.status != desired {
            var resolved = current
            resolved.status = desired
            current = try await caches.serviceImportWrites.write(over: current) { [resolved] in try await serviceImports.replaceStatus(resolved) }
            context.record(
                .normal, reason: HubEventReasons.successfulUpdateStatus,
                message: "service \(key) is exported by \(resolution.clusters.joined(separator: ", "))", about: current)
        }

        // Deleting exports go once their cluster is no longer listed (or listed for another export).
        let listed = Set(current.status?.clusterNames ?? [])
        for candidate in deleting {
            let stillExported = candidates.contains { $0.cluster == candidate.cluster && resolution.isServing($0) }
            if !listed.contains(candidate.cluster) || stillExported { try await release(candidate.export) }
        }
        return .done
    }

    /// `Ready` of a fleet export: whether the hub lists its cluster in the ServiceImport, and why not.
    private func readiness(serving: Bool, waitsForNamespace: Bool, key: ObjectKey) -> (status: String, reason: String, message: String) {
        if waitsForNamespace {
            return (
                ConditionStatus.false, ServiceExportConditions.Reason.namespaceNotOnHub,
                "namespace \(key.namespace) does not exist on the hub: the ServiceImport of \(key) waits for it"
            )
        }
        if serving {
            return (ConditionStatus.true, ServiceExportConditions.Reason.exported, "the hub lists this cluster in ServiceImport \(key)")
        }
        return (
            ConditionStatus.false, ServiceExportConditions.Reason.notExported,
            "the export takes no part in ServiceImport \(key): see the Conflict condition"
        )
    }

    /// `EndpointsAccepted` of an export: whether all the endpoints its member exports for the
    /// service lie in the member's declared CIDRs.
    private func endpointsAccepted(of candidate: ServiceExportCandidate, key: ObjectKey) -> (status: String, reason: String, message: String) {
        let namespace = candidate.export.metadata.namespace ?? ""
        let endpoints = caches.sliceExports.byIndex(HubCaches.byService, value: key.description)
            .filter { $0.metadata.namespace == namespace && !$0.metadata.isDeleting }
            .flatMap(\.spec.endpoints)
        let member = caches.memberClusters.get(ObjectKey(name: candidate.cluster))
        let declaration = EndpointCIDRDeclaration(of: member)
        if case .declared(_, let invalid) = declaration, !invalid.isEmpty, let member,
            memo.isNew(member.metadata, reason: HubEventReasons.invalidDeclaredCIDRs + invalid.joined(separator: ","))
        {
            context.record(
                .warning, reason: HubEventReasons.invalidDeclaredCIDRs,
                message:
                    "these declared endpoint CIDRs of member \(candidate.cluster) do not parse and are ignored: \(invalid.joined(separator: ", ")) (accepted: \(declaration.summary.isEmpty ? "none" : declaration.summary))",
                about: member)
        }
        return EndpointsAcceptedCondition.evaluate(endpoints: endpoints, member: candidate.cluster, declaration: declaration)
    }

    /// Sets the export's Conflict and EndpointsAccepted conditions and (for fleet exports) its
    /// Ready condition, in one status write when any differs.
    private func writeConditions(
        _ export: InternalServiceExport, conflict outcome: ClusterSetResolution.ConflictOutcome,
        ready: (status: String, reason: String, message: String)?, endpoints: (status: String, reason: String, message: String)
    ) async throws {
        let now = context.now()
        var updated = export
        var conditions = updated.status?.conditions
        var changed = conditions.setEquivalent(
            Condition.make(
                type: ServiceExportConditions.conflict, status: outcome.status, reason: outcome.reason, message: outcome.message,
                observedGeneration: export.metadata.generation, at: now))
        if let ready {
            changed =
                conditions.setEquivalent(
                    Condition.make(
                        type: ServiceExportConditions.ready, status: ready.status, reason: ready.reason, message: ready.message,
                        observedGeneration: export.metadata.generation, at: now)) || changed
        }
        changed =
            conditions.setEquivalent(
                Condition.make(
                    type: ServiceExportConditions.endpointsAccepted, status: endpoints.status, reason: endpoints.reason,
                    message: endpoints.message, observedGeneration: export.metadata.generation, at: now)) || changed
        guard changed else { return }
        updated.status = InternalServiceExportStatus(conditions: conditions)
        do {
            _ = try await context.hub.api(InternalServiceExport.self, namespace: export.metadata.namespace ?? "")
                .replaceStatus(updated)
        } catch let error as KubeClientError where error.isNotFound {}
    }

    /// Removes the cleanup finalizer of a deleting export.
    private func release(_ export: InternalServiceExport) async throws {
        var updated = export
        guard updated.metadata.removeFinalizer(FleetFinalizers.internalServiceExportCleanup) else { return }
        do {
            _ = try await context.hub.api(InternalServiceExport.self, namespace: export.metadata.namespace ?? "")
                .replace(updated)
        } catch let error as KubeClientError where error.isNotFound {}
    }
}
