import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Many services at once through the whole fleet: every one is exported by both members and
// imported by member-2, all converge, and the converged fleet settles (no writes).

@Suite(.serialized) struct EndToEndManyServicesTests {
    static let count = 12

    @Test func manyServicesConvergeAndSettle() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.createNamespaceEverywhere(E2E.namespace)
            try await fleet.runningEverything { _ in
                let ns = E2E.namespace
                let member2 = fleet.member("member-2")
                for index in 0..<Self.count {
                    let name = "svc-\(index)"
                    for (memberIndex, cluster) in fleet.members.enumerated() {
                        _ = try await cluster.client.api(Service.self, namespace: ns).create(makeService(ns, name))
                        _ = try await cluster.client.api(EndpointSlice.self, namespace: ns).create(
                            E2E.slice("\(name)-\(cluster.name)", service: name, addresses: ["127.\(11 + memberIndex).\(index).1"]))
                        _ = try await cluster.client.api(ServiceExport.self, namespace: ns).create(E2E.serviceExport(name))
                    }
                    _ = try await member2.client.api(MultiClusterService.self, namespace: ns).create(
                        E2E.multiClusterService(name, importing: name))
                }
                try await eventually("every service is imported with both members' endpoints", timeout: .seconds(120)) {
                    let slices = try await E2E.fleetSystemSlices(member2)
                    let mcss = try await member2.client.api(MultiClusterService.self, namespace: ns).list().items
                    guard mcss.count == Self.count else { return false }
                    for mcs in mcss {
                        guard let derived = mcs.metadata.labels?[FleetLabels.derivedService],
                            let index = mcs.metadata.name?.split(separator: "-").last.flatMap({ Int($0) })
                        else { return false }
                        let addresses = Set(
                            slices.filter { $0.metadata.labels?[FleetLabels.serviceName] == derived }.flatMap { $0.endpoints.flatMap(\.addresses) })
                        if addresses != ["127.11.\(index).1", "127.12.\(index).1"] { return false }
                        if E2E.condition(mcs.status?.conditions, MultiClusterServiceConditions.valid)?.1
                            != MultiClusterServiceConditions.Reason.foundServiceImport
                        {
                            return false
                        }
                    }
                    return true
                }
                try await EndToEndTests.assertQuiet(fleet)
            }
        }
    }
}
