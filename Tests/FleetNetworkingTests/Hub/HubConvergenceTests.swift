import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// A converged hub writes nothing: after every export, claim and slice is settled, the
// resourceVersions of all hub exchange objects stay put (each reconcile compares before writing).

@Suite(.serialized) struct HubConvergenceTests {
    static func versions(_ fleet: FleetTestbed) async throws -> [String: String] {
        var result: [String: String] = [:]
        func add<K: Resource>(_ items: [K]) {
            for item in items {
                result["\(K.kind)/\(item.metadata.namespace ?? "")/\(item.metadata.name ?? "")"] = item.metadata.resourceVersion ?? ""
            }
        }
        let client = fleet.hub.client
        add(try await client.api(ServiceImport.self).list().items)
        add(try await client.api(InternalServiceExport.self).list().items)
        add(try await client.api(InternalServiceImport.self).list().items)
        add(try await client.api(EndpointSliceExport.self).list().items)
        add(try await client.api(EndpointSliceImport.self).list().items)
        return result
    }

    @Test func aConvergedHubMakesNoFurtherWrites() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                let web = [Hub.port(80, name: "http", target: 8080)]
                try await Hub.export(fleet, cluster: "a", ports: web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: web, since: 2000)
                try await Hub.export(fleet, cluster: "c", ports: [Hub.port(81)], since: 3000)
                try await Hub.export(fleet, cluster: "a", service: "db", ports: [Hub.port(5432)], since: 1000)
                try await Hub.claim(fleet, cluster: "d")
                try await Hub.claim(fleet, cluster: "c")
                try await Hub.claim(fleet, cluster: "b", service: "db")
                let s1 = try await Hub.exportSlice(fleet, cluster: "a", name: "s1")
                let s2 = try await Hub.exportSlice(fleet, cluster: "b", name: "s2")
                let s3 = try await Hub.exportSlice(fleet, cluster: "a", name: "s3", service: "db")
                try await eventually("everything is settled") {
                    let claims = try await fleet.hub.client.api(InternalServiceImport.self).list().items
                    let fulfilled = claims.filter { !($0.status?.clusters ?? []).isEmpty }.count
                    let c1 = try await Hub.copies(fleet, of: s1.metadata.name ?? "")
                    let c2 = try await Hub.copies(fleet, of: s2.metadata.name ?? "")
                    let c3 = try await Hub.copies(fleet, of: s3.metadata.name ?? "")
                    let conflicted = try await Hub.isConflicted(fleet, cluster: "c")
                    let clusters = try await Hub.serviceImport(fleet)?.status?.clusterNames
                    return conflicted == true && fulfilled == 2 && c1.count == 1 && c2.count == 1
                        && c3.keys.sorted() == ["b"] && clusters == ["a", "b"]
                }
                let before = try await Self.versions(fleet)
                try await consistently("no hub object changes", for: .seconds(3)) {
                    try await Self.versions(fleet) == before
                }
            }
        }
    }
}
