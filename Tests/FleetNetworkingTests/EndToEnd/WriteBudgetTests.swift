import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeServer
import KubeTestSupport
import Testing

// The write budget of one exported and imported service (issue 16): every request the fleet's
// controllers make, counted by the API servers (not timed), from the moment both members' agents
// have joined until the export has converged — member-1 exports `app` (one EndpointSlice, one
// endpoint), member-2 imports it with a MultiClusterService. The test's own four creates are
// left out. docs/benchmarks.md ("The write budget") explains each write that remains.

@Suite struct WriteBudgetTests {
    /// Writes (Events included) the fleet may make for one exported and imported service.
    /// Measured: 29–30 since one controller writes the ServiceExport status and controllers
    /// skip versions their own writes replaced (29–32 before; 37–39 before this budget was set).
    /// docs/benchmarks.md lists them.
    static let budget = 32

    @Test func oneExportedAndImportedServiceStaysWithinTheWriteBudget() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.createNamespaceEverywhere(E2E.namespace)
            try await fleet.runningEverything { _ in
                try await Self.waitUntilEveryAgentJoined(fleet)
                let before = try await Self.settledCounts(fleet)
                for counter in fleet.requests.values { counter.keepWriteLog() }

                let exporter = fleet.member("member-1")
                let importer = fleet.member("member-2")
                _ = try await exporter.client.api(Service.self, namespace: E2E.namespace).create(makeService(E2E.namespace, "app"))
                _ = try await exporter.client.api(EndpointSlice.self, namespace: E2E.namespace)
                    .create(E2E.slice("app-member-1", addresses: ["127.11.0.1"]))
                _ = try await exporter.client.api(ServiceExport.self, namespace: E2E.namespace).create(E2E.serviceExport())
                _ = try await importer.client.api(MultiClusterService.self, namespace: E2E.namespace).create(E2E.multiClusterService())
                let testWrites = 4

                try await eventually("member-1's export is valid without conflict", timeout: .seconds(60)) {
                    try await E2E.exportState(exporter, valid: E2E.validExport, conflict: E2E.noConflict)
                }
                try await eventually("member-2 imports member-1's endpoint", timeout: .seconds(60)) {
                    guard let derived = try await E2E.derivedServiceName(importer) else { return false }
                    return try await E2E.importedAddresses(importer, derived: derived) == ["127.11.0.1"]
                }
                let after = try await Self.settledCounts(fleet)

                var writes: [(cluster: String, key: RequestCountKey, count: Int)] = []
                for (cluster, counts) in after {
                    for (key, count) in counts.subtracting(before[cluster] ?? [:]) where key.isWrite {
                        writes.append((cluster, key, count))
                    }
                }
                writes.sort { ($0.cluster, $0.key.description) < ($1.cluster, $1.key.description) }
                let total = writes.map(\.count).reduce(0, +) - testWrites
                let table = writes.map { "\($0.cluster)\t\($0.key)\t\($0.count)" }.joined(separator: "\n")
                let log = fleet.requests.sorted { $0.key < $1.key }.map { cluster, counter in
                    counter.writeLog.map { "\(cluster)\t\($0)" }.joined(separator: "\n")
                }.joined(separator: "\n")
                FileHandle.standardError.write(
                    Data("write budget: \(total) writes (budget \(Self.budget))\n\(table)\nin order:\n\(log)\n".utf8))
                #expect(total <= Self.budget, "\(total) writes for one exported and imported service:\n\(table)")
            }
        }
    }

    static func waitUntilEveryAgentJoined(_ fleet: FleetTestbed) async throws {
        for member in fleet.members {
            let imcs = fleet.hub.client.api(InternalMemberCluster.self, namespace: FleetNamespaces.member(member.name))
            try await eventually("\(member.name)'s agents joined", timeout: .seconds(60)) {
                let imc = try await imcs.get(member.name)
                return [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent].allSatisfy { type in
                    imc.status?.agentStatus?.first { $0.type == type }?.conditions?.condition(ofType: AgentConditions.joined)?.status
                        == ConditionStatus.true
                }
            }
        }
    }

    /// Every server's counts once a second has passed with no write anywhere (the fleet runs
    /// with 60 s heartbeats and no leader election, so a quiet second means the work is done).
    static func settledCounts(_ fleet: FleetTestbed) async throws -> [String: [RequestCountKey: Int]] {
        func counts() -> [String: [RequestCountKey: Int]] { fleet.requests.mapValues { $0.snapshot() } }
        func writes(_ counts: [String: [RequestCountKey: Int]]) -> Int { counts.values.map(\.writes).reduce(0, +) }
        var last = counts()
        while true {
            try await Task.sleep(for: .seconds(1))
            let now = counts()
            if writes(now) == writes(last) { return now }
            last = now
        }
    }
}
