import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Synchronization
import KubeTestSupport
import Testing

// The Multi-Cluster Services API end to end, every controller of the fleet in one process over
// three members: automatic ServiceImports in every member with the namespace (exporters
// included), the ClusterSetIP of the derived Service, imported EndpointSlices with the MCS
// labels, the oldest exporter leaving without a gap, KEP conflicts on every export, per-port
// slices, a namespace that appears later, and the rules between the two export APIs.

@Suite(.serialized) struct ClusterSetEndToEndTests {
    static let members = ["member-1", "member-2", "member-3"]
    static let ns = "work"

    @Test func serviceExportedByThreeMembersIsImportedEverywhereAndSurvivesTheOldestLeaving() async throws {
        try await FleetTestbed.run(members: Self.members) { fleet in
            try await fleet.runningEverything { _ in
                try await fleet.createNamespaceEverywhere(Self.ns)
                for (index, member) in fleet.members.enumerated() {
                    try await CS.deploy(member, index: index)
                    _ = try await member.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export())
                    // Creation timestamps have whole seconds: make the order of the exports certain.
                    if index < 2 { try await Task.sleep(for: .milliseconds(1100)) }
                }
                for member in fleet.members {
                    try await eventually("\(member.name)'s export is valid, exported, without conflict") {
                        try await CS.conditions(member) == [
                            "Valid": "True/Valid", "Ready": "True/Exported", "Conflict": "False/NoConflicts",
                        ]
                    }
                }
                let everyAddress = Set(CS.addresses(0) + CS.addresses(1) + CS.addresses(2))
                for member in fleet.members {
                    try await eventually("\(member.name) imports app with a ClusterSetIP and every endpoint") {
                        guard let serviceImport = try await getIfPresent(member.client.api(MCSServiceImport.self, namespace: Self.ns), "app")
                        else { return false }
                        let addresses = try await CS.importedAddresses(member)
                        return serviceImport.spec.type == "ClusterSetIP" && (serviceImport.spec.ips?.count ?? 0) == 1
                            && serviceImport.spec.ipFamilies == ["IPv4"]
                            && serviceImport.status?.clusters?.map(\.cluster) == Self.members
                            && serviceImport.spec.ports == [MCSServicePort(name: "http", protocol: "TCP", port: 80)]
                            && addresses == everyAddress
                    }
                }

                // The derived Service holds the ClusterSetIP; slices point at it.
                let member3 = fleet.member("member-3")
                let serviceImport = try await member3.client.api(MCSServiceImport.self, namespace: Self.ns).get("app")
                let derivedName = DerivedNames.clusterSetDerivedServiceName(namespace: Self.ns, name: "app")
                #expect(serviceImport.metadata.annotations?[MCSAnnotations.derivedService] == derivedName)
                let derived = try await member3.client.api(Service.self, namespace: Self.ns).get(derivedName)
                #expect(derived.spec?.clusterIP == serviceImport.spec.ips?.first)
                #expect(derived.spec?.selector == nil && derived.metadata.ownerReferences?.first?.uid == serviceImport.metadata.uid)
                let slices = try await CS.importedSlices(member3)
                #expect(slices.count == 3)
                #expect(Set(slices.compactMap { $0.metadata.labels?[MCSLabels.sourceCluster] }) == Set(Self.members))
                #expect(slices.allSatisfy { $0.metadata.labels?[FleetLabels.serviceName] == derivedName })
                #expect(slices.allSatisfy { $0.metadata.ownerReferences?.first?.uid == serviceImport.metadata.uid })

                // The oldest exporter leaves: the import and the other clusters' slices stay
                // (no deletion event at all), and member-1's endpoints go.
                let imports = member3.client.api(MCSServiceImport.self, namespace: Self.ns)
                let sliceAPI = member3.client.api(EndpointSlice.self, namespace: Self.ns)
                let importVersion = try await imports.list().metadata.resourceVersion
                let sliceVersion = try await sliceAPI.list().metadata.resourceVersion
                let deletions = DeletionLog()
                let importWatch = try await imports.watch(resourceVersion: importVersion)
                let sliceWatch = try await sliceAPI.watch(resourceVersion: sliceVersion)
                let watchers = [
                    Task {
                        for try await event in importWatch {
                            if case .deleted(let object) = event { deletions.add("ServiceImport \(object.metadata.name ?? "")") }
                        }
                    },
                    Task {
                        for try await event in sliceWatch {
                            if case .deleted(let object) = event, object.metadata.labels?[MCSLabels.sourceCluster] != "member-1" {
                                deletions.add("EndpointSlice \(object.metadata.name ?? "")")
                            }
                        }
                    },
                ]
                defer { for watcher in watchers { watcher.cancel() } }
                try await fleet.member("member-1").client.api(MCSServiceExport.self, namespace: Self.ns).delete("app")
                let remaining = Set(CS.addresses(1) + CS.addresses(2))
                for member in fleet.members {
                    try await eventually("\(member.name) imports member-2 and member-3 only") {
                        let serviceImport = try await member.client.api(MCSServiceImport.self, namespace: Self.ns).get("app")
                        let addresses = try await CS.importedAddresses(member)
                        return serviceImport.status?.clusters?.map(\.cluster) == ["member-2", "member-3"] && addresses == remaining
                    }
                }
                #expect(try await imports.get("app").spec.ips == serviceImport.spec.ips, "the ClusterSetIP is kept")

                // `fleetnet status` shows the MCS service, who exports and who imports it.
                let status = try await FleetStatus.gather(
                    hub: fleet.hub.client, members: Dictionary(uniqueKeysWithValues: fleet.members.map { ($0.name, $0.client) }))
                let row = try #require(status.rows.first { $0.service == "\(Self.ns)/app" })
                #expect(row.api == "mcs" && row.exportedBy == ["member-2", "member-3"] && row.importedBy == Self.members)
                #expect(status.table().contains("mcs"))
                try await consistently("no import and no remaining slice was deleted on the way", for: .seconds(1)) {
                    deletions.entries.isEmpty
                }

                // The last exporters leave: the import goes everywhere, with its derived Service and slices.
                for member in ["member-2", "member-3"] {
                    try await fleet.member(member).client.api(MCSServiceExport.self, namespace: Self.ns).delete("app")
                }
                for member in fleet.members {
                    try await eventually("\(member.name)'s import is gone with its slices and derived Service") {
                        let gone = try await getIfPresent(member.client.api(MCSServiceImport.self, namespace: Self.ns), "app") == nil
                        let slices = try await CS.importedSlices(member)
                        let derived = try await getIfPresent(member.client.api(Service.self, namespace: Self.ns), derivedName)
                        return gone && slices.isEmpty && derived == nil
                    }
                }
            }
        }
    }

    @Test func importsFollowNamespacesConflictsAndPerPortRouting() async throws {
        try await FleetTestbed.run(members: Self.members) { fleet in
            try await fleet.runningEverything { _ in
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                let member3 = fleet.member("member-3")
                // `work` exists in member-1 and member-2 only.
                try await fleet.createNamespace(Self.ns, in: member1)
                try await fleet.createNamespace(Self.ns, in: member2)
                try await CS.deploy(member1, index: 0, ports: [ServicePort(name: "tcp", protocol: "TCP", port: 42), ServicePort(name: "udp", protocol: "UDP", port: 42)])
                _ = try await member1.client.api(MCSServiceExport.self, namespace: Self.ns).create(
                    CS.export(labels: ["tier": "web"], annotations: ["team": "blue"]))
                try await eventually("member-1 and member-2 import app; member-3 has no namespace and no import") {
                    let first = try await CS.importExists(member1)
                    let second = try await CS.importExists(member2)
                    return first && second
                }
                #expect(try await getIfPresent(member3.client.api(Namespace.self), Self.ns) == nil)
                let imported = try await member2.client.api(MCSServiceImport.self, namespace: Self.ns).get("app")
                #expect(imported.metadata.labels == ["tier": "web"])
                #expect(imported.metadata.annotations?["team"] == "blue")

                // The namespace appears in member-3: so does the import.
                try await fleet.createNamespace(Self.ns, in: member3)
                try await eventually("member-3 imports app once its namespace exists") { try await CS.importExists(member3) }

                // member-2 exports the same service with another port number under `tcp` and an
                // extra port, and other labels: one Conflict on both, the union of the ports, and
                // member-2's endpoints only behind the ports it serves exactly.
                try await Task.sleep(for: .milliseconds(1100))
                try await CS.deploy(
                    member2, index: 1,
                    ports: [ServicePort(name: "tcp", protocol: "TCP", port: 43), ServicePort(name: "stcp", protocol: "SCTP", port: 142)])
                _ = try await member2.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export(labels: ["tier": "api"]))
                let expectedReason = "PortConflict,LabelsConflict,AnnotationsConflict"
                for member in [member1, member2] {
                    try await eventually("\(member.name)'s export reports the conflict") {
                        try await CS.conditions(member)["Conflict"] == "True/\(expectedReason)"
                    }
                }
                try await eventually("member-3 imports the union of the ports, with c0's labels") {
                    let serviceImport = try await member3.client.api(MCSServiceImport.self, namespace: Self.ns).get("app")
                    return serviceImport.spec.ports.map { "\($0.name ?? "")/\($0.port)/\($0.effectiveProtocol)" } == [
                        "stcp/142/SCTP", "tcp/42/TCP", "udp/42/UDP",
                    ] && serviceImport.metadata.labels == ["tier": "web"]
                        && serviceImport.status?.clusters?.map(\.cluster) == ["member-1", "member-2"]
                }
                try await eventually("member-2's imported slice in member-3 carries only the port member-2 serves exactly") {
                    let slices = try await CS.importedSlices(member3)
                    let fromMember2 = slices.first { $0.metadata.labels?[MCSLabels.sourceCluster] == "member-2" }
                    let fromMember1 = slices.first { $0.metadata.labels?[MCSLabels.sourceCluster] == "member-1" }
                    return fromMember2?.ports?.map(\.name) == ["stcp"] && Set(fromMember1?.ports?.compactMap(\.name) ?? []) == ["tcp", "udp"]
                }
                let message = try await member2.client.api(MCSServiceExport.self, namespace: Self.ns).get("app").status?.conditions?
                    .condition(ofType: "Conflict")?.message ?? ""
                #expect(message.contains("tcp 43/TCP of \"member-2\""), "the message names what was left out: \(message)")

                // member-2 fixes its labels and ports: no conflict anywhere.
                try await update(member2.client.api(Service.self, namespace: Self.ns), "app") {
                    $0.spec?.ports = [ServicePort(name: "tcp", protocol: "TCP", port: 42), ServicePort(name: "udp", protocol: "UDP", port: 42)]
                }
                try await update(member2.client.api(MCSServiceExport.self, namespace: Self.ns), "app") {
                    $0.spec = MCSServiceExportSpec(exportedLabels: ["tier": "web"], exportedAnnotations: ["team": "blue"])
                }
                for member in [member1, member2] {
                    try await eventually("\(member.name)'s export has no conflict any more") {
                        try await CS.conditions(member)["Conflict"] == "False/NoConflicts"
                    }
                }
            }
        }
    }

    @Test func externalNameAndHeadlessServices() async throws {
        try await FleetTestbed.run(members: ["member-1", "member-2"]) { fleet in
            try await fleet.runningEverything { _ in
                try await fleet.createNamespaceEverywhere(Self.ns)
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                _ = try await member1.client.api(Service.self, namespace: Self.ns).create(
                    Service(metadata: ObjectMeta(name: "ext", namespace: Self.ns), spec: ServiceSpec(type: "ExternalName", externalName: "example.com")))
                _ = try await member1.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export("ext"))
                try await eventually("an ExternalName Service is not exportable") {
                    try await CS.conditions(member1, "ext")["Valid"] == "False/InvalidServiceType"
                }
                try await consistently("nothing is imported for it") {
                    try await getIfPresent(member2.client.api(MCSServiceImport.self, namespace: Self.ns), "ext") == nil
                }

                try await CS.deploy(member1, index: 0, name: "db", clusterIP: "None")
                _ = try await member1.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export("db"))
                try await eventually("a headless Service is imported as Headless, without IPs or derived Service") {
                    guard let serviceImport = try await getIfPresent(member2.client.api(MCSServiceImport.self, namespace: Self.ns), "db")
                    else { return false }
                    let addresses = try await CS.importedAddresses(member2, service: "db")
                    return serviceImport.spec.type == "Headless" && serviceImport.spec.ips == nil
                        && serviceImport.metadata.annotations?[MCSAnnotations.derivedService] == nil
                        && addresses == Set(CS.addresses(0))
                }
                let slice = try #require(try await CS.importedSlices(member2, service: "db").first)
                #expect(slice.metadata.labels?[FleetLabels.serviceName] == nil, "headless imports have no Service for kube-proxy")

                // v1alpha1 is served with the same schema: an export written in it is exported, and
                // its import reads back in v1alpha1 too.
                try await CS.deploy(member1, index: 0, name: "legacy")
                let alpha = member1.client.dynamic(apiVersion: "\(MCSGroup.name)/\(MCSGroup.v1alpha1)", plural: "serviceexports", namespaced: true, namespace: Self.ns)
                _ = try await alpha.create(["apiVersion": .string("\(MCSGroup.name)/\(MCSGroup.v1alpha1)"), "kind": "ServiceExport", "metadata": ["name": "legacy"]])
                let alphaImports = member2.client.dynamic(
                    apiVersion: "\(MCSGroup.name)/\(MCSGroup.v1alpha1)", plural: "serviceimports", namespaced: true, namespace: Self.ns)
                try await eventually("a v1alpha1 export is imported, and readable as v1alpha1") {
                    let imported = try await alphaImports.get("legacy")
                    return imported["apiVersion"]?.stringValue == "\(MCSGroup.name)/\(MCSGroup.v1alpha1)"
                        && imported[path: ["spec", "type"]]?.stringValue == "ClusterSetIP"
                }
            }
        }
    }

    @Test func theTwoExportAPIs() async throws {
        try await FleetTestbed.run(members: ["member-1", "member-2"]) { fleet in
            try await fleet.runningEverything { _ in
                try await fleet.createNamespaceEverywhere(Self.ns)
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                for (index, member) in [member1, member2].enumerated() { try await CS.deploy(member, index: index) }

                // member-1 exports through the fleet API first: the fleet API governs the service,
                // member-2's MCS export takes no part.
                _ = try await member1.client.api(ServiceExport.self, namespace: Self.ns).create(E2E.serviceExport())
                try await eventually("member-1's fleet export is valid without conflict") {
                    try await E2E.exportState(member1, valid: E2E.validExport, conflict: E2E.noConflict)
                }
                _ = try await member2.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export())
                try await eventually("member-2's MCS export reports the export-API conflict and is not ready") {
                    let conditions = try await CS.conditions(member2)
                    return conditions["Conflict"] == "True/ExportAPIConflict" && conditions["Ready"] == "False/Failed"
                }
                let hubImport = fleet.hub.client.api(ServiceImport.self, namespace: Self.ns)
                try await consistently("the hub serves member-1 only; nothing is imported through the MCS API") {
                    let clusters = try await hubImport.get("app").status?.clusterNames
                    let imported = try await getIfPresent(member2.client.api(MCSServiceImport.self, namespace: Self.ns), "app")
                    return clusters == ["member-1"] && imported == nil
                }

                // member-1 adds an MCS export beside its fleet export: the fleet export keeps the
                // cluster's export; then the fleet export goes and the MCS export takes the hub
                // object over in place. Now both exports are MCS ones; the older (member-2's)
                // governs.
                _ = try await member1.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export())
                try await eventually("member-1's MCS export defers to its fleet export") {
                    try await CS.conditions(member1)["Conflict"] == "True/ExportAPIConflict"
                }
                let internalExports = fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member("member-1"))
                let hubName = DerivedNames.hubObjectName(namespace: Self.ns, name: "app")
                let before = try await internalExports.get(hubName)
                try await member1.client.api(ServiceExport.self, namespace: Self.ns).delete("app")
                try await eventually("member-1's MCS export took over: both are exported without conflict") {
                    let first = try await CS.conditions(member1)
                    let second = try await CS.conditions(member2)
                    return first == ["Valid": "True/Valid", "Ready": "True/Exported", "Conflict": "False/NoConflicts"]
                        && second["Ready"] == "True/Exported"
                }
                let after = try await internalExports.get(hubName)
                #expect(after.metadata.uid == before.metadata.uid, "the hub object was taken over, not re-created")
                #expect(after.spec?.clusterSetExport != nil)
                try await eventually("both members import both clusters' endpoints") {
                    let first = try await CS.importedAddresses(member1)
                    let second = try await CS.importedAddresses(member2)
                    return first == Set(CS.addresses(0) + CS.addresses(1)) && second == first
                }
            }
        }
    }
}

