import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// The hub accepts from each member only endpoints inside the CIDRs the fleet admin declared on
// its MemberCluster, and lets no member take over the name of another member's slice export.
// The hostile member here writes into its own hub namespace exactly what stolen credentials
// allow (its Role is confined to fleet-member-<name>, see TutorialTests).

@Suite(.serialized) struct EndpointOwnershipTests {
    static let web = [Hub.port(80, name: "http", target: 8080)]

    static func declare(_ fleet: FleetTestbed, member: String, pods: String?, extra: String? = nil) async throws {
        let api = fleet.hub.client.api(MemberCluster.self)
        var annotations: [String: String] = [:]
        annotations[FleetAnnotations.podCIDRs] = pods
        annotations[FleetAnnotations.extraEndpointCIDRs] = extra
        if var existing = try? await api.get(member) {
            existing.metadata.annotations = annotations
            _ = try await api.replace(existing)
        } else {
            _ = try await api.create(
                MemberCluster(
                    metadata: ObjectMeta(name: member, annotations: annotations),
                    spec: MemberClusterSpec(identity: Subject(kind: "User", name: "agent-\(member)"))))
        }
    }

    static func addresses(_ fleet: FleetTestbed, copyOf name: String, in cluster: String) async throws -> [String]? {
        try await Hub.copies(fleet, of: name)[cluster]?.spec.endpoints.flatMap(\.addresses).sorted()
    }

    static func endpointsAccepted(_ fleet: FleetTestbed, cluster: String) async throws -> Condition? {
        try await Hub.getExport(fleet, cluster: cluster).status?.conditions?.condition(ofType: ServiceExportConditions.endpointsAccepted)
    }

