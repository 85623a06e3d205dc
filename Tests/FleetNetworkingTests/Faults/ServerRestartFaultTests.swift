import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// Fault suite: an API server restarted without its watch history (an etcd compaction and an
// apiserver restart: every resumed watch gets 410 and lists again) in the middle of 100
// concurrent exports — the hub's, then a member's. The fleet must converge to exactly the state a
// run without the restart reaches, compared object by object.

@Suite(.serialized) struct ServerRestartFaultTests {
    static let namespace = E2E.namespace
    static let services = 100

    struct Outcome: Sendable {
        var snapshot: FleetSnapshot
        /// From the restarted server's return until the fleet showed the final state.
        var converged: Duration
    }

    /// The scenario on a fresh fleet; `restarting` names the cluster whose server restarts.
    static func run(restarting cluster: String?) async throws -> Outcome {
        try await FleetTestbed.run(restartable: cluster.map { [$0] } ?? []) { fleet in
            try await fleet.runningEverything { _ in
                try await E2E.exportAndImport(fleet)
                let member1 = fleet.member("member-1")
                let hubExports = fleet.hub.client.api(InternalServiceExport.self, namespace: FleetNamespaces.member("member-1"))
                // 100 services exported at once by member-1; the test's own writes retry while
                // member-1's server is away, as kubectl apply in a loop would.
                let exporting = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for index in 0..<services {
                            group.addTask { try await exportService(index, from: member1) }
                        }
                        try await group.waitForAll()
                    }
                }
                var returned = ContinuousClock.now
                if let cluster, let server = fleet.restartable[cluster] {
                    try await eventually("the hub has taken some of the exports in") {
                        try await hubExports.list().items.count >= 10
                    }
                    let taken = try await hubExports.list().items.count
                    try await server.restart(losingHistory: true, downFor: .milliseconds(500))
                    returned = ContinuousClock.now
                    #expect(taken < services + 1, "the restart came before the hub had every export (\(taken))")
                }
                try await exporting.value
                let hubImports = fleet.hub.client.api(ServiceImport.self, namespace: namespace)
                let exports = member1.client.api(ServiceExport.self, namespace: namespace)
                try await eventually("every export is valid, unconflicted and imported on the hub", timeout: .seconds(120)) {
                    let imports = try await hubImports.list().items
                    let exported = imports.filter { $0.status?.clusterNames == ["member-1"] }.count
                    let valid = try await exports.list().items.filter {
                        E2E.condition($0.status?.conditions, ServiceExportConditions.conflict).map { $0 == E2E.noConflict } == true
                    }.count
                    return exported == services && valid == services + 1
                }
                let converged = ContinuousClock.now - returned
                let snapshot = try await settled("the fleet's networking objects", stableFor: .seconds(2), timeout: .seconds(60)) {
                    try await FleetSnapshot.take(fleet)
                }
                return Outcome(snapshot: snapshot, converged: converged)
            }
        }
    }

    /// Service `svc-<index>` with one endpoint, its slice and its ServiceExport in `cluster`.
    static func exportService(_ index: Int, from cluster: FleetTestbed.Cluster) async throws {
        let name = "svc-\(index)"
        try await createRetrying(cluster.client.api(Service.self, namespace: namespace), makeService(namespace, name))
        try await createRetrying(
            cluster.client.api(EndpointSlice.self, namespace: namespace),
            E2E.slice("\(name)-\(cluster.name)", service: name, addresses: ["127.11.1.\(index)"]))
        try await createRetrying(cluster.client.api(ServiceExport.self, namespace: namespace), E2E.serviceExport(name))
    }

    /// Creates `object`, retrying transport failures and server errors for 30 s; an object that
    /// already exists (an earlier try that got through) counts as created.
    static func createRetrying<K: Resource>(_ api: ResourceAPI<K>, _ object: K) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                _ = try await api.create(object)
                return
            } catch let error as KubeClientError where error.isAlreadyExists {
                return
            } catch where ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test func anAPIServerRestartedWithoutHistoryAmid100ExportsLeavesTheFleetAsWithoutIt() async throws {
        let clean = try await Self.run(restarting: nil)
        #expect(clean.snapshot.objects.count > 6 * Self.services, "the snapshot covers the fleet (\(clean.snapshot.objects.count) objects)")
        for cluster in ["hub", "member-1"] {
            let faulty = try await Self.run(restarting: cluster)
            let differences = faulty.snapshot.differences(from: clean.snapshot)
            #expect(
                differences.isEmpty,
                "after \(cluster)'s restart the fleet differs from a run without it:\n\(differences.prefix(10).joined(separator: "\n"))")
            #expect(faulty.converged < .seconds(60), "converged \(faulty.converged) after \(cluster)'s server returned")
            FaultFigures.record("\(cluster) API server restarted without history amid 100 exports", converged: faulty.converged, faultFree: clean.converged)
        }
    }
}