extension ClusterSetEndToEndTests {
    @Test func aLeavingMemberWithdrawsItsMCSExports() async throws {
        try await FleetTestbed.run(members: ["member-1", "member-2"]) { fleet in
            try await fleet.runningEverything { _ in
                try await fleet.createNamespaceEverywhere(Self.ns)
                for (index, member) in fleet.members.enumerated() {
                    try await CS.deploy(member, index: index)
                    _ = try await member.client.api(MCSServiceExport.self, namespace: Self.ns).create(CS.export())
                }
                let member1 = fleet.member("member-1")
                try await eventually("member-1 imports both clusters' endpoints") {
                    try await CS.importedAddresses(member1) == Set(CS.addresses(0) + CS.addresses(1))
                }
                let imcs = fleet.hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member("member-2"))
                try await update(imcs, "member-2") { $0.spec.state = InternalMemberClusterSpec.leave }
                try await eventually("member-2's export agent left, its MCS export withdrawn", timeout: .seconds(60)) {
                    let imc = try await imcs.get("member-2")
                    let left = imc.status?.agentStatus?.first { $0.type == AgentTypes.serviceExportImportAgent }?.conditions?
                        .condition(ofType: AgentConditions.joined)?.reason == AgentConditions.Reason.agentLeft
                    let exports = try await fleet.member("member-2").client.api(MCSServiceExport.self).list().items
                    return left && exports.isEmpty
                }
                try await eventually("member-1 imports member-1's endpoints only") {
                    let serviceImport = try await member1.client.api(MCSServiceImport.self, namespace: Self.ns).get("app")
                    let addresses = try await CS.importedAddresses(member1)
                    return serviceImport.status?.clusters?.map(\.cluster) == ["member-1"] && addresses == Set(CS.addresses(0))
                }
            }
        }
    }
}

