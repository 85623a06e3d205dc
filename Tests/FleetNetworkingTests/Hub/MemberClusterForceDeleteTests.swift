import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// hub/membercluster (reference §7.12): a deleted member's EndpointSliceImports lose their
// finalizers after the force-delete wait, also for a member that was already deleting when the
// controller started (the reference ignores Create events, §9.14).

@Suite(.serialized) struct MemberClusterForceDeleteTests {
    static func member(_ name: String) -> MemberCluster {
        MemberCluster(
            metadata: ObjectMeta(name: name, finalizers: ["test.fleet/hold"]),
            spec: MemberClusterSpec(identity: Subject(kind: "User", name: "agent-\(name)")))
    }

    static func heldCopy(_ fleet: FleetTestbed, cluster: String, name: String) async throws {
        let reference = ExportedObjectReference(
            clusterId: "a", kind: "EndpointSlice", namespace: Hub.serviceNamespace, name: name, resourceVersion: "1",
            generation: 1, uid: UUID().uuidString)
        let copy = EndpointSliceImport(
            metadata: ObjectMeta(
                name: name, namespace: FleetNamespaces.member(cluster), finalizers: [FleetFinalizers.endpointSliceImportCleanup]),
            spec: EndpointSliceExportSpec(
                endpoints: [ExportedEndpoint(addresses: ["10.0.0.1"])], endpointSliceReference: reference,
                ownerServiceReference: OwnerServiceReference(namespace: Hub.serviceNamespace, name: "app")))
        _ = try await fleet.hub.client.api(EndpointSliceImport.self, namespace: FleetNamespaces.member(cluster)).create(copy)
    }

    /// Whether the copy lost its finalizer (or is gone: hub/endpointsliceexport withdraws copies
    /// without an export, so once released it may be deleted at once).
    static func isReleased(_ fleet: FleetTestbed, cluster: String, name: String) async throws -> Bool {
        do {
            let copy = try await fleet.hub.client.api(EndpointSliceImport.self, namespace: FleetNamespaces.member(cluster)).get(name)
            return (copy.metadata.finalizers ?? []).isEmpty
        } catch let error as KubeClientError where error.isNotFound {
            return true
        }
    }

    @Test func copiesOfADeletedMemberAreReleasedAfterTheWaitEvenIfItWasDeletingBeforeStart() async throws {
        try await Hub.run(forceDeleteWaitTime: .seconds(3)) { fleet, context in
            let members = fleet.hub.client.api(MemberCluster.self)
            for cluster in ["a", "b", "c"] {
                _ = try await members.create(Self.member(cluster))
                try await Self.heldCopy(fleet, cluster: cluster, name: "slice-1")
            }
            // a is deleting before the controllers start.
            try await members.delete("a")
            try await Hub.whileControllersRun(fleet, context, deadAgents: ["a", "b", "c"]) {
                try await eventually("a's copy is released") { try await Self.isReleased(fleet, cluster: "a", name: "slice-1") }
                // b is deleted while they run: released after the wait, not before.
                try await members.delete("b")
                try await consistently("b's copy is held during the wait", for: .seconds(1)) {
                    try await !Self.isReleased(fleet, cluster: "b", name: "slice-1")
                }
                try await eventually("b's copy is released") { try await Self.isReleased(fleet, cluster: "b", name: "slice-1") }
                #expect(try await !Self.isReleased(fleet, cluster: "c", name: "slice-1"))
            }
        }
    }
}
