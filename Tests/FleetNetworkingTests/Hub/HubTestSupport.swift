import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Testing

// Helpers for the hub controller tests: a hub (no member servers: the member agents' hub
// objects are written directly), exchange namespaces for made-up clusters, and builders of the
// objects member agents would write.

enum Hub {
    static let serviceNamespace = "work"

    /// Runs `body` on a fresh hub with `fleet-member-<c>` for each of `clusters`, the service
    /// namespace, and (unless `startControllers` is false) every hub controller running.
    static func run(
        clusters: [String] = ["a", "b", "c", "d"], forceDeleteWaitTime: Duration = .seconds(15 * 60),
        _ body: @Sendable (FleetTestbed, HubAgentContext) async throws -> Void
    ) async throws {
        try await FleetTestbed.run(members: []) { fleet in
            for cluster in clusters { try await fleet.createNamespace(FleetNamespaces.member(cluster), in: fleet.hub) }
            try await fleet.createNamespace(serviceNamespace, in: fleet.hub)
            // A retry interval of an hour: every step the tests wait for must be driven by watches
            // (the reference polls every 2 s / 5 s and would time out here).
            let context = HubAgentContext(
                hub: fleet.hub.client, informers: SharedInformers(client: fleet.hub.client, logger: FleetTestbed.quiet),
                events: EventRecorder(client: fleet.hub.client, component: "hub-net-controller-manager", logger: FleetTestbed.quiet),
                forceDeleteWaitTime: forceDeleteWaitTime, retryInterval: .seconds(3600), logger: FleetTestbed.quiet)
            try await body(fleet, context)
        }
    }

    /// Runs `body` while the hub informers and every hub controller of `context` run. The
    /// importers' agents are played by their one part in the hub's objects: the hub creates each
    /// EndpointSliceImport with its importer's finalizer, which the importer's agent releases
    /// when the copy is withdrawn — here at once, except for the clusters in `deadAgents`.
    static func whileControllersRun(
        _ fleet: FleetTestbed, _ context: HubAgentContext, deadAgents: Set<String> = [],
        _ body: @Sendable () async throws -> Void
    ) async throws {
        FleetTestbed.releaseOnDeletion(
            FleetFinalizers.endpointSliceImportCleanup, from: context.informers.informer(for: EndpointSliceImport.self),
            client: fleet.hub.client
        ) { copy in
            FleetNamespaces.memberCluster(ofNamespace: copy.metadata.namespace ?? "").map { !deadAgents.contains($0) } ?? false
        }
        let controllers = HubNetControllers.all(context)
        var runnables: [@Sendable () async throws -> Void] = [{ await context.informers.run() }]
        for controller in controllers { runnables.append(controller.run) }
        try await fleet.whileRunning(runnables, body)
    }

    static func port(_ port: Int32, name: String? = nil, protocol: String? = "TCP", target: Int32? = nil, appProtocol: String? = nil)
        -> FleetServicePort
    {
        FleetServicePort(name: name, protocol: `protocol`, appProtocol: appProtocol, port: port, targetPort: target.map { .int($0) })
    }

    /// What member/serviceexport writes for `service` exported by `cluster` (claiming to be
    /// `reportedCluster`), exported since `since` (seconds since the epoch).
    static func serviceExport(
        cluster: String, service: String = "app", ports: [FleetServicePort], since: Int64? = nil,
        reportedCluster: String? = nil
    ) -> InternalServiceExport {
        let reference = ExportedObjectReference(
            clusterId: reportedCluster ?? cluster, apiVersion: "v1", kind: "Service", namespace: serviceNamespace,
            name: service, resourceVersion: "1", generation: 1, uid: UUID().uuidString,
            exportedSince: since.map { Time(secondsSinceEpoch: $0) })
        return InternalServiceExport(
            metadata: ObjectMeta(
                name: DerivedNames.hubObjectName(namespace: serviceNamespace, name: service),
                namespace: FleetNamespaces.member(cluster)),
            spec: InternalServiceExportSpec(ports: ports, serviceReference: reference))
    }

