import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import LocalFleet
import Logging

// Propagation latency across a local fleet (issue "Benchmarks"): member-1 and member-3 export,
// member-2 imports. Every latency runs from just before the write that causes it to the moment the
// bench's own watch on the far side sees the result, in one process clock.
//
// - export:    ServiceExport created → Valid=True and Conflict=False on it.
// - import:    with a MultiClusterService waiting in member-2, ServiceExport created in member-1 →
//              the endpoint present in member-2's fleet-system EndpointSlices.
// - endpoints: an address added to / removed from an exporter's EndpointSlice → the same change in
//              member-2 (both exporters changing at once).
// - stale:     an exporter's EndpointSlice deleted → its endpoints gone from member-2.
// - unexport:  the other exporter's (member-3's) ServiceExport deleted → its endpoints gone from
//              member-2 (the figure behind the end-to-end test "unexport leaves only the other
//              cluster answering", whose own bound is loose enough for a loaded machine).

struct PropagationBenchmark {
    var exports: Int
    var imports: Int
    var endpointChanges: Int
    var concurrency: Int
    let namespace = "bench"

    func run(_ scenarios: [String]) async throws -> [String: [String: Double]] {
        let logger: Logger = {
            var logger = Logger(label: "fleetnet-bench")
            logger.logLevel = .error
            return logger
        }()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 3, directory: directory), logger: logger)
        let results = ResultBox()
        try await session.run { endpoints in
            let fleet = BenchFleet(clients: endpoints.clients, namespace: namespace)
            try await fleet.prepare()
            for scenario in scenarios {
                progress("\(scenario): running")
                let samples: [Duration]
                switch scenario {
                case "export": samples = try await exportScenario(fleet)
                case "import", "endpoints", "stale", "unexport":
                    if results.imported == nil { results.imported = try await importScenario(fleet) }
                    switch scenario {
                    case "import": samples = results.imported!.latencies
                    case "endpoints": samples = try await endpointsScenario(fleet, services: results.imported!.services)
                    case "unexport": samples = try await unexportScenario(fleet, services: results.imported!.services)
                    default: samples = try await staleScenario(fleet, services: results.imported!.services)
                    }
                default: continue
                }
                let summary = LatencySummary(milliseconds: samples.map(\.milliseconds))
                results.figures[scenario] = [
                    "count": Double(summary.count), "p50_ms": summary.p50, "p90_ms": summary.p90,
                    "p99_ms": summary.p99, "max_ms": summary.max,
                ]
                progress("\(scenario): \(summary.count) samples, p99 \(String(format: "%.1f", summary.p99)) ms")
            }
            return false
        }
        return results.figures
    }

    final class ResultBox: @unchecked Sendable {
        var figures: [String: [String: Double]] = [:]
        var imported: (latencies: [Duration], services: [String])?
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data("bench \(line)\n".utf8))
    }

    // MARK: Scenarios

    private func exportScenario(_ fleet: BenchFleet) async throws -> [Duration] {
        let member = fleet.client("member-1")
        let observer = try await WatchObserver(member.api(ServiceExport.self, namespace: namespace))
        defer { observer.stop() }
        return try await fleet.concurrently(exports, width: concurrency) { index in
            let name = "exp-\(index)"
            try await fleet.createService(name, in: "member-1", port: 80)
            let id = observer.expect { snapshot in
                let conditions = snapshot[name]?.status?.conditions ?? []
                return conditions.condition(ofType: ServiceExportConditions.valid)?.status == "True"
                    && conditions.condition(ofType: ServiceExportConditions.conflict)?.status == "False"
            }
            _ = try await member.api(ServiceExport.self, namespace: namespace).create(
                ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
            return await observer.wait(id)
        }
    }

    private func importScenario(_ fleet: BenchFleet) async throws -> (latencies: [Duration], services: [String]) {
        let importer = fleet.client("member-2")
        let observer = try await WatchObserver(importer.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem))
        defer { observer.stop() }
        let names = (0..<imports).map { "imp-\($0)" }
        for name in names {
            _ = try await importer.api(MultiClusterService.self, namespace: namespace).create(
                MultiClusterService(
                    metadata: ObjectMeta(name: name, namespace: namespace),
                    spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: name))))
        }
        let latencies = try await fleet.concurrently(imports, width: concurrency) { index in
            let name = names[index]
            let address = BenchFleet.address(member: 1, index: index, change: 0)
            try await fleet.createService(name, in: "member-1", port: 80)
            try await fleet.createSlice(name, in: "member-1", addresses: [address])
            let derived = DerivedNames.derivedServiceName(namespace: namespace, name: name)
            let id = observer.expect { snapshot in BenchFleet.importedAddresses(snapshot, derived: derived).contains(address) }
            _ = try await fleet.client("member-1").api(ServiceExport.self, namespace: namespace).create(
                ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
            return await observer.wait(id)
        }
        // The second exporter joins every service (untimed), so the endpoint changes come from two clusters.
        for (index, name) in names.enumerated() {
            try await fleet.createService(name, in: "member-3", port: 80)
            try await fleet.createSlice(name, in: "member-3", addresses: [BenchFleet.address(member: 3, index: index, change: 0)])
            _ = try await fleet.client("member-3").api(ServiceExport.self, namespace: namespace).create(
                ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
        }
        let all = Set(names.enumerated().map { BenchFleet.address(member: 3, index: $0.offset, change: 0) })
        let joined = observer.expect { snapshot in
            all.isSubset(of: Set(snapshot.values.flatMap { $0.endpoints.flatMap(\.addresses) }))
        }
        guard await observer.wait(joined, timeout: .seconds(120)) != nil else {
            throw BenchFleet.Failed(description: "member-3's endpoints never reached member-2")
        }
        return (latencies, names)
    }

    private func endpointsScenario(_ fleet: BenchFleet, services: [String]) async throws -> [Duration] {
        let importer = fleet.client("member-2")
        let observer = try await WatchObserver(importer.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem))
        defer { observer.stop() }
        // Per service, changes alternate: add an extra address to one exporter's slice, then remove
        // it. Services alternate between the two exporters, so both change at once.
        return try await fleet.concurrently(endpointChanges, width: concurrency) { change in
            let serviceIndex = change % services.count
            let round = change / services.count
            let member = serviceIndex % 2 == 0 ? 1 : 3
            let name = services[serviceIndex]
            let derived = DerivedNames.derivedServiceName(namespace: namespace, name: name)
            let base = BenchFleet.address(member: member, index: serviceIndex, change: 0)
            let extra = BenchFleet.address(member: member, index: serviceIndex, change: round / 2 + 1)
            let adding = round % 2 == 0
            let id = observer.expect { snapshot in
                BenchFleet.importedAddresses(snapshot, derived: derived).contains(extra) == adding
            }
            try await fleet.setSlice(name, in: "member-\(member)", addresses: adding ? [base, extra] : [base])
            return await observer.wait(id)
        }
    }

    private func staleScenario(_ fleet: BenchFleet, services: [String]) async throws -> [Duration] {
        let importer = fleet.client("member-2")
        let observer = try await WatchObserver(importer.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem))
        defer { observer.stop() }
        return try await fleet.concurrently(services.count, width: concurrency) { index in
            let name = services[index]
            let derived = DerivedNames.derivedServiceName(namespace: namespace, name: name)
            let base = BenchFleet.address(member: 1, index: index, change: 0)
            let id = observer.expect { snapshot in !BenchFleet.importedAddresses(snapshot, derived: derived).contains(base) }
            try await fleet.client("member-1").api(EndpointSlice.self, namespace: namespace).delete(name)
            return await observer.wait(id)
        }
    }

    private func unexportScenario(_ fleet: BenchFleet, services: [String]) async throws -> [Duration] {
        let importer = fleet.client("member-2")
        let observer = try await WatchObserver(importer.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem))
        defer { observer.stop() }
        let prefix = "127.\(10 + 3)."
        return try await fleet.concurrently(services.count, width: concurrency) { index in
            let name = services[index]
            let derived = DerivedNames.derivedServiceName(namespace: namespace, name: name)
            let id = observer.expect { snapshot in
                !BenchFleet.importedAddresses(snapshot, derived: derived).contains { $0.hasPrefix(prefix) }
            }
            try await fleet.client("member-3").api(ServiceExport.self, namespace: namespace).delete(name)
            return await observer.wait(id)
        }
    }
}
