import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeServer
import LocalFleet
import Logging

// Scale and memory (issue "Benchmarks"): a local fleet of M members with the three managers as
// separate processes. Every member exports S services of E endpoints each; member-1 imports all
// of them through MultiClusterServices.
//
// - scale:  time from the first write to member-1 holding every endpoint of every member
//           (converge_s); API requests and writes per server meanwhile, the bench's own excluded;
//           then writes during a quiet period, leases and heartbeats counted apart.
// - memory: resident memory of each manager process, idle (joined, nothing exported) and at the
//           end of the scale run (the largest process of each binary): VmRSS, and its anonymous
//           part (RssAnon) without the shared, clean pages of the binary and libraries.

struct ScaleBenchmark {
    var members: Int
    var services: Int
    var endpoints: Int
    var quietSeconds: Int
    /// Where the manager binaries are (nil: beside this executable).
    var binaryDirectory: URL?
    var concurrency = 32
    /// Create the workload before any manager starts and time the fleet from the managers' start.
    var coldStart = false
    let namespace = "bench"

    struct Results {
        var scale: [String: JSONValue]
        var memory: [String: JSONValue]
    }

    func run() async throws -> Results {
        let logger: Logger = {
            var logger = Logger(label: "fleetnet-bench")
            logger.logLevel = .error
            return logger
        }()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(
            options: .init(memberCount: members, directory: directory, withControllers: false), logger: logger)
        let box = ResultBox()
        try await session.run { fleetEndpoints in
            // Cold start: the workload is in the clusters before any manager runs.
            let cold = coldStart ? try await createBeforeManagers(session: session, fleetEndpoints: fleetEndpoints) : nil
            let managers = try await ManagerProcesses.start(session: session, directory: directory, binaryDirectory: binaryDirectory)
            // Stopped in a task of its own, so a cancelled run (Ctrl-C) still waits for them.
            let stop = { await Task { await managers.stop() }.value }
            do {
                box.results = try await measure(session: session, fleetEndpoints: fleetEndpoints, managers: managers, cold: cold)
            } catch {
                await stop()
                throw error
            }
            await stop()
            return false
        }
        guard let results = box.results else { throw BenchFleet.Failed(description: "the scale run produced no results") }
        return results
    }