    @discardableResult
    static func export(
        _ fleet: FleetTestbed, cluster: String, service: String = "app", ports: [FleetServicePort], since: Int64? = nil,
        reportedCluster: String? = nil
    ) async throws -> InternalServiceExport {
        let export = serviceExport(cluster: cluster, service: service, ports: ports, since: since, reportedCluster: reportedCluster)
        return try await fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member(cluster)).create(export)
    }

    /// Replaces the ports of `cluster`'s export of `service` (re-reading on conflicts).
    static func setPorts(
        _ fleet: FleetTestbed, cluster: String, service: String = "app", ports: [FleetServicePort], since: Int64? = nil
    ) async throws {
        let api = fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member(cluster))
        let name = DerivedNames.hubObjectName(namespace: serviceNamespace, name: service)
        _ = try await retryOnConflict {
            var export = try await api.get(name)
            export.spec?.ports = ports
            if let since { export.spec?.serviceReference.exportedSince = Time(secondsSinceEpoch: since) }
            return try await api.replace(export)
        }
    }

    static func unexport(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws {
        try await fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member(cluster))
            .delete(DerivedNames.hubObjectName(namespace: serviceNamespace, name: service))
    }

    static func getExport(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws -> InternalServiceExport {
        try await fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member(cluster))
            .get(DerivedNames.hubObjectName(namespace: serviceNamespace, name: service))
    }

    /// The Conflict condition of `cluster`'s export, as (status, reason).
    static func conflict(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws -> Condition? {
        try await getExport(fleet, cluster: cluster, service: service).status?.conditions?.condition(ofType: ServiceExportConditions.conflict)
    }

    static func isConflicted(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws -> Bool? {
        guard let condition = try await conflict(fleet, cluster: cluster, service: service) else { return nil }
        return condition.status == ConditionStatus.true
    }

    static func serviceImport(_ fleet: FleetTestbed, service: String = "app") async throws -> ServiceImport? {
        do {
            return try await fleet.hub.client.api(ServiceImport.self, namespace: serviceNamespace).get(service)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    static func gone<K: Resource>(_ api: ResourceAPI<K>, _ name: String) async throws -> Bool {
        do {
            _ = try await api.get(name)
            return false
        } catch let error as KubeClientError where error.isNotFound {
            return true
        }
    }

    /// What member/serviceimport writes for `cluster` importing `service`.
    @discardableResult
    static func claim(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws -> InternalServiceImport {
        let reference = ExportedObjectReference(
            clusterId: cluster, apiVersion: ServiceImport.apiVersion, kind: ServiceImport.kind, namespace: serviceNamespace,
            name: service, resourceVersion: "1", generation: 1, uid: UUID().uuidString, exportedSince: Time.now())
        let claim = InternalServiceImport(
            metadata: ObjectMeta(
                name: DerivedNames.hubObjectName(namespace: serviceNamespace, name: service),
                namespace: FleetNamespaces.member(cluster)),
            spec: InternalServiceImportSpec(serviceImportReference: reference))
        return try await fleet.hub.client.api(InternalServiceImport.self, namespace: FleetNamespaces.member(cluster)).create(claim)
    }

    static func unclaim(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws {
        try await fleet.hub.client.api(InternalServiceImport.self, namespace: FleetNamespaces.member(cluster))
            .delete(DerivedNames.hubObjectName(namespace: serviceNamespace, name: service))
    }

    static func getClaim(_ fleet: FleetTestbed, cluster: String, service: String = "app") async throws -> InternalServiceImport {
        try await fleet.hub.client.api(InternalServiceImport.self, namespace: FleetNamespaces.member(cluster))
            .get(DerivedNames.hubObjectName(namespace: serviceNamespace, name: service))
    }

    /// The `service-in-use-by` annotation of the hub ServiceImport.
    static func inUseBy(_ fleet: FleetTestbed, service: String = "app") async throws -> String? {
        try await serviceImport(fleet, service: service)?.metadata.annotations?[FleetAnnotations.serviceInUseBy]
    }

    static func inUseJSON(_ clusters: String...) -> String {
        let entries = clusters.sorted().map { "\"\(FleetNamespaces.member($0))\":\"\($0)\"" }
        return "{\"MemberClusters\":{\(entries.joined(separator: ","))}}"
    }

    /// What member/endpointslice writes for a slice `name` of `service` in `cluster`.
    @discardableResult
    static func exportSlice(
        _ fleet: FleetTestbed, cluster: String, name: String, service: String = "app", addresses: [String] = ["10.0.0.1"],
        addressType: String = "IPv4", exportName: String? = nil
    ) async throws -> EndpointSliceExport {
        let reference = ExportedObjectReference(
            clusterId: cluster, apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: serviceNamespace,
            name: name, resourceVersion: "1", generation: 1, uid: UUID().uuidString, exportedSince: Time.now())
        let slice = EndpointSliceExport(
            metadata: ObjectMeta(
                name: exportName ?? "\(cluster)-\(serviceNamespace)-\(name)-abcde", namespace: FleetNamespaces.member(cluster)),
            spec: EndpointSliceExportSpec(
                addressType: addressType,
                endpoints: addresses.map {
                    ExportedEndpoint(addresses: [$0], conditions: EndpointConditions(ready: true, serving: true, terminating: false))
                },
                ports: [EndpointPort(name: "http", protocol: "TCP", port: 8080)],
                endpointSliceReference: reference,
                ownerServiceReference: OwnerServiceReference(namespace: serviceNamespace, name: service)))
        return try await fleet.hub.client.api(EndpointSliceExport.self, namespace: FleetNamespaces.member(cluster)).create(slice)
    }

    /// The copies (EndpointSliceImports) of the slice export named `name`, by importer cluster.
    static func copies(_ fleet: FleetTestbed, of name: String) async throws -> [String: EndpointSliceImport] {
        var result: [String: EndpointSliceImport] = [:]
        for copy in try await fleet.hub.client.api(EndpointSliceImport.self).list().items where copy.metadata.name == name {
            if let cluster = FleetNamespaces.memberCluster(ofNamespace: copy.metadata.namespace ?? "") { result[cluster] = copy }
        }
        return result
    }

    /// The events about the object `name` in `namespace` with `reason`.
    static func events(_ fleet: FleetTestbed, namespace: String, about name: String, reason: String) async throws -> [Event] {
        try await fleet.hub.client.api(Event.self, namespace: namespace).list().items.filter {
            $0.involvedObject.name == name && $0.reason == reason
        }
    }
}
