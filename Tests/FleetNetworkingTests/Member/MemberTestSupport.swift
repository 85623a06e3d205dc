import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Shared pieces of the member-net controller tests: running a member's networking controllers
// (both halves) against the testbed, and writing objects the way other controllers would
// (hub conflict resolution, hub EndpointSliceImports, MultiClusterService results).

extension FleetTestbed {
    /// Runs member-net-controller-manager's networking controllers of `cluster` (member side and
    /// hub side, over one context) while `body` runs.
    func runningMemberNet<T: Sendable>(
        _ cluster: String = "member-1", publicIPs: PublicIPLookup? = nil, _ body: @Sendable (MemberAgentContext) async throws -> T
    ) async throws -> T {
        let context = memberContext(cluster, publicIPs: publicIPs)
        Self.releaseHubFinalizers(context)
        let controllers = MemberNetControllers.memberSide(context) + MemberNetControllers.hubSide(context)
        let runnables: [@Sendable () async throws -> Void] =
            [{ await context.memberInformers.run() }, { await context.hubInformers.run() }]
            + controllers.map { controller in { await controller.run() } }
        return try await whileRunning(runnables) { try await body(context) }
    }
}

extension FleetTestbed {
    /// The hub's part in the deletion of a member's exports, played while no hub controller runs:
    /// the member creates its InternalServiceExports and EndpointSliceExports with the hub's
    /// finalizers, which the hub releases once it has withdrawn what they exported. Call before
    /// the context's hub informers run.
    static func releaseHubFinalizers(_ context: MemberAgentContext) {
        releaseOnDeletion(
            FleetFinalizers.internalServiceExportCleanup,
            from: context.hubInformers.informer(for: InternalServiceExport.self, namespace: context.hubNamespace), client: context.hub)
        releaseOnDeletion(
            FleetFinalizers.endpointSliceExportCleanup,
            from: context.hubInformers.informer(for: EndpointSliceExport.self, namespace: context.hubNamespace), client: context.hub)
    }

    /// Plays the controller that owns `finalizer`: removes it from every object `informer` shows
    /// being deleted (for which `releases` holds). Call before the informer runs.
    static func releaseOnDeletion<K: Resource>(
        _ finalizer: String, from informer: Informer<ResourceListWatch<K>>, client: KubeClient,
        where releases: @escaping @Sendable (K) -> Bool = { _ in true }
    ) {
        informer.addHandler { change in
            var object = change.object
            guard object.metadata.isDeleting, releases(object), object.metadata.removeFinalizer(finalizer) else { return }
            _ = try? await client.api(K.self, namespace: object.metadata.namespace ?? "").replace(object)
        }
    }
}

/// Reads `name`, applies `change` and writes it back (status subresource when `status`),
/// retrying on optimistic-concurrency conflicts.
@discardableResult
func update<K: Resource>(
    _ api: ResourceAPI<K>, _ name: String, status: Bool = false, _ change: (inout K) -> Void
) async throws -> K {
    for _ in 0..<50 {
        var object = try await api.get(name)
        change(&object)
        do {
            return status ? try await api.replaceStatus(object) : try await api.replace(object)
        } catch let error as KubeClientError where error.isConflict {
            continue
        }
    }
    throw TestFailure(message: "could not update \(name): too many conflicts")
}

struct TestFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The object, or nil when it does not exist.
func getIfPresent<K: Resource>(_ api: ResourceAPI<K>, _ name: String) async throws -> K? {
    do {
        return try await api.get(name)
    } catch let error as KubeClientError where error.isNotFound {
        return nil
    }
}

/// A ClusterIP Service `namespace/name` with one TCP port 80 → 8080 named `http`.
func makeService(
    _ namespace: String, _ name: String, type: String? = nil, clusterIP: String? = nil,
    annotations: [String: String]? = nil, ports: [ServicePort] = [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))]
) -> Service {
    Service(
        metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
        spec: ServiceSpec(ports: ports, clusterIP: clusterIP, type: type))
}

/// A condition as the hub writes it on an InternalServiceExport.
func hubConflict(_ conflicted: Bool, _ service: String, generation: Int64?) -> Condition {
    Condition(
        type: ServiceExportConditions.conflict, status: conflicted ? "True" : "False", observedGeneration: generation,
        lastTransitionTime: Time.now(),
        reason: conflicted ? ServiceExportConditions.Reason.conflictFound : ServiceExportConditions.Reason.noConflictFound,
        message: conflicted
            ? "service \(service) is in conflict with other exported services" : "service \(service) is exported without conflict")
}

/// Sets the hub's conflict resolution on the InternalServiceExport of `namespace/name` (as
/// hub/serviceimport and hub/internalserviceexport would), once that object exists.
func resolveConflict(
    _ fleet: FleetTestbed, cluster: String = "member-1", _ namespace: String, _ name: String, conflicted: Bool
) async throws {
    let api = fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member(cluster))
    let internalName = DerivedNames.hubObjectName(namespace: namespace, name: name)
    try await eventually("the InternalServiceExport \(internalName) exists") { try await getIfPresent(api, internalName) != nil }
    try await update(api, internalName, status: true) { internalExport in
        var conditions = internalExport.status?.conditions ?? []
        conditions.set(hubConflict(conflicted, "\(namespace)/\(name)", generation: internalExport.metadata.generation))
        internalExport.status = InternalServiceExportStatus(conditions: conditions)
    }
}

extension Optional where Wrapped == [Condition] {
    func condition(_ type: String) -> Condition? { self?.condition(ofType: type) }
}

/// The resourceVersions of `objects`, for "nothing is written any more" checks.
func resourceVersions<K: Resource>(_ api: ResourceAPI<K>) async throws -> [String: String] {
    var versions: [String: String] = [:]
    for object in try await api.list().items {
        versions[ObjectKey(object).description] = object.metadata.resourceVersion ?? ""
    }
    return versions
}
