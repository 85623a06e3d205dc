import FleetAPI
import KubeModel
import Testing

/// The testbed itself: CRDs and namespaces are where the controllers expect them.
@Suite struct TestbedTests {
    @Test func installsCRDsAndNamespaces() async throws {
        try await FleetTestbed.run { fleet in
            let hubCRDs = try await fleet.hub.client.api(CustomResourceDefinition.self).list().items.map(\.metadata.name)
            #expect(Set(hubCRDs.compactMap { $0 }) == Set((FleetCRDs.networking + FleetCRDs.fleetCore).map(\.name)))
            let memberCRDs = try await fleet.member("member-1").client.api(CustomResourceDefinition.self).list().items
            #expect(Set(memberCRDs.compactMap(\.metadata.name)) == Set(FleetCRDs.member.map(\.name)))
            _ = try await fleet.hub.client.api(Namespace.self).get("fleet-member-member-2")
            _ = try await fleet.member("member-2").client.api(Namespace.self).get("fleet-system")
        }
    }
}
