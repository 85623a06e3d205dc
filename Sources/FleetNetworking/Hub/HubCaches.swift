import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Synchronization

// The hub caches the hub controllers share, with their indexes registered once. Every hub
// controller reads from these stores; the indexes map exchange objects to the service they
// belong to, so that one event on any of them finds the service to re-resolve.

/// The hub controllers' shared informer stores and indexes.
public struct HubCaches: Sendable {
    /// Index of InternalServiceExports, InternalServiceImports and EndpointSliceExports by the
    /// `<namespace>/<name>` of the service (hub ServiceImport) they refer to.
    public static let byService = "fleet.service"
    /// Index of EndpointSliceExports and EndpointSliceImports by `metadata.name` (an
    /// EndpointSliceImport carries the name of the EndpointSliceExport it copies).
    public static let byName = "fleet.name"

    public let serviceImports: InformerStore<ServiceImport>
    public let serviceExports: InformerStore<InternalServiceExport>
    public let serviceImportClaims: InformerStore<InternalServiceImport>
    public let sliceExports: InformerStore<EndpointSliceExport>
    public let sliceImports: InformerStore<EndpointSliceImport>
    public let memberClusters: InformerStore<MemberCluster>
    /// The member-facing resolutions of services exported through the MCS API.
    public let clusterSetImports: InformerStore<ClusterSetImport>
    /// Hub namespaces: `fleet-member-<cluster>` ones are the fleet's members.
    public let namespaces: InformerStore<Namespace>
    /// Every member's InternalMemberCluster (its agents' heartbeats).
    public let internalMemberClusters: InformerStore<InternalMemberCluster>
    /// Which members' agents have stopped heartbeating (`MemberLivenessController`).
    public let liveness = MemberLiveness()
    /// ServiceImport versions the hub's controllers replaced that the cache may still show. Both
    /// controllers that write ServiceImports (internalserviceexport: status; internalserviceimport:
    /// the claim) reconcile on ServiceImport events, so either skips a version either replaced.
    public let serviceImportWrites = UpdateExpectations()

    /// Asks `informers` for every hub kind (all namespaces) and registers the indexes. Call once
    /// per `SharedInformers`.
    public init(_ informers: SharedInformers) {
        let serviceImportInformer = informers.informer(for: ServiceImport.self)
        serviceImports = serviceImportInformer.store
        serviceImportWrites.observe(serviceImportInformer)
        serviceExports = informers.informer(for: InternalServiceExport.self).store
        serviceImportClaims = informers.informer(for: InternalServiceImport.self).store
        sliceExports = informers.informer(for: EndpointSliceExport.self).store
        sliceImports = informers.informer(for: EndpointSliceImport.self).store
        memberClusters = informers.informer(for: MemberCluster.self).store
        clusterSetImports = informers.informer(for: ClusterSetImport.self).store
        namespaces = informers.informer(for: Namespace.self).store
        internalMemberClusters = informers.informer(for: InternalMemberCluster.self).store
        clusterSetImports.addIndex(named: Self.byService) { [$0.spec.service.namespacedName] }
        serviceExports.addIndex(named: Self.byService) { export in
            export.spec.map { [Self.serviceKey($0.serviceReference.namespace, $0.serviceReference.name).description] } ?? []
        }
        serviceImportClaims.addIndex(named: Self.byService) { claim in
            let reference = claim.spec.serviceImportReference
            return [Self.serviceKey(reference.namespace, reference.name).description]
        }
        sliceExports.addIndex(named: Self.byService) { slice in
            let owner = slice.spec.ownerServiceReference
            return [Self.serviceKey(owner.namespace, owner.name).description]
        }
        sliceExports.addIndex(named: Self.byName) { [$0.metadata.name ?? ""] }
        sliceImports.addIndex(named: Self.byName) { [$0.metadata.name ?? ""] }
    }

    /// The hub namespaces of the fleet's members (`fleet-member-<cluster>`, not being deleted).
    public func memberNamespaces() -> Set<String> {
        Set(
            namespaces.list().filter { !$0.metadata.isDeleting }.compactMap { namespace in
                let name = namespace.metadata.name ?? ""
                return FleetNamespaces.memberCluster(ofNamespace: name) != nil ? name : nil
            })
    }

