import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// hub/internalserviceimport (spec §4.3): import arbitration. A service is imported by one member
// fleet-wide: its claim is the hub ServiceImport's `service-in-use-by` annotation
// (`{"MemberClusters":{"fleet-member-<c>":"<c>"}}`) plus the `serviceimport-cleanup` finalizer.
// Keyed by the service and triggered by ServiceImport and InternalServiceImport events, the
// reconciler sees every importer at once, which makes the choice deterministic: existing valid
// claims are kept; when there is none, the oldest waiting InternalServiceImport (creation time,
// then cluster) claims. A claimer that withdraws (its InternalServiceImport deleted) is replaced
// by the next waiting importer in the same pass. The claimer's InternalServiceImport carries
// `internalsvcimport-cleanup` and mirrors the ServiceImport's status; the others have an empty
// status. Claims are made only on a resolved ServiceImport (some cluster exports it) and are
// all withdrawn while it is being deleted.

/// Arbitrates the import claims on a hub ServiceImport.
public struct HubInternalServiceImportController: Reconciler {
    public static let name = "internalserviceimport"

    let context: HubAgentContext
    let caches: HubCaches
    let memo = WarningMemo()

    public static func make(_ context: HubAgentContext, caches: HubCaches) -> Controller<HubInternalServiceImportController> {
        ControllerBuilder(name: name)
            .for(ServiceImport.self, in: context.informers)
            .watches(InternalServiceImport.self, in: context.informers) { claim in
                let reference = claim.spec.serviceImportReference
                return [HubCaches.serviceKey(reference.namespace, reference.name)]
            }
            .logger(context.logger)
            .build(reconciler: HubInternalServiceImportController(context: context, caches: caches))
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        do {
            try await arbitrate(key)
            return .done
        } catch let error as KubeClientError where error.isStale {
            return .requeueWithBackoff
        }
    }

    private func arbitrate(_ key: ObjectKey) async throws {
        // Importers in member namespaces.
        var importers: [(claim: InternalServiceImport, cluster: String)] = []
        for claim in caches.serviceImportClaims.byIndex(HubCaches.byService, value: key.description) {
            guard
                let cluster = await context.memberCluster(
                    of: claim, reportedClusterID: claim.spec.serviceImportReference.clusterId, memo: memo)
            else { continue }
            importers.append((claim, cluster))
        }
        let live = importers.filter { !$0.claim.metadata.isDeleting }

        guard var serviceImport = caches.serviceImports.get(key) else {
            for importer in importers { try await clear(importer.claim) }
            return
        }
        // The cache still shows a version the hub replaced: the event of that write comes.
        guard !caches.serviceImportWrites.isSuperseded(key, serviceImport.metadata) else { return }

        // Who holds the claim after this pass.
        let recorded = Self.inUse(serviceImport)
        var claimers: [String: String] = [:]
        if !serviceImport.metadata.isDeleting {
            for importer in live where recorded[importer.claim.metadata.namespace ?? ""] != nil {
                claimers[importer.claim.metadata.namespace ?? ""] = importer.cluster
            }
            if claimers.isEmpty, !(serviceImport.status?.clusters ?? []).isEmpty,
                let next = live.min(by: Self.olderFirst)
            {
                claimers[next.claim.metadata.namespace ?? ""] = next.cluster
            }
        }

        // The claimers' importers hold their finalizer before the claim is written.
        var claimsByKey: [ObjectKey: InternalServiceImport] = [:]
        for importer in live {
            var claim = importer.claim
            if claimers[claim.metadata.namespace ?? ""] != nil,
                claim.metadata.addFinalizer(FleetFinalizers.internalServiceImportCleanup)
            {
                claim = try await api(claim).replace(claim)
            }
            claimsByKey[ObjectKey(claim)] = claim
        }

        // The claim on the ServiceImport.
        if recorded != claimers || Self.hasMalformedClaim(serviceImport)
            || serviceImport.metadata.hasFinalizer(FleetFinalizers.serviceImportCleanup) == claimers.isEmpty
        {
            var annotations = serviceImport.metadata.annotations ?? [:]
            if claimers.isEmpty {
                annotations[FleetAnnotations.serviceInUseBy] = nil
                serviceImport.metadata.removeFinalizer(FleetFinalizers.serviceImportCleanup)
            } else {
                annotations[FleetAnnotations.serviceInUseBy] = Self.encode(ServiceInUseBy(memberClusters: claimers))
                serviceImport.metadata.addFinalizer(FleetFinalizers.serviceImportCleanup)
            }
            serviceImport.metadata.annotations = annotations.isEmpty ? nil : annotations
            do {
                serviceImport = try await caches.serviceImportWrites.write(over: serviceImport) { [serviceImport] in
                    try await context.hub.api(ServiceImport.self, namespace: key.namespace).replace(serviceImport)
                }
            } catch let error as KubeClientError where error.isNotFound {
                for importer in importers { try await clear(importer.claim) }
                return
            }
        }

        // Each importer's status; non-claimers are released.
        for importer in importers {
            let claim = claimsByKey[ObjectKey(importer.claim)] ?? importer.claim
            if !claim.metadata.isDeleting, claimers[claim.metadata.namespace ?? ""] != nil {
                try await fulfil(claim, with: serviceImport.status)
            } else {
                try await clear(claim)
            }
        }
    }