    final class ResultBox: @unchecked Sendable {
        var results: Results?
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data("bench \(line)\n".utf8))
    }

    /// A cold start's workload, created before the managers start, and where the clock started.
    struct ColdStart: Sendable {
        let benchWrites: [String: Int]
        let createSeconds: Double
        let convergence: ImportConvergence
        let before: [[RequestCountKey: Int]]
        let ownCPU: Double
        let started: ContinuousClock.Instant
    }

    private var names: [String] { (0..<services).map { "svc-\($0)" } }

    private func convergenceWatch(_ fleet: BenchFleet, importer: String) async throws -> ImportConvergence {
        let convergence = ImportConvergence(
            target: Dictionary(uniqueKeysWithValues: names.map {
                (DerivedNames.derivedServiceName(namespace: namespace, name: $0), members * endpoints)
            }))
        try await convergence.start(fleet.client(importer).api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem))
        return convergence
    }

    /// Creates the whole workload with no manager running; the clock starts just before the
    /// managers do, so the figures are the fleet's own work from a cold start (a hub restart, or
    /// members joining a busy fleet), without the bench's creates.
    private func createBeforeManagers(session: LocalFleetSession, fleetEndpoints: LocalFleetSession.Endpoints) async throws -> ColdStart {
        let fleet = BenchFleet(clients: fleetEndpoints.clients, namespace: namespace)
        try await fleet.prepare()
        let creating = ContinuousClock.now
        let benchWrites = try await createWorkload(fleet, names: names, members: session.memberNames, importer: session.memberNames[0])
        let createSeconds = (ContinuousClock.now - creating).seconds
        progress("scale: cold start: the bench's \(benchWrites.values.reduce(0, +)) creates took \(String(format: "%.1f", createSeconds)) s; starting the managers")
        let convergence = try await convergenceWatch(fleet, importer: session.memberNames[0])
        return ColdStart(
            benchWrites: benchWrites, createSeconds: createSeconds, convergence: convergence,
            before: session.clusters.servers.map { $0.server.requests.snapshot() }, ownCPU: ProcessCPU.ownSeconds(),
            started: ContinuousClock.now)
    }

    private func measure(
        session: LocalFleetSession, fleetEndpoints: LocalFleetSession.Endpoints, managers: ManagerProcesses, cold: ColdStart?
    ) async throws -> Results {
        if !managers.usesBinaries {
            progress("scale: manager binaries not found beside fleetnet; running `fleetnet manager …` (build all products with `swift build -c release` to measure the binaries)")
        }
        let memberNames = session.memberNames
        let fleet = BenchFleet(clients: fleetEndpoints.clients, namespace: namespace)
        let importer = memberNames[0]
        var idle: [String: ManagerProcesses.Resident] = [:]
        if cold == nil {
            try await managers.waitUntilReady(timeout: .seconds(120))
            try await fleet.prepare()
            try await Self.waitUntilJoined(hub: fleet.client("hub"), members: memberNames, managers: managers)
            try await Task.sleep(for: .seconds(2))
            idle = managers.residentMegabytes()
            progress("scale: \(managers.running.count) manager processes ready; idle RSS \(format(idle))")
        }

        let convergence: ImportConvergence
        if let cold {
            convergence = cold.convergence
        } else {
            convergence = try await convergenceWatch(fleet, importer: importer)
        }
        defer { convergence.stop() }

        let servers = session.clusters.servers.map { (name: $0.context, counter: $0.server.requests) }
        let before = cold?.before ?? servers.map { $0.counter.snapshot() }
        // A cold start's managers are new processes: all their CPU counts.
        let cpuBefore = (own: cold?.ownCPU ?? ProcessCPU.ownSeconds(), managers: cold == nil ? managers.cpuSeconds() : [:])
        let started = cold?.started ?? ContinuousClock.now
        let reporter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(2))
                if Task.isCancelled { break }
                progress("scale: \(convergence.completeServices)/\(services) services fully imported into \(importer) after \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s")
            }
        }
        defer { reporter.cancel() }
        let benchWrites: [String: Int]
        let createSeconds: Double
        if let cold {
            // Created before the clock started: none of them is in the counts.
            benchWrites = [:]
            createSeconds = cold.createSeconds
        } else {
            benchWrites = try await createWorkload(fleet, names: names, members: memberNames, importer: importer)
            createSeconds = (ContinuousClock.now - started).seconds
            progress("scale: the bench's \(benchWrites.values.reduce(0, +)) creates took \(String(format: "%.1f", createSeconds)) s")
        }
        guard let converged = await convergence.converged(timeout: .seconds(600)) else {
            try Task.checkCancellation()
            let exited = managers.exited()
            throw BenchFleet.Failed(
                description: "the fleet did not converge within 600 s (\(convergence.completeServices)/\(services) services imported)"
                    + (exited.isEmpty ? "" : "; exited: \(exited.joined(separator: "; "))"))
        }
        reporter.cancel()
        let cpuAfter = (own: ProcessCPU.ownSeconds(), managers: managers.cpuSeconds())
        let convergeSeconds = (converged - started).seconds
        let during = zip(servers, before).map { $0.counter.snapshot().subtracting($1) }
        progress("scale: converged in \(String(format: "%.2f", convergeSeconds)) s; \(quietSeconds) s of quiet follow")

        // Requests and writes meanwhile, without the bench's own creates (its convergence watch
        // started before).
        var scale: [String: JSONValue] = [
            "members": .int(Int64(members)), "services": .int(Int64(services)), "endpoints": .int(Int64(endpoints)),
            "converge_s": .double(convergeSeconds), "create_s": .double(createSeconds), "cold_start": .bool(cold != nil),
        ]
        // CPU while converging: the API servers (this process, which also runs the bench's own
        // creates and its watch of the importer) and each manager binary, all processes summed.
        let apiServerCPU = cpuAfter.own - cpuBefore.own
        scale["cpu_s_apiservers_and_bench"] = .double(apiServerCPU)
        var managerCPU = 0.0
        for binary in ManagerProcesses.binaries {
            let seconds = (cpuAfter.managers[binary] ?? 0) - (cpuBefore.managers[binary] ?? 0)
            scale["cpu_s_\(binary)"] = .double(seconds)
            managerCPU += seconds
        }
        scale["cpu_s"] = .double(apiServerCPU + managerCPU)
        var requests = 0
        var writes = 0
        var memberRequests = 0
        var memberWrites = 0
        for ((name, _), counts) in zip(servers, during) {
            let own = benchWrites[name] ?? 0
            let serverRequests = counts.total - own
            let serverWrites = counts.writes - own
            requests += serverRequests
            writes += serverWrites
            if name == "hub" {
                scale["hub_requests"] = .int(Int64(serverRequests))
                scale["hub_writes"] = .int(Int64(serverWrites))
            } else {
                memberRequests = max(memberRequests, serverRequests)
                memberWrites = max(memberWrites, serverWrites)
            }
        }
        progress("scale: requests while converging (all servers, the bench's own creates included):\n" + Self.breakdown(during, servers: servers.map(\.name)))
        scale["requests"] = .int(Int64(requests))
        scale["writes"] = .int(Int64(writes))
        scale["member_requests_max"] = .int(Int64(memberRequests))
        scale["member_writes_max"] = .int(Int64(memberWrites))

        // Quiet: nothing changes; only leases and heartbeats should be written.
        let quietBefore = servers.map { $0.counter.snapshot() }
        try await Task.sleep(for: .seconds(quietSeconds))
        var leaseWrites = 0
        var heartbeatWrites = 0
        var otherWrites: [String: Int] = [:]
        for ((name, counter), earlier) in zip(servers, quietBefore) {
            for (key, count) in counter.snapshot().subtracting(earlier) where key.isWrite {
                if key.group == "coordination.k8s.io", key.resource == "leases" {
                    leaseWrites += count
                } else if name == "hub", key.resource == "internalmemberclusters", key.subresource == "status" {
                    heartbeatWrites += count
                } else {
                    otherWrites["\(name): \(key)", default: 0] += count
                }
            }
        }
        scale["quiet_s"] = .int(Int64(quietSeconds))
        scale["quiet_writes"] = .int(Int64(otherWrites.values.reduce(0, +)))
        scale["quiet_lease_writes"] = .int(Int64(leaseWrites))
        scale["quiet_heartbeat_writes"] = .int(Int64(heartbeatWrites))
        if !otherWrites.isEmpty {
            progress("scale: writes while quiet: " + otherWrites.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        }

        let atScale = managers.residentMegabytes()
        let peaks = managers.peakMegabytes()
        let exited = managers.exited()
        guard exited.isEmpty else { throw BenchFleet.Failed(description: "manager processes exited: \(exited.joined(separator: "; "))") }
        progress("scale: RSS at scale \(format(atScale))")
        var memory: [String: JSONValue] = [:]
        for binary in ManagerProcesses.binaries {
            memory[binary] = .object([
                "idle_rss_mb": .double(idle[binary]?.total ?? 0), "scale_rss_mb": .double(atScale[binary]?.total ?? 0),
                "idle_anon_mb": .double(idle[binary]?.anonymous ?? 0), "scale_anon_mb": .double(atScale[binary]?.anonymous ?? 0),
                "peak_rss_mb": .double(peaks[binary] ?? 0),
                "idle_pss_mb": .double(idle[binary]?.proportional ?? 0), "scale_pss_mb": .double(atScale[binary]?.proportional ?? 0),
            ])
        }
        memory["processes"] = .int(Int64(managers.running.count))
        return Results(scale: scale, memory: memory)
    }

    /// Both agents of every member joined (their InternalMemberCluster agent status says so).
    static func waitUntilJoined(hub: KubeClient, members: [String], managers: ManagerProcesses) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        for member in members {
            while true {
                let imc = try? await hub.api(InternalMemberCluster.self, namespace: FleetNamespaces.member(member)).get(member)
                let joined = [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent].allSatisfy { type in
                    imc?.status?.agentStatus?.first { $0.type == type }?.conditions?.condition(ofType: AgentConditions.joined)?.status == "True"
                }
                if joined { break }
                guard ContinuousClock.now < deadline else {
                    throw BenchFleet.Failed(description: "\(member)'s agents did not join within 120 s; exited: \(managers.exited())")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The importer's MultiClusterServices, then in every member per service: Service,
    /// EndpointSlice with `endpoints` addresses, ServiceExport. Returns the writes per cluster.
    private func createWorkload(_ fleet: BenchFleet, names: [String], members: [String], importer: String) async throws -> [String: Int] {
        let mcs = fleet.client(importer).api(MultiClusterService.self, namespace: namespace)
        _ = try await fleet.concurrently(names.count, width: concurrency) { index in
            _ = try await mcs.create(
                MultiClusterService(
                    metadata: ObjectMeta(name: names[index], namespace: namespace),
                    spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: names[index]))))
            return .zero
        }
        let jobs = members.count * names.count
        _ = try await fleet.concurrently(jobs, width: concurrency) { job in
            // Round-robin over members, so every member is exporting from the start.
            let memberIndex = job % members.count
            let serviceIndex = job / members.count
            let member = members[memberIndex]
            let name = names[serviceIndex]
            let addresses = (0..<endpoints).map { Self.address(member: memberIndex + 1, service: serviceIndex, endpoint: $0, perService: endpoints) }
            try await fleet.createService(name, in: member, port: 80)
            try await fleet.createSlice(name, in: member, addresses: addresses)
            _ = try await fleet.client(member).api(ServiceExport.self, namespace: namespace).create(
                ServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
            return .zero
        }
        var writes = Dictionary(uniqueKeysWithValues: members.map { ($0, names.count * 3) })
        writes[importer, default: 0] += names.count
        return writes
    }

    /// Requests by what they did, hub and members summed apart, largest first.
    static func breakdown(_ counts: [[RequestCountKey: Int]], servers: [String]) -> String {
        var hub: [RequestCountKey: Int] = [:]
        var members: [RequestCountKey: Int] = [:]
        for (name, serverCounts) in zip(servers, counts) {
            if name == "hub" { hub.merge(serverCounts, uniquingKeysWith: +) } else { members.merge(serverCounts, uniquingKeysWith: +) }
        }
        func lines(_ title: String, _ counts: [RequestCountKey: Int]) -> [String] {
            counts.sorted { ($0.value, $1.key.description) > ($1.value, $0.key.description) }.map { "    \(title) \($0.key) ×\($0.value)" }
        }
        return (lines("hub:", hub) + lines("members:", members)).joined(separator: "\n")
    }

    /// A distinct pod-range address per (member, service, endpoint).
    static func address(member: Int, service: Int, endpoint: Int, perService: Int) -> String {
        let index = service * perService + endpoint
        return "127.\(10 + member).\(index / 250).\(index % 250 + 1)"
    }

    private func format(_ megabytes: [String: ManagerProcesses.Resident]) -> String {
        ManagerProcesses.binaries.map {
            "\($0) \(String(format: "%.1f", megabytes[$0]?.total ?? 0)) MB (anonymous \(String(format: "%.1f", megabytes[$0]?.anonymous ?? 0)))"
        }.joined(separator: ", ")
    }
}