    /// The services some export of which came through the MCS API.
    public func servicesExportedThroughClusterSet() -> [ObjectKey] {
        let keys = serviceExports.list().compactMap { export -> ObjectKey? in
            guard let spec = export.spec, spec.clusterSetExport != nil else { return nil }
            return Self.serviceKey(spec.serviceReference.namespace, spec.serviceReference.name)
        }
        return Array(Set(keys))
    }

    /// The exported services of `namespace`.
    public func exportedServices(inNamespace namespace: String) -> [ObjectKey] {
        serviceExports.indexValues(Self.byService).filter { $0.hasPrefix(namespace + "/") }.map { value in
            ObjectKey(namespace: namespace, name: String(value.dropFirst(namespace.count + 1)))
        }
    }

    /// The services member `member` exports (from its InternalServiceExports).
    public func exportedServices(ofMember member: String) -> [ObjectKey] {
        let keys = serviceExports.list(namespace: FleetNamespaces.member(member)).compactMap { export in
            export.spec.map { Self.serviceKey($0.serviceReference.namespace, $0.serviceReference.name) }
        }
        return Array(Set(keys))
    }

    /// The key of the hub ServiceImport of service `namespace/name`.
    public static func serviceKey(_ namespace: String, _ name: String) -> ObjectKey {
        ObjectKey(namespace: namespace, name: name)
    }
}

/// Remembers which one-off warnings were already recorded, so that a reconcile repeating itself
/// records (writes) nothing new: one warning per object UID, generation and reason. Bounded: past
/// `limit` warnings it starts afresh (a repeat then aggregates into the same Event's count), so a
/// long-running hub that sees ever new objects does not grow with them.
final class WarningMemo: Sendable {
    static let limit = 10_000
    private let seen = Mutex<Set<String>>([])

    /// Whether this warning is new (and remembers it).
    func isNew(_ meta: ObjectMeta, reason: String) -> Bool {
        let key = "\(meta.uid ?? meta.name ?? "")|\(meta.generation ?? 0)|\(reason)"
        return seen.withLock { seen in
            if seen.count >= Self.limit { seen.removeAll(keepingCapacity: true) }
            return seen.insert(key).inserted
        }
    }
}

extension HubAgentContext {
    /// Queues an event (written in the background; failures are logged): events are advisory
    /// and never delay a reconcile.
    func record<R: Resource>(_ type: EventType, reason: String, message: String, about object: R) {
        events.emit(type, reason: reason, message: message, about: object)
    }

    /// The cluster an exchange object belongs to, from its `fleet-member-<cluster>` namespace.
    /// Objects elsewhere get a one-off Warning event and nil; a self-reported `reportedClusterID`
    /// that differs gets a one-off Warning event and is ignored.
    func memberCluster<R: Resource>(of object: R, reportedClusterID: String?, memo: WarningMemo) async -> String? {
        let namespace = object.metadata.namespace ?? ""
        guard let cluster = FleetNamespaces.memberCluster(ofNamespace: namespace) else {
            if memo.isNew(object.metadata, reason: HubEventReasons.notInMemberNamespace) {
                record(
                    .warning, reason: HubEventReasons.notInMemberNamespace,
                    message: "\(R.kind) \(namespace)/\(object.metadata.name ?? "") is ignored: it is not in a \(FleetNamespaces.memberPrefix)<cluster> namespace",
                    about: object)
            }
            return nil
        }
        if let reportedClusterID, reportedClusterID != cluster,
            memo.isNew(object.metadata, reason: HubEventReasons.clusterIDMismatch)
        {
            record(
                .warning, reason: HubEventReasons.clusterIDMismatch,
                message: "the reported cluster ID \"\(reportedClusterID)\" is ignored: \(R.kind) \(namespace)/\(object.metadata.name ?? "") belongs to cluster \"\(cluster)\" by its namespace",
                about: object)
        }
        return cluster
    }
}

extension KubeClientError {
    /// Whether retrying with fresh caches is the answer (stale write, or racing create).
    var isStale: Bool { isConflict || isAlreadyExists }
}
