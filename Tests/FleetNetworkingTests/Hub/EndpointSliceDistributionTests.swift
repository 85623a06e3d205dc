import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// hub/endpointsliceexport (reference §7.11): exported slices are copied to the claimer only, only
// for exporters the ServiceImport lists, and the copies follow every change by watch.

@Suite(.serialized) struct EndpointSliceDistributionTests {
    static let web = [Hub.port(80, name: "http", target: 8080)]

    @Test func slicesGoToTheClaimerOnlyAndFollowTheClaim() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: [Hub.port(9999)], since: 2000)
                let slice = try await Hub.exportSlice(fleet, cluster: "a", name: "s1", addresses: ["fd00::1", "fd00::2"], addressType: "IPv6")
                let name = try #require(slice.metadata.name)
                try await consistently("nothing is distributed while nobody imports", for: .seconds(1)) {
                    try await Hub.copies(fleet, of: name).isEmpty
                }
                try await Hub.claim(fleet, cluster: "c")
                try await eventually("c gets a full copy") {
                    let copies = try await Hub.copies(fleet, of: name)
                    return copies.keys.sorted() == ["c"] && copies["c"]?.spec == slice.spec
                }
                let held = try await fleet.hub.client.api(EndpointSliceExport.self, namespace: "fleet-member-a").get(name)
                #expect(held.metadata.hasFinalizer(FleetFinalizers.endpointSliceExportCleanup))

                // b is in conflict: its slices are not distributed (the reference does not check).
                let conflicted = try await Hub.exportSlice(fleet, cluster: "b", name: "s2")
                try await consistently("the conflicted exporter's slice stays home", for: .seconds(2)) {
                    try await Hub.copies(fleet, of: conflicted.metadata.name ?? "").isEmpty
                }
                // Once b is compatible, its slice follows.
                try await Hub.setPorts(fleet, cluster: "b", ports: Self.web)
                try await eventually("b's slice reaches c") {
                    try await Hub.copies(fleet, of: conflicted.metadata.name ?? "").keys.sorted() == ["c"]
                }

                // Updates are copied.
                let exports = fleet.hub.client.api(EndpointSliceExport.self, namespace: "fleet-member-a")
                var updated = try await exports.get(name)
                updated.spec.endpoints.append(ExportedEndpoint(addresses: ["fd00::3"], conditions: EndpointConditions(ready: false)))
                updated = try await exports.replace(updated)
                let expected = updated.spec
                try await eventually("the update reaches c") { try await Hub.copies(fleet, of: name)["c"]?.spec == expected }

                // A copy deleted by hand comes back.
                try await fleet.hub.client.api(EndpointSliceImport.self, namespace: "fleet-member-c").delete(name)
                try await eventually("the copy is recreated") {
                    let copy = try await Hub.copies(fleet, of: name)["c"]
                    return copy != nil && copy?.metadata.uid != nil && copy?.spec == expected
                }

                // The claim moves from c to d: the copies move with it.
                try await Hub.claim(fleet, cluster: "d")
                try await Hub.unclaim(fleet, cluster: "c")
                try await eventually("the copies are in d only") {
                    let first = try await Hub.copies(fleet, of: name).keys.sorted()
                    let second = try await Hub.copies(fleet, of: conflicted.metadata.name ?? "").keys.sorted()
                    return first == ["d"] && second == ["d"]
                }

                // Deleting the export withdraws its copies and releases it.
                try await exports.delete(name)
                try await eventually("the export and its copies are gone") {
                    let noCopies = try await Hub.copies(fleet, of: name).isEmpty
                    let gone = try await Hub.gone(exports, name)
                    return noCopies && gone
                }
                #expect(try await Hub.copies(fleet, of: conflicted.metadata.name ?? "").keys.sorted() == ["d"])
            }
        }
    }

    @Test func aWithdrawnClaimRemovesTheCopiesAtOnce() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                let slice = try await Hub.exportSlice(fleet, cluster: "a", name: "s1")
                let name = try #require(slice.metadata.name)
                try await Hub.claim(fleet, cluster: "c")
                try await eventually("c gets a copy") { try await Hub.copies(fleet, of: name).keys.sorted() == ["c"] }
                try await Hub.unclaim(fleet, cluster: "c")
                // The copy goes; the live export keeps its finalizer (no write to drop it and
                // another to add it back with the next importer).
                let exports = fleet.hub.client.api(EndpointSliceExport.self, namespace: "fleet-member-a")
                try await eventually("the copy is withdrawn") { try await Hub.copies(fleet, of: name).isEmpty }
                #expect(try await exports.get(name).metadata.finalizers == [FleetFinalizers.endpointSliceExportCleanup])
                // A stray copy in a non-claimer's namespace is removed too.
                let stray = EndpointSliceImport(metadata: ObjectMeta(name: name, namespace: "fleet-member-b"), spec: slice.spec)
                _ = try await fleet.hub.client.api(EndpointSliceImport.self, namespace: "fleet-member-b").create(stray)
                try await eventually("the stray copy is removed") { try await Hub.copies(fleet, of: name).isEmpty }
                // Deleted, the export is released and goes.
                try await exports.delete(name)
                try await eventually("the deleted export is released") { try await getIfPresent(exports, name) == nil }
            }
        }
    }
}
