import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Every controller of the fleet in one process (hub, member-net and mcs of member-1 and member-2)
// carries one service through its life (reference-controllers §1.4, §5, §7.17): export from both
// members, import by a MultiClusterService in member-2, endpoint churn, a deleted slice, a port
// conflict and its fix, both exporters withdrawing and coming back, and the MCS deleted. Each
// step is watch-driven; nothing waits for a periodic resync.

@Suite(.serialized) struct EndToEndTests {
    @Test func oneServiceThroughItsWholeLife() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.createNamespaceEverywhere(E2E.namespace)
            try await fleet.runningEverything { running in
                try await Self.scenario(fleet)
            }
        }
    }

    static func scenario(_ fleet: FleetTestbed) async throws {
        let member1 = fleet.member("member-1")
        let member2 = fleet.member("member-2")
        let ns = E2E.namespace
        func services(_ cluster: FleetTestbed.Cluster) -> ResourceAPI<Service> { cluster.client.api(Service.self, namespace: ns) }
        func slices(_ cluster: FleetTestbed.Cluster) -> ResourceAPI<EndpointSlice> { cluster.client.api(EndpointSlice.self, namespace: ns) }
        func exports(_ cluster: FleetTestbed.Cluster) -> ResourceAPI<ServiceExport> { cluster.client.api(ServiceExport.self, namespace: ns) }
        let hubImports = fleet.hub.client.api(ServiceImport.self, namespace: ns)
        let mcsAPI = member2.client.api(MultiClusterService.self, namespace: ns)
        let member2Imports = member2.client.api(ServiceImport.self, namespace: ns)
        let fleetServices2 = member2.client.api(Service.self, namespace: FleetNamespaces.fleetSystem)
        let claims2 = fleet.hub.client.api(InternalServiceImport.self, namespace: FleetNamespaces.member("member-2"))
        let claimName = DerivedNames.hubObjectName(namespace: ns, name: "app")

        let addresses1 = ["127.11.0.1", "127.11.0.2"]
        let addresses2 = ["127.12.0.1", "127.12.0.2"]

        // 1. Export `app` from both members.
        for (cluster, addresses) in [(member1, addresses1), (member2, addresses2)] {
            _ = try await services(cluster).create(makeService(ns, "app"))
            _ = try await slices(cluster).create(E2E.slice("app-\(cluster.name)", addresses: addresses))
            _ = try await exports(cluster).create(E2E.serviceExport())
        }
        for cluster in [member1, member2] {
            try await eventually("\(cluster.name)'s ServiceExport is valid without conflict", timeout: .seconds(60)) {
                try await E2E.exportState(cluster, valid: E2E.validExport, conflict: E2E.noConflict)
            }
        }
        try await eventually("the hub ServiceImport lists both clusters, ClusterSetIP, 80/TCP") {
            let status = try await hubImports.get("app").status
            return status?.clusterNames.sorted() == ["member-1", "member-2"] && status?.type == "ClusterSetIP"
                && status?.ports?.map { "\($0.port)/\($0.effectiveProtocol)" } == ["80/TCP"]
        }

        // 2. Import it in member-2.
        _ = try await mcsAPI.create(E2E.multiClusterService())
        try await eventually("the MultiClusterService is valid", timeout: .seconds(60)) {
            try await E2E.mcsValid(member2).map { $0 == (ConditionStatus.true, MultiClusterServiceConditions.Reason.foundServiceImport) } == true
        }
        let derived = try #require(try await E2E.derivedServiceName(member2))
        #expect(derived == DerivedNames.derivedServiceName(namespace: ns, name: "app"))
        let derivedService = try await fleetServices2.get(derived)
        #expect(derivedService.spec?.type == "LoadBalancer")
        #expect(derivedService.spec?.ports?.map(\.port) == [80])
        let derivedUID = derivedService.metadata.uid
        // A load balancer (here: the test, as a cloud controller would) gives the derived Service
        // an address; the MCS reports it.
        try await update(fleetServices2, derived, status: true) { service in
            service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: "127.202.0.1")]))
        }
        try await eventually("the MCS reports the load balancer's address") {
            try await mcsAPI.get("app").status?.loadBalancer?.ingress?.first?.ip == "127.202.0.1"
        }
        try await eventually("member-2's ServiceImport mirrors the hub's") {
            try await member2Imports.get("app").status?.clusterNames.sorted() == ["member-1", "member-2"]
        }
        try await eventually("member-2 claims the hub ServiceImport") {
            let claimed = try await hubImports.get("app").metadata.annotations?[FleetAnnotations.serviceInUseBy] ?? ""
            let claim = try await getIfPresent(claims2, claimName)
            return claimed.contains(FleetNamespaces.member("member-2")) && claim != nil
        }
        try await eventually("member-2 imports the endpoints of both members", timeout: .seconds(60)) {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses1 + addresses2)
        }
        for slice in try await E2E.fleetSystemSlices(member2) {
            #expect(slice.metadata.labels?[FleetLabels.serviceName] == derived)
            #expect(slice.metadata.labels?[FleetLabels.endpointSliceManagedBy] == FleetLabels.endpointSliceImportManager)
        }
        #expect(try await E2E.fleetSystemSlices(member1).isEmpty, "member-1 imports nothing")

        // 3. Endpoint churn in member-1.
        try await update(slices(member1), "app-member-1") { slice in
            slice.endpoints.append(Endpoint(addresses: ["127.11.0.3"], conditions: EndpointConditions(ready: true)))
        }
        try await eventually("an added endpoint reaches member-2") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses1 + addresses2 + ["127.11.0.3"])
        }
        try await update(slices(member1), "app-member-1") { slice in
            slice.endpoints.removeAll { $0.addresses == ["127.11.0.1"] }
        }
        try await eventually("a removed endpoint leaves member-2") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(["127.11.0.2", "127.11.0.3"] + addresses2)
        }

        // 4. member-1's slice deleted (no finalizer): its endpoints leave at once (the reference
        //    needs up to 5 minutes, §9.18), then it comes back.
        try await slices(member1).delete("app-member-1")
        try await eventually("the endpoints of a deleted slice leave member-2") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses2)
        }
        _ = try await slices(member1).create(E2E.slice("app-member-1", addresses: addresses1))
        try await eventually("a re-created slice is imported again") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses1 + addresses2)
        }

        // 5. member-1 changes its port: conflict; its endpoints leave; member-2 is unaffected.
        //    (The changed export is the younger one, or — stamps have whole seconds — ties with
        //    member-2's, and a tie goes to the export still serving the resolved ports.)
        try await update(services(member1), "app") { service in
            service.spec?.ports = [ServicePort(name: "http", protocol: "TCP", port: 81, targetPort: .int(8080))]
        }
        try await eventually("member-1's export is in conflict") {
            try await E2E.exportState(member1, valid: E2E.validExport, conflict: E2E.conflict)
        }
        try await eventually("member-1's endpoints leave the import") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses2)
        }
        try await eventually("the hub ServiceImport keeps only member-2") {
            try await hubImports.get("app").status?.clusterNames == ["member-2"]
        }
        #expect(try await E2E.exportState(member2, valid: E2E.validExport, conflict: E2E.noConflict))
        #expect(try await fleetServices2.get(derived).spec?.ports?.map(\.port) == [80])
        #expect(try await E2E.mcsValid(member2).map { $0.1 } == MultiClusterServiceConditions.Reason.foundServiceImport)

        // 5b. Touching the winning Service (a label; a load balancer's status would do the same)
        //     changes nothing: the incumbent keeps the service, member-1 stays in conflict.
        try await Task.sleep(for: .seconds(1.1))  // the export stamps have whole seconds
        try await update(services(member2), "app") { service in
            service.metadata.labels = (service.metadata.labels ?? [:]).merging(["touched": "yes"]) { $1 }
        }
        try await consistently("member-2 keeps the service while member-1 is in conflict", for: .seconds(3)) {
            let status = try await hubImports.get("app").status
            let member1Conflicted = try await E2E.exportState(member1, valid: E2E.validExport, conflict: E2E.conflict)
            let member2Valid = try await E2E.exportState(member2, valid: E2E.validExport, conflict: E2E.noConflict)
            return status?.clusterNames == ["member-2"] && status?.ports?.map(\.port) == [80] && member1Conflicted && member2Valid
        }
        #expect(try await fleetServices2.get(derived).spec?.ports?.map(\.port) == [80])

        // 6. member-1 fixes it.
        try await update(services(member1), "app") { service in
            service.spec?.ports = [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))]
        }
        try await eventually("member-1's export is valid again") {
            try await E2E.exportState(member1, valid: E2E.validExport, conflict: E2E.noConflict)
        }
        try await eventually("member-1's endpoints return") {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses1 + addresses2)
        }

        // 7. A converged fleet writes nothing (heartbeats and leases aside).
        try await eventually("the hub ServiceImport lists both clusters again") {
            try await hubImports.get("app").status?.clusterNames.sorted() == ["member-1", "member-2"]
        }
        try await assertQuiet(fleet)

        // 8. Both exporters withdraw: the MCS reports Unknown but keeps its derived Service (§9.4).
        for cluster in [member1, member2] { try await exports(cluster).delete("app") }
        try await eventually("the MCS waits for an exporter", timeout: .seconds(60)) {
            try await E2E.mcsValid(member2).map { $0 == (ConditionStatus.unknown, MultiClusterServiceConditions.Reason.unknownServiceImport) } == true
        }
        try await eventually("no endpoints are imported any more") {
            try await E2E.importedAddresses(member2, derived: derived).isEmpty
        }
        let kept = try await fleetServices2.get(derived)
        #expect(kept.metadata.uid == derivedUID, "the derived Service survives the withdrawal")
        #expect(try await E2E.derivedServiceName(member2) == derived)
        #expect(try await mcsAPI.get("app").status?.loadBalancer?.ingress?.isEmpty ?? true)

        // 9. Re-export: valid again, same derived Service, endpoints back.
        for cluster in [member1, member2] { _ = try await exports(cluster).create(E2E.serviceExport()) }
        try await eventually("the MCS is valid again", timeout: .seconds(60)) {
            try await E2E.mcsValid(member2).map { $0 == (ConditionStatus.true, MultiClusterServiceConditions.Reason.foundServiceImport) } == true
        }
        try await eventually("the endpoints of both members return", timeout: .seconds(60)) {
            try await E2E.importedAddresses(member2, derived: derived) == Set(addresses1 + addresses2)
        }
        #expect(try await fleetServices2.get(derived).metadata.uid == derivedUID)
        try await eventually("the MCS reports the same load balancer address again") {
            try await mcsAPI.get("app").status?.loadBalancer?.ingress?.first?.ip == "127.202.0.1"
        }

        // 10. The MCS goes: derived Service, member ServiceImport, imported slices and the hub
        //     claim go with it.
        try await mcsAPI.delete("app")
        try await eventually("the MCS is gone") { try await getIfPresent(mcsAPI, "app") == nil }
        try await eventually("the derived Service is gone") { try await getIfPresent(fleetServices2, derived) == nil }
        try await eventually("member-2's ServiceImport is gone") { try await getIfPresent(member2Imports, "app") == nil }
        try await eventually("the imported slices are gone") { try await E2E.fleetSystemSlices(member2).isEmpty }
        try await eventually("the hub claim is withdrawn") {
            let claimed = try await hubImports.get("app").metadata.annotations?[FleetAnnotations.serviceInUseBy]
            let claim = try await getIfPresent(claims2, claimName)
            return claimed == nil && claim == nil
        }
        let hubSlicesImports = fleet.hub.client.api(EndpointSliceImport.self, namespace: FleetNamespaces.member("member-2"))
        try await eventually("no EndpointSliceImports remain for member-2") { try await hubSlicesImports.list().items.isEmpty }
        // The exports themselves are untouched.
        #expect(try await hubImports.get("app").status?.clusterNames.sorted() == ["member-1", "member-2"])
    }

    /// Waits until the networking objects stop changing, then checks that none changes for 3 s.
    static func assertQuiet(_ fleet: FleetTestbed) async throws {
        let before = try await settled("the fleet's networking objects") { try await networkingResourceVersions(fleet) }
        try await Task.sleep(for: .seconds(3))
        let after = try await networkingResourceVersions(fleet)
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        #expect(changed.isEmpty, "a converged fleet wrote: \(changed)")
    }
}