    /// Copies the ServiceImport's status into the claimer's InternalServiceImport.
    private func fulfil(_ claim: InternalServiceImport, with status: ServiceImportStatus?) async throws {
        guard Self.normalized(claim.status) != Self.normalized(status) else { return }
        var updated = claim
        updated.status = status ?? ServiceImportStatus()
        do {
            _ = try await api(claim).replaceStatus(updated)
        } catch let error as KubeClientError where error.isNotFound {}
    }

    /// Empties a non-claimer's status and removes its finalizer.
    private func clear(_ claim: InternalServiceImport) async throws {
        var current = claim
        do {
            if Self.normalized(current.status) != nil {
                current.status = ServiceImportStatus()
                current = try await api(current).replaceStatus(current)
            }
            if current.metadata.removeFinalizer(FleetFinalizers.internalServiceImportCleanup) {
                _ = try await api(current).replace(current)
            }
        } catch let error as KubeClientError where error.isNotFound {}
    }

    private func api(_ claim: InternalServiceImport) -> ResourceAPI<InternalServiceImport> {
        context.hub.api(InternalServiceImport.self, namespace: claim.metadata.namespace ?? "")
    }

    // MARK: Helpers

    /// Oldest first, then by cluster: the order in which waiting importers get the claim.
    static func olderFirst(
        _ lhs: (claim: InternalServiceImport, cluster: String), _ rhs: (claim: InternalServiceImport, cluster: String)
    ) -> Bool {
        let left = lhs.claim.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0)
        let right = rhs.claim.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0)
        if left != right { return left < right }
        if lhs.cluster != rhs.cluster { return lhs.cluster < rhs.cluster }
        return (lhs.claim.metadata.name ?? "") < (rhs.claim.metadata.name ?? "")
    }

    /// An empty status counts as none.
    static func normalized(_ status: ServiceImportStatus?) -> ServiceImportStatus? {
        status == ServiceImportStatus() ? nil : status
    }

    /// The claims recorded on `serviceImport` (a malformed annotation counts as no claim).
    static func inUse(_ serviceImport: ServiceImport) -> [String: String] {
        guard let text = serviceImport.metadata.annotations?[FleetAnnotations.serviceInUseBy],
            let decoded = try? JSONDecoder().decode(ServiceInUseBy.self, from: Data(text.utf8))
        else { return [:] }
        return decoded.memberClusters
    }

    static func hasMalformedClaim(_ serviceImport: ServiceImport) -> Bool {
        guard let text = serviceImport.metadata.annotations?[FleetAnnotations.serviceInUseBy] else { return false }
        return (try? JSONDecoder().decode(ServiceInUseBy.self, from: Data(text.utf8))) == nil
    }

    /// The annotation as the reference writes it (Go's encoding/json: keys sorted).
    static func encode(_ inUse: ServiceInUseBy) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(inUse)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
