import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Imports across the whole fleet (reference-controllers §4.3, §5, §7.17): a backup importer in
// another member takes over when the importing MCS goes, an MCS retargeted to another service
// follows it, a deleted Service leaves the import waiting, and a member leaving withdraws its
// exports.

@Suite(.serialized) struct EndToEndImportTests {
    @Test func backupImporterTakesOverRetargetsAndLeave() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.runningEverything { running in
                let ns = E2E.namespace
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                try await E2E.exportAndImport(fleet)
                let everyAddress: Set<String> = ["127.11.0.1", "127.11.0.2", "127.12.0.1", "127.12.0.2"]
                let mcs1 = member1.client.api(MultiClusterService.self, namespace: ns)
                let mcs2 = member2.client.api(MultiClusterService.self, namespace: ns)
                let unknown = (ConditionStatus.unknown, MultiClusterServiceConditions.Reason.unknownServiceImport)
                let found = (ConditionStatus.true, MultiClusterServiceConditions.Reason.foundServiceImport)

                // A second importer waits while member-2 holds the claim.
                _ = try await mcs1.create(E2E.multiClusterService("backup", importing: "app"))
                try await eventually("the backup MCS waits") {
                    try await E2E.mcsValid(member1, "backup").map { $0 == unknown } == true
                }
                #expect(try await E2E.fleetSystemSlices(member1).isEmpty)

                // member-2's MCS goes: member-1 takes over, with every endpoint.
                try await mcs2.delete("app")
                try await eventually("the backup MCS takes over", timeout: .seconds(60)) {
                    try await E2E.mcsValid(member1, "backup").map { $0 == found } == true
                }
                let derived1 = try #require(try await E2E.derivedServiceName(member1, "backup"))
                try await eventually("member-1 imports every endpoint", timeout: .seconds(60)) {
                    try await E2E.importedAddresses(member1, derived: derived1) == everyAddress
                }
                try await eventually("member-2 imports nothing any more") { try await E2E.fleetSystemSlices(member2).isEmpty }
                let claimed = try await fleet.hub.client.api(ServiceImport.self, namespace: ns).get("app")
                    .metadata.annotations?[FleetAnnotations.serviceInUseBy] ?? ""
                #expect(claimed.contains(FleetNamespaces.member("member-1")) && !claimed.contains(FleetNamespaces.member("member-2")))

                // A second service, exported by member-2 only; the backup MCS is retargeted to it.
                _ = try await member2.client.api(Service.self, namespace: ns).create(makeService(ns, "api"))
                _ = try await member2.client.api(EndpointSlice.self, namespace: ns).create(
                    E2E.slice("api-1", service: "api", addresses: ["127.12.5.1"]))
                _ = try await member2.client.api(ServiceExport.self, namespace: ns).create(E2E.serviceExport("api"))
                try await eventually("api is exported") {
                    try await E2E.exportState(member2, "api", valid: E2E.validExport, conflict: E2E.noConflict)
                }
                try await update(mcs1, "backup") { $0.spec.serviceImport = LocalObjectName(name: "api") }
                try await eventually("the retargeted MCS imports api only", timeout: .seconds(60)) {
                    guard try await E2E.mcsValid(member1, "backup").map({ $0 == found }) == true,
                        let derived = try await E2E.derivedServiceName(member1, "backup")
                    else { return false }
                    let slices = try await E2E.fleetSystemSlices(member1)
                    let addresses = try await E2E.importedAddresses(member1, derived: derived)
                    return addresses == ["127.12.5.1"] && slices.count == 1
                }
                let imports1 = member1.client.api(ServiceImport.self, namespace: ns)
                try await eventually("the old member ServiceImport is gone") { try await getIfPresent(imports1, "app") == nil }
                try await eventually("the claim on app is withdrawn") {
                    try await fleet.hub.client.api(ServiceImport.self, namespace: ns).get("app")
                        .metadata.annotations?[FleetAnnotations.serviceInUseBy] == nil
                }

                // api's Service is deleted: its export becomes invalid, the import waits (Service kept).
                let derivedAPI = try #require(try await E2E.derivedServiceName(member1, "backup"))
                try await member2.client.api(Service.self, namespace: ns).delete("api")
                try await eventually("the export reports the missing Service") {
                    try await E2E.exportState(
                        member2, "api", valid: (ConditionStatus.false, ServiceExportConditions.Reason.serviceNotFound), conflict: nil)
                }
                try await eventually("the retargeted MCS waits, its endpoints gone", timeout: .seconds(60)) {
                    let waiting = try await E2E.mcsValid(member1, "backup").map { $0 == unknown } == true
                    let addresses = try await E2E.importedAddresses(member1, derived: derivedAPI)
                    return waiting && addresses.isEmpty
                }
                #expect(try await getIfPresent(member1.client.api(Service.self, namespace: FleetNamespaces.fleetSystem), derivedAPI) != nil)

                // member-2 leaves: both agents withdraw what they serve and report it.
                let imcs = fleet.hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member("member-2"))
                try await update(imcs, "member-2") { $0.spec.state = InternalMemberClusterSpec.leave }
                try await eventually("member-2's agents left", timeout: .seconds(60)) {
                    let imc = try await imcs.get("member-2")
                    return [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent].allSatisfy { type in
                        let condition = imc.status?.agentStatus?.first { $0.type == type }?.conditions?.condition(ofType: AgentConditions.joined)
                        return condition?.status == ConditionStatus.false && condition?.reason == AgentConditions.Reason.agentLeft
                    }
                }
                #expect(try await member2.client.api(ServiceExport.self).list().items.isEmpty)
                try await eventually("only member-1 exports app") {
                    try await fleet.hub.client.api(ServiceImport.self, namespace: ns).get("app").status?.clusterNames == ["member-1"]
                }
                try await eventually("no exports of member-2 remain on the hub") {
                    let hubNamespace = FleetNamespaces.member("member-2")
                    let internalExports = try await fleet.hub.client.api(InternalServiceExport.self, namespace: hubNamespace).list().items
                    let sliceExports = try await fleet.hub.client.api(EndpointSliceExport.self, namespace: hubNamespace).list().items
                    return internalExports.isEmpty && sliceExports.isEmpty
                }
            }
        }
    }
}