/// What a watch saw deleted.
final class DeletionLog: Sendable {
    private let log = Mutex<[String]>([])
    func add(_ entry: String) { log.withLock { $0.append(entry) } }
    var entries: [String] { log.withLock { $0 } }
}

/// Objects and lookups of the MCS API scenarios.
enum CS {
    static let ns = ClusterSetEndToEndTests.ns

    /// Endpoint addresses of member `index` (0-based).
    static func addresses(_ index: Int) -> [String] { ["127.\(11 + index).0.1", "127.\(11 + index).0.2"] }

    /// Service `name` and an EndpointSlice of it in `cluster` (whose endpoints are `addresses(index)`).
    static func deploy(
        _ cluster: FleetTestbed.Cluster, index: Int, name: String = "app", clusterIP: String? = nil,
        ports: [ServicePort] = [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))]
    ) async throws {
        _ = try await cluster.client.api(Service.self, namespace: ns).create(makeService(ns, name, clusterIP: clusterIP, ports: ports))
        var slice = E2E.slice("\(name)-\(cluster.name)", service: name, addresses: addresses(index))
        slice.ports = ports.map { EndpointPort(name: $0.name ?? "", protocol: $0.protocol ?? "TCP", port: $0.port) }
        _ = try await cluster.client.api(EndpointSlice.self, namespace: ns).create(slice)
    }

    static func export(_ name: String = "app", labels: [String: String]? = nil, annotations: [String: String]? = nil) -> MCSServiceExport {
        MCSServiceExport(
            metadata: ObjectMeta(name: name, namespace: ns),
            spec: labels == nil && annotations == nil ? nil : MCSServiceExportSpec(exportedLabels: labels, exportedAnnotations: annotations))
    }

    /// The export's conditions as type → "status/reason".
    static func conditions(_ cluster: FleetTestbed.Cluster, _ name: String = "app") async throws -> [String: String] {
        let export = try await cluster.client.api(MCSServiceExport.self, namespace: ns).get(name)
        return Dictionary(uniqueKeysWithValues: (export.status?.conditions ?? []).map { ($0.type, "\($0.status)/\($0.reason)") })
    }

    static func importExists(_ cluster: FleetTestbed.Cluster, _ name: String = "app") async throws -> Bool {
        try await getIfPresent(cluster.client.api(MCSServiceImport.self, namespace: ns), name) != nil
    }

    /// The MCS EndpointSlices of `service` in `cluster`.
    static func importedSlices(_ cluster: FleetTestbed.Cluster, service: String = "app") async throws -> [EndpointSlice] {
        try await cluster.client.api(EndpointSlice.self, namespace: ns).list(labelSelector: "\(MCSLabels.serviceName)=\(service)").items
    }

    static func importedAddresses(_ cluster: FleetTestbed.Cluster, service: String = "app") async throws -> Set<String> {
        Set(try await importedSlices(cluster, service: service).flatMap { $0.endpoints.flatMap(\.addresses) })
    }
}
