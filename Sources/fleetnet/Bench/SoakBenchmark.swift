import FaultInjection
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import LocalFleet
import Logging
import Synchronization

// Soak (issue 17): a local fleet with the three managers as processes, the member agents reaching
// the hub through a FaultProxy, for N minutes of continuous random changes — a member exports a
// service, unexports it, or changes its endpoints, one change every 100 ms — while faults are
// injected between the members and the hub every 20 s in turn: every connection reset, a 3 s
// partition, 5 s of 300 ms latency. Every 15 s the resident memory of each manager is sampled.
// Then the changes and faults stop, and the fleet must converge: for every service, the
// importer's (member-1's MultiClusterService) endpoints equal the union of what the members
// exporting it export.

struct SoakBenchmark {
    var minutes: Double
    var members: Int
    var services: Int
    var binaryDirectory: URL?
    let namespace = "soak"
    let faultEvery = Duration.seconds(20)
    let sampleEvery = Duration.seconds(15)

    /// What the bench has asked of the fleet: per member and service, the exported addresses,
    /// and counts of the changes (read by the progress sampler while the changes go on).
    struct Model: Sendable {
        var exported: [String: [Int: [String]]] = [:]
        var exports = 0, unexports = 0, endpointChanges = 0, refused = 0
    }

    final class ModelBox: Sendable {
        let state = Mutex(Model())
        var snapshot: Model { state.withLock { $0 } }
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data("bench \(line)\n".utf8))
    }

    func run() async throws -> [String: JSONValue] {
        let logger: Logger = {
            var logger = Logger(label: "fleetnet-bench")
            logger.logLevel = .error
            return logger
        }()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-soak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: members, directory: directory, withControllers: false), logger: logger)
        let results = Mutex<[String: JSONValue]?>(nil)
        try await session.run { endpoints in
            let hubURL = try await session.clusters.servers[0].server.url()
            guard let hubPort = URL(string: hubURL)?.port else { throw BenchFleet.Failed(description: "no port in the hub URL \(hubURL)") }
            let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: hubPort, logger: logger)
            let managers = try await ManagerProcesses.start(
                session: session, directory: directory, binaryDirectory: binaryDirectory, memberHubURL: "https://127.0.0.1:\(proxy.port)")
            let stop = { await Task { await managers.stop(); await proxy.stop() }.value }
            do {
                let outcome = try await soak(session: session, endpoints: endpoints, managers: managers, proxy: proxy)
                results.withLock { $0 = outcome }
            } catch {
                await stop()
                throw error
            }
            await stop()
            return false
        }
        guard let outcome = results.withLock({ $0 }) else { throw BenchFleet.Failed(description: "the soak produced no results") }
        return outcome
    }

    private func soak(
        session: LocalFleetSession, endpoints: LocalFleetSession.Endpoints, managers: ManagerProcesses, proxy: FaultProxy
    ) async throws -> [String: JSONValue] {
        try await managers.waitUntilReady(timeout: .seconds(120))
        let memberNames = session.memberNames
        let fleet = BenchFleet(clients: endpoints.clients, namespace: namespace)
        try await fleet.prepare()
        try await ScaleBenchmark.waitUntilJoined(hub: fleet.client("hub"), members: memberNames, managers: managers)
        let importer = memberNames[0]
        let names = (0..<services).map { "svc-\($0)" }
        for name in names {
            for member in memberNames { try await fleet.createService(name, in: member, port: 80) }
            _ = try await fleet.client(importer).api(MultiClusterService.self, namespace: namespace).create(
                MultiClusterService(
                    metadata: ObjectMeta(name: name, namespace: namespace), spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: name))))
        }
        progress("soak: \(managers.running.count) manager processes, \(services) services, \(minutes) minutes")

        let model = ModelBox()
        let started = ContinuousClock.now
        let deadline = started + .seconds(minutes * 60)
        let samples = Mutex<[(seconds: Double, resident: [String: ManagerProcesses.Resident])]>([])
        let faults = Mutex<[String: Int]>([:])
        let sampler = Task {
            while !Task.isCancelled {
                let seconds = (ContinuousClock.now - started).seconds
                let resident = managers.residentMegabytes()
                let counts = model.snapshot
                samples.withLock { $0.append((seconds, resident)) }
                progress(
                    "soak: \(Int(seconds)) s; RSS " + resident.keys.sorted().map { "\($0) \(String(format: "%.1f", resident[$0]!.total)) MB" }.joined(separator: ", ")
                        + "; \(counts.exports) exports, \(counts.unexports) unexports, \(counts.endpointChanges) endpoint changes")
                try? await Task.sleep(for: sampleEvery)
            }
        }
        let injector = Task {
            var round = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: faultEvery)
                if Task.isCancelled { break }
                switch round % 3 {
                case 0:
                    await proxy.resetAll()
                    faults.withLock { $0["reset", default: 0] += 1 }
                case 1:
                    proxy.mode = .blackhole
                    try? await Task.sleep(for: .seconds(3))
                    proxy.mode = .pass
                    faults.withLock { $0["partition 3 s", default: 0] += 1 }
                default:
                    proxy.mode = .delay(.milliseconds(300))
                    try? await Task.sleep(for: .seconds(5))
                    proxy.mode = .pass
                    faults.withLock { $0["latency 300 ms for 5 s", default: 0] += 1 }
                }
                round += 1
            }
            proxy.mode = .pass
        }
        defer {
            sampler.cancel()
            injector.cancel()
        }

        var generator = SystemRandomNumberGenerator()
        while ContinuousClock.now < deadline {
            try await change(fleet, model: model, members: memberNames, using: &generator)
            try await Task.sleep(for: .milliseconds(100))
        }
        injector.cancel()
        await injector.value
        proxy.mode = .pass
        let stopped = ContinuousClock.now
        progress("soak: changes and faults stopped; waiting for the fleet to converge")

        // Expected: per service, the union of what its exporters export.
        let asked = model.snapshot
        var expected: [String: Set<String>] = [:]
        for (index, name) in names.enumerated() {
            let derived = DerivedNames.derivedServiceName(namespace: namespace, name: name)
            expected[derived] = Set(memberNames.flatMap { asked.exported[$0]?[index] ?? [] })
        }
        let slices = fleet.client(importer).api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem)
        var mismatched: [String] = []
        var converged: Duration?
        while ContinuousClock.now - stopped < .seconds(180) {
            let current = Dictionary(
                uniqueKeysWithValues: try await slices.list().items.map { ($0.metadata.name ?? "", $0) })
            mismatched = expected.keys.sorted().filter { BenchFleet.importedAddresses(current, derived: $0) != expected[$0] }
            if mismatched.isEmpty {
                converged = ContinuousClock.now - stopped
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        sampler.cancel()
        await sampler.value
        let final = managers.residentMegabytes()
        samples.withLock { $0.append(((ContinuousClock.now - started).seconds, final)) }

        var figures: [String: JSONValue] = [
            "minutes": .double(minutes), "members": .int(Int64(members)), "services": .int(Int64(services)),
            "exports": .int(Int64(asked.exports)), "unexports": .int(Int64(asked.unexports)),
            "endpoint_changes": .int(Int64(asked.endpointChanges)),
            "exports_refused_while_unexporting": .int(Int64(asked.refused)),
            "faults": .object(faults.withLock { $0 }.mapValues { .int(Int64($0)) }),
            "final_check": .string(
                converged != nil
                    ? "every importer's endpoints equal the exporters'"
                    : "FAILED: \(mismatched.count) services differ after 180 s: \(mismatched.prefix(5).joined(separator: ", "))"),
            "exited": .string(managers.exited().isEmpty ? "none" : managers.exited().joined(separator: "; ")),
            "checked_at_end": .string(
                "\(expected.values.filter { !$0.isEmpty }.count) services exported, \(expected.values.map(\.count).reduce(0, +)) endpoints"),
        ]
        if let converged { figures["converge_after_stop_s"] = .double(converged.seconds) }
        // Memory: per binary, after a minute's warm-up (or the first sample), at the end, and the most.
        let series = samples.withLock { $0 }
        let warm = series.first { $0.seconds >= 60 } ?? series.first
        for binary in ManagerProcesses.binaries {
            let values = series.compactMap { $0.resident[binary]?.total }
            guard let last = values.last, let start = warm?.resident[binary]?.total else { continue }
            figures["rss_\(binary)_mb"] = .string(
                String(format: "after warm-up %.1f, end %.1f, max %.1f (growth %+.1f)", start, last, values.max() ?? last, last - start))
        }
        guard converged != nil else {
            throw BenchFleet.Failed(description: "the soak did not converge: \(figures)")
        }
        return figures
    }

    /// One random change: a member exports a service it does not export (1–3 addresses), or
    /// changes the endpoints of one it exports, or unexports it.
    private func change(
        _ fleet: BenchFleet, model: ModelBox, members: [String], using generator: inout SystemRandomNumberGenerator
    ) async throws {
        let memberIndex = Int.random(in: 0..<members.count, using: &generator)
        let member = members[memberIndex]
        let index = Int.random(in: 0..<services, using: &generator)
        let name = "svc-\(index)"
        let addresses = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
            BenchFleet.address(member: memberIndex + 1, index: index, change: Int.random(in: 0..<200, using: &generator))
        }
        let exports = fleet.client(member).api(ServiceExport.self, namespace: namespace)
        let slices = fleet.client(member).api(EndpointSlice.self, namespace: namespace)
        if model.snapshot.exported[member]?[index] == nil {
            if (try? await slices.get(name)) == nil {
                try await fleet.createSlice(name, in: member, addresses: addresses)
            } else {
                try await fleet.setSlice(name, in: member, addresses: addresses)
            }
            do {
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
            } catch let error as KubeClientError where error.isAlreadyExists {
                // Its last unexport is still finishing (the agent's finalizer): the export stays
                // as it was, unexported, but its endpoints changed.
                model.state.withLock { $0.refused += 1 }
                return
            }
            model.state.withLock { model in
                model.exported[member, default: [:]][index] = Array(Set(addresses))
                model.exports += 1
            }
        } else if Bool.random(using: &generator) {
            try await fleet.setSlice(name, in: member, addresses: addresses)
            model.state.withLock { model in
                model.exported[member]?[index] = Array(Set(addresses))
                model.endpointChanges += 1
            }
        } else {
            try await exports.delete(name)
            model.state.withLock { model in
                model.exported[member]?[index] = nil
                model.unexports += 1
            }
        }
    }
}