extension EndToEndImportTests {
    /// Deleting an application namespace deletes everything in it at once (Service, slices,
    /// ServiceExport or MultiClusterService and ServiceImport, held by their finalizers): the
    /// fleet withdraws the exports and the import, and the namespaces go away.
    @Test func deletedNamespacesWithdrawTheirExportsAndImports() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.runningEverything { _ in
                let ns = E2E.namespace
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                try await E2E.exportAndImport(fleet)
                let derived = try #require(try await E2E.derivedServiceName(member2))

                // The exporter's namespace goes.
                _ = try await member1.client.api(Namespace.self).delete(ns)
                try await eventually("member-1's namespace is gone", timeout: .seconds(60)) {
                    try await getIfPresent(member1.client.api(Namespace.self), ns) == nil
                }
                try await eventually("member-1's endpoints leave the import") {
                    try await E2E.importedAddresses(member2, derived: derived) == ["127.12.0.1", "127.12.0.2"]
                }
                try await eventually("only member-2 exports app") {
                    try await fleet.hub.client.api(ServiceImport.self, namespace: ns).get("app").status?.clusterNames == ["member-2"]
                }

                // The importer's namespace goes (its exports and its MCS with it).
                _ = try await member2.client.api(Namespace.self).delete(ns)
                try await eventually("member-2's namespace is gone", timeout: .seconds(60)) {
                    try await getIfPresent(member2.client.api(Namespace.self), ns) == nil
                }
                try await eventually("the derived Service and imported slices are gone") {
                    let service = try await getIfPresent(member2.client.api(Service.self, namespace: FleetNamespaces.fleetSystem), derived)
                    let slices = try await E2E.fleetSystemSlices(member2)
                    return service == nil && slices.isEmpty
                }
                try await eventually("the hub forgets the service") {
                    let serviceImport = try await getIfPresent(fleet.hub.client.api(ServiceImport.self, namespace: ns), "app")
                    var leftovers = 0
                    for member in fleet.members {
                        let hubNamespace = FleetNamespaces.member(member.name)
                        leftovers += try await fleet.hub.client.api(InternalServiceExport.self, namespace: hubNamespace).list().items.count
                        leftovers += try await fleet.hub.client.api(InternalServiceImport.self, namespace: hubNamespace).list().items.count
                        leftovers += try await fleet.hub.client.api(EndpointSliceExport.self, namespace: hubNamespace).list().items.count
                        leftovers += try await fleet.hub.client.api(EndpointSliceImport.self, namespace: hubNamespace).list().items.count
                    }
                    return serviceImport == nil && leftovers == 0
                }
            }
        }
    }
}