    @Test func endpointsOutsideTheExportersDeclaredCIDRsAreNotImported() async throws {
        try await Hub.run { fleet, context in
            try await Self.declare(fleet, member: "a", pods: "10.1.0.0/16")
            try await Self.declare(fleet, member: "b", pods: "10.2.0.0/16, fd00:2::/64", extra: "192.0.2.0/24")
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await Hub.export(fleet, cluster: "d", ports: Self.web, since: 3000)
                let fromA = try #require(try await Hub.exportSlice(fleet, cluster: "a", name: "s1", addresses: ["10.1.0.1"]).metadata.name)
                // b (stolen credentials) points the service at a's pod, at an outside address,
                // and at its own pod and declared extra address.
                let fromB = try #require(
                    try await Hub.exportSlice(
                        fleet, cluster: "b", name: "s2", addresses: ["10.2.0.7", "10.1.0.1", "192.0.2.5", "203.0.113.9"]
                    ).metadata.name)
                // d declares nothing: accepted as in the reference.
                let fromD = try #require(try await Hub.exportSlice(fleet, cluster: "d", name: "s3", addresses: ["203.0.113.1"]).metadata.name)
                try await Hub.claim(fleet, cluster: "c")

                try await eventually("c imports a's endpoint, b's own and declared ones, and d's") {
                    let a = try await Self.addresses(fleet, copyOf: fromA, in: "c")
                    let b = try await Self.addresses(fleet, copyOf: fromB, in: "c")
                    let d = try await Self.addresses(fleet, copyOf: fromD, in: "c")
                    return a == ["10.1.0.1"] && b == ["10.2.0.7", "192.0.2.5"] && d == ["203.0.113.1"]
                }
                try await eventually("b's export says which endpoints were left out") {
                    let condition = try await Self.endpointsAccepted(fleet, cluster: "b")
                    return condition?.status == ConditionStatus.false
                        && condition?.reason == ServiceExportConditions.Reason.outsideDeclaredCIDRs
                        && condition?.message.contains("10.1.0.1, 203.0.113.9") == true
                        && condition?.message.contains("10.2.0.0/16,fd00:2::/64,192.0.2.0/24") == true
                }
                try await eventually("a's and d's exports are accepted, d's for want of a declaration") {
                    let a = try await Self.endpointsAccepted(fleet, cluster: "a")
                    let d = try await Self.endpointsAccepted(fleet, cluster: "d")
                    return a?.reason == ServiceExportConditions.Reason.withinDeclaredCIDRs
                        && d?.reason == ServiceExportConditions.Reason.noCIDRsDeclared
                }
                try await eventually("a Warning event on b's slice export names the addresses") {
                    try await Hub.events(
                        fleet, namespace: FleetNamespaces.member("b"), about: fromB, reason: HubEventReasons.endpointsOutsideDeclaredCIDRs
                    ).contains { $0.type == "Warning" && $0.message?.contains("203.0.113.9") == true }
                }

                // The admin widens b's declaration: what now lies inside is imported at once.
                try await Self.declare(fleet, member: "b", pods: "10.2.0.0/16", extra: "192.0.2.0/24,203.0.113.0/24")
                try await eventually("b's newly declared address is imported") {
                    try await Self.addresses(fleet, copyOf: fromB, in: "c") == ["10.2.0.7", "192.0.2.5", "203.0.113.9"]
                }
                try await eventually("b's condition names only what is still outside") {
                    let condition = try await Self.endpointsAccepted(fleet, cluster: "b")
                    return condition?.status == ConditionStatus.false && condition?.message.contains("1 endpoint address lies") == true
                }
                // A declaration that does not parse accepts nothing: the admin meant to restrict.
                try await Self.declare(fleet, member: "d", pods: "not-a-cidr")
                try await eventually("d's endpoints are withdrawn") { try await Self.addresses(fleet, copyOf: fromD, in: "c") == [] }
                try await eventually("a Warning event on d's MemberCluster names what does not parse") {
                    try await Hub.events(fleet, namespace: "default", about: "d", reason: HubEventReasons.invalidDeclaredCIDRs)
                        .contains { $0.message?.contains("not-a-cidr") == true }
                }
                #expect(try await Self.addresses(fleet, copyOf: fromA, in: "c") == ["10.1.0.1"], "a is untouched throughout")
            }
        }
    }

    @Test func aMemberCannotTakeTheNameOfAnotherMembersSliceExport() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await Hub.claim(fleet, cluster: "c")
                // b knows how a's agent names its slice export and takes the name first, with
                // endpoints of its own and a's cluster ID.
                let name = DerivedNames.endpointSliceExportName(cluster: "a", namespace: Hub.serviceNamespace, name: "s1")
                try await Hub.exportSlice(fleet, cluster: "b", name: "s1", addresses: ["10.2.0.66"], exportName: name)
                try await eventually("b's export is distributed while it is the only one of that name") {
                    try await Self.addresses(fleet, copyOf: name, in: "c") == ["10.2.0.66"]
                }
                try await Hub.exportSlice(fleet, cluster: "a", name: "s1", addresses: ["10.1.0.1"], exportName: name)
                try await eventually("c gets a's endpoints under a's name, attributed to a") {
                    let copy = try await Hub.copies(fleet, of: name)["c"]
                    return copy?.spec.endpoints.flatMap(\.addresses) == ["10.1.0.1"] && copy?.spec.endpointSliceReference.clusterId == "a"
                }
                try await eventually("a Warning event tells b its export is not distributed") {
                    try await !Hub.events(
                        fleet, namespace: FleetNamespaces.member("b"), about: name, reason: HubEventReasons.endpointSliceExportNameTaken
                    ).isEmpty
                }
                // b's export going away leaves a's copy alone.
                try await fleet.hub.client.api(EndpointSliceExport.self, namespace: FleetNamespaces.member("b")).delete(name)
                try await eventually("b's export is gone") {
                    try await Hub.gone(fleet.hub.client.api(EndpointSliceExport.self, namespace: FleetNamespaces.member("b")), name)
                }
                try await consistently("a's copy stays", for: .seconds(1)) {
                    try await Self.addresses(fleet, copyOf: name, in: "c") == ["10.1.0.1"]
                }
            }
        }
    }

    @Test func declarationsParseWithTheirInvalidItemsReported() {
        func member(_ annotations: [String: String]?) -> MemberCluster {
            MemberCluster(metadata: ObjectMeta(name: "m", annotations: annotations), spec: MemberClusterSpec(identity: Subject(kind: "User", name: "u")))
        }
        #expect(EndpointCIDRDeclaration(of: nil) == .undeclared)
        #expect(EndpointCIDRDeclaration(of: member(nil)) == .undeclared)
        // Extra CIDRs alone declare nothing: they only widen a pod declaration.
        #expect(EndpointCIDRDeclaration(of: member([FleetAnnotations.extraEndpointCIDRs: "10.9.0.0/16"])) == .undeclared)
        let declared = EndpointCIDRDeclaration(of: member([FleetAnnotations.podCIDRs: "10.1.0.0/16,bogus", FleetAnnotations.extraEndpointCIDRs: "192.0.2.0/24"]))
        #expect(declared == .declared(networks: [IPNetwork("10.1.0.0/16")!, IPNetwork("192.0.2.0/24")!], invalid: ["bogus"]))
        let endpoint = { (addresses: [String]) in ExportedEndpoint(addresses: addresses) }
        #expect(declared.accepts(endpoint(["10.1.2.3"])))
        #expect(declared.accepts(endpoint(["192.0.2.1"])))
        #expect(!declared.accepts(endpoint(["10.1.2.3", "10.2.0.1"])), "every address of an endpoint must be inside")
        #expect(!declared.accepts(endpoint(["10.2.0.1"])))
        #expect(EndpointCIDRDeclaration(of: member([FleetAnnotations.podCIDRs: ""])) == .declared(networks: [], invalid: []))
    }

    @Test func fleetnetStatusSaysWhichMembersDeclareNoCIDRs() {
        let status = FleetStatus(
            rows: [
                FleetStatus.Row(
                    service: "work/app", api: "fleet", exportedBy: ["a", "b"], conflicts: [:], importedBy: ["c"],
                    endpoints: ["a": 2, "b": 3], rejected: ["b": 1], externalIP: nil)
            ],
            members: [
                .init(name: "a", declaration: .undeclared),
                .init(name: "b", declaration: .declared(networks: [IPNetwork("10.2.0.0/16")!], invalid: ["bogus"])),
                .init(name: "c", declaration: .declared(networks: [], invalid: [])),
            ])
        let table = status.table()
        #expect(table.contains("a=2,b=3(1 rejected)"), "\(table)")
        let lines = table.split(separator: "\n").map(String.init)
        let memberRows = lines.drop { !$0.hasPrefix("MEMBER ") }
        #expect(memberRows.count == 4, "\(table)")
        #expect(memberRows.contains { $0.hasPrefix("a ") && $0.hasSuffix(" <undeclared: every endpoint accepted>") }, "\(table)")
        #expect(memberRows.contains { $0.hasPrefix("b ") && $0.hasSuffix(" 10.2.0.0/16 (ignored, invalid: bogus)") }, "\(table)")
        #expect(memberRows.contains { $0.hasPrefix("c ") && $0.hasSuffix(" <none: no endpoint accepted>") }, "\(table)")
    }
}
