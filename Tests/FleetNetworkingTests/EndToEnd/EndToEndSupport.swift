import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// The whole fleet in one process for the end-to-end tests: the hub controllers over one hub
// context, and for each member the member-net controllers (both halves and the membership
// controller) and the mcs controllers (MultiClusterService and membership) over two contexts, as
// the two member binaries would run them (each with its own caches and indexes).

struct RunningFleet: Sendable {
    let fleet: FleetTestbed
    let hub: HubAgentContext
    /// member-net-controller-manager's context per member.
    let memberNet: [String: MemberAgentContext]
    /// mcs-controller-manager's context per member.
    let mcs: [String: MemberAgentContext]
}

extension FleetTestbed {
    /// Creates an InternalMemberCluster in `Join` for every member, runs every controller of the
    /// fleet while `body` runs. A member named in `hubClients` reaches the hub through that client;
    /// one in `memberNetElsewhere` gets no member-net controllers here (a test runs them, e.g. as
    /// the binary).
    func runningEverything<T: Sendable>(
        heartbeatPeriodSeconds: Int32 = 60, hubClients: [String: KubeClient] = [:], memberNetElsewhere: Set<String> = [],
        _ body: @Sendable (RunningFleet) async throws -> T
    ) async throws -> T {
        let imcs = hub.client.api(InternalMemberCluster.self)
        for member in members where try await getIfPresent(
            hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member(member.name)), member.name) == nil
        {
            _ = try await imcs.create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: member.name, namespace: FleetNamespaces.member(member.name)),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: heartbeatPeriodSeconds)))
        }
        let hubContext = hubContext()
        var runnables: [@Sendable () async throws -> Void] = [{ await hubContext.informers.run() }]
        runnables += HubNetControllers.all(hubContext).map { controller in { await controller.run() } }
        var memberNet: [String: MemberAgentContext] = [:]
        var mcs: [String: MemberAgentContext] = [:]
        for member in members {
            let net = memberContext(member.name, hubClient: hubClients[member.name])
            let mcsContext = memberContext(member.name, hubClient: hubClients[member.name])
            memberNet[member.name] = net
            mcs[member.name] = mcsContext
            let netControllers =
                memberNetElsewhere.contains(member.name)
                ? []
                : MemberNetControllers.memberSide(net) + MemberNetControllers.hubSide(net)
                    + [InternalMemberClusterController.serviceExportImportAgent(net, networkingEnabled: true)]
            let controllers =
                netControllers
                + [MultiClusterServiceController.runnable(mcsContext)]
                + [InternalMemberClusterController.multiClusterServiceAgent(mcsContext, networkingEnabled: true)]
            runnables += [
                { await net.memberInformers.run() }, { await net.hubInformers.run() },
                { await mcsContext.memberInformers.run() }, { await mcsContext.hubInformers.run() },
            ]
            runnables += controllers.map { controller in { await controller.run() } }
        }
        let running = RunningFleet(fleet: self, hub: hubContext, memberNet: memberNet, mcs: mcs)
        return try await whileRunning(runnables) { try await body(running) }
    }
}

// MARK: Objects of the scenario

enum E2E {
    static let namespace = "work"

    /// `app`'s EndpointSlice in `cluster`, with one ready endpoint per address.
    static func slice(_ name: String, service: String = "app", addresses: [String], port: Int32 = 8080) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: namespace, labels: [FleetLabels.serviceName: service]),
            addressType: "IPv4",
            endpoints: addresses.map { Endpoint(addresses: [$0], conditions: EndpointConditions(ready: true, serving: true, terminating: false)) },
            ports: [EndpointPort(name: "http", protocol: "TCP", port: port)])
    }

    static func serviceExport(_ name: String = "app", annotations: [String: String]? = nil) -> ServiceExport {
        ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations))
    }

    static func multiClusterService(_ name: String = "app", importing serviceImport: String = "app") -> MultiClusterService {
        MultiClusterService(
            metadata: ObjectMeta(name: name, namespace: namespace),
            spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: serviceImport)))
    }

    /// The (status, reason) of condition `type`.
    static func condition(_ conditions: [Condition]?, _ type: String) -> (String, String)? {
        conditions?.condition(ofType: type).map { ($0.status, $0.reason) }
    }

    /// Whether ServiceExport `name` in `cluster` reports `Valid` and `Conflict` as given.
    static func exportState(
        _ cluster: FleetTestbed.Cluster, _ name: String = "app", valid: (String, String), conflict: (String, String)?
    ) async throws -> Bool {
        let export = try await cluster.client.api(ServiceExport.self, namespace: namespace).get(name)
        guard let actualValid = condition(export.status?.conditions, ServiceExportConditions.valid), actualValid == valid else { return false }
        guard let conflict else { return true }
        guard let actualConflict = condition(export.status?.conditions, ServiceExportConditions.conflict) else { return false }
        return actualConflict == conflict
    }

    static let validExport = (ConditionStatus.true, ServiceExportConditions.Reason.serviceIsValid)
    static let noConflict = (ConditionStatus.false, ServiceExportConditions.Reason.noConflictFound)
    static let conflict = (ConditionStatus.true, ServiceExportConditions.Reason.conflictFound)

    /// The MCS's `Valid` condition as (status, reason).
    static func mcsValid(_ cluster: FleetTestbed.Cluster, _ name: String = "app") async throws -> (String, String)? {
        let mcs = try await cluster.client.api(MultiClusterService.self, namespace: namespace).get(name)
        return condition(mcs.status?.conditions, MultiClusterServiceConditions.valid)
    }

    /// The name of the MCS's derived Service (from its label).
    static func derivedServiceName(_ cluster: FleetTestbed.Cluster, _ name: String = "app") async throws -> String? {
        let mcs = try await cluster.client.api(MultiClusterService.self, namespace: namespace).get(name)
        return mcs.metadata.labels?[FleetLabels.derivedService]
    }

    /// The addresses of the EndpointSlices in `cluster`'s fleet-system labelled for `derived`.
    static func importedAddresses(_ cluster: FleetTestbed.Cluster, derived: String) async throws -> Set<String> {
        let slices = try await cluster.client.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem)
            .list(labelSelector: "\(FleetLabels.serviceName)=\(derived)").items
        return Set(slices.flatMap { $0.endpoints.flatMap(\.addresses) })
    }

    /// Every EndpointSlice in `cluster`'s fleet-system.
    static func fleetSystemSlices(_ cluster: FleetTestbed.Cluster) async throws -> [EndpointSlice] {
        try await cluster.client.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem).list().items
    }
}

/// resourceVersions of every networking object of the fleet (members and hub), keyed by
/// `<cluster>/<kind>/<namespace>/<name>`.
func networkingResourceVersions(_ fleet: FleetTestbed) async throws -> [String: String] {
    var versions: [String: String] = [:]
    func add<K: Resource>(_ cluster: FleetTestbed.Cluster, _ kind: K.Type) async throws {
        for (key, version) in try await resourceVersions(cluster.client.api(K.self)) {
            versions["\(cluster.name)/\(K.kind)/\(key)"] = version
        }
    }
    for member in fleet.members {
        try await add(member, Service.self)
        try await add(member, EndpointSlice.self)
        try await add(member, ServiceExport.self)
        try await add(member, ServiceImport.self)
        try await add(member, MultiClusterService.self)
        try await add(member, KubeModel.Event.self)
    }
    try await add(fleet.hub, ServiceImport.self)
    try await add(fleet.hub, InternalServiceExport.self)
    try await add(fleet.hub, InternalServiceImport.self)
    try await add(fleet.hub, EndpointSliceExport.self)
    try await add(fleet.hub, EndpointSliceImport.self)
    try await add(fleet.hub, KubeModel.Event.self)
    return versions
}

extension E2E {
    /// The basic flow, whoever runs the controllers: `app` exported from every member (endpoints
    /// `127.<10+i>.0.1-2`), imported by a MultiClusterService in the last member; returns when the
    /// last member's imported slices hold every member's endpoints.
    static func exportAndImport(_ fleet: FleetTestbed, timeout: Duration = .seconds(60)) async throws {
        try await fleet.createNamespaceEverywhere(namespace)
        var everyAddress: Set<String> = []
        for (index, cluster) in fleet.members.enumerated() {
            let addresses = ["127.\(11 + index).0.1", "127.\(11 + index).0.2"]
            everyAddress.formUnion(addresses)
            _ = try await cluster.client.api(Service.self, namespace: namespace).create(makeService(namespace, "app"))
            _ = try await cluster.client.api(EndpointSlice.self, namespace: namespace).create(slice("app-\(cluster.name)", addresses: addresses))
            _ = try await cluster.client.api(ServiceExport.self, namespace: namespace).create(serviceExport())
        }
        for cluster in fleet.members {
            try await eventually("\(cluster.name)'s ServiceExport is valid without conflict", timeout: timeout) {
                try await exportState(cluster, valid: validExport, conflict: noConflict)
            }
        }
        let memberNames = fleet.members.map(\.name).sorted()
        try await eventually("the hub ServiceImport lists every member", timeout: timeout) {
            let status = try await fleet.hub.client.api(ServiceImport.self, namespace: namespace).get("app").status
            return status?.clusterNames.sorted() == memberNames && status?.type == "ClusterSetIP"
                && status?.ports?.map { "\($0.port)/\($0.effectiveProtocol)" } == ["80/TCP"]
        }
        let importer = try #require(fleet.members.last)
        _ = try await importer.client.api(MultiClusterService.self, namespace: namespace).create(multiClusterService())
        try await eventually("the MultiClusterService is valid", timeout: timeout) {
            try await mcsValid(importer).map { $0 == (ConditionStatus.true, MultiClusterServiceConditions.Reason.foundServiceImport) } == true
        }
        let derived = try #require(try await derivedServiceName(importer))
        let service = try await importer.client.api(Service.self, namespace: FleetNamespaces.fleetSystem).get(derived)
        #expect(service.spec?.type == "LoadBalancer")
        let addresses = everyAddress
        try await eventually("\(importer.name) imports every member's endpoints", timeout: timeout) {
            try await importedAddresses(importer, derived: derived) == addresses
        }
    }
}
