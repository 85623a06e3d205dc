import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Fault suite: member-1's networking agent — the member-net-controller-manager binary — is
// SIGKILLed at 20 random points of the export → import path (a random moment after each change:
// an export, an endpoint change, an unexport) and started again in the same pod (same POD_NAME,
// so it takes its lease back at once). The fleet must end exactly as a run of the same changes
// without kills ends, compared object by object.

@Suite(.serialized) struct AgentKillFaultTests {
    static let namespace = E2E.namespace
    static let kills = 20

    struct Outcome: Sendable {
        var snapshot: FleetSnapshot
        var converged: Duration
        var starts: Int
    }

    /// The change of step `step` on member-1: export `svc-<step>`, change app's endpoints, and
    /// unexport the service exported two steps before.
    static func change(_ member: FleetTestbed.Cluster, step: Int) async throws {
        let name = "svc-\(step)"
        _ = try await member.client.api(Service.self, namespace: namespace).create(makeService(namespace, name))
        _ = try await member.client.api(EndpointSlice.self, namespace: namespace)
            .create(E2E.slice("\(name)-member-1", service: name, addresses: ["127.11.4.\(step)"]))
        _ = try await member.client.api(ServiceExport.self, namespace: namespace).create(E2E.serviceExport(name))
        try await update(member.client.api(EndpointSlice.self, namespace: namespace), "app-member-1") { slice in
            slice.endpoints = [Endpoint(addresses: ["127.11.5.\(step)"], conditions: EndpointConditions(ready: true, serving: true, terminating: false))]
        }
        if step >= 2 { try await member.client.api(ServiceExport.self, namespace: namespace).delete("svc-\(step - 2)") }
    }

    static func run(killing: Bool, directory: URL, seed: UInt64) async throws -> Outcome {
        try await FleetTestbed.run { fleet in
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-kill-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let member1 = fleet.member("member-1")
            let hubKubeconfig = work.appendingPathComponent("hub.yaml").path
            let memberKubeconfig = work.appendingPathComponent("member-1.yaml").path
            try Kubeconfigs.plain(server: fleet.hub.url).write(toFile: hubKubeconfig, atomically: true, encoding: .utf8)
            try Kubeconfigs.plain(server: member1.url).write(toFile: memberKubeconfig, atomically: true, encoding: .utf8)
            let agent = AgentProcess(
                executable: directory.appendingPathComponent("member-net-controller-manager").path,
                arguments: [
                    "--kubeconfig", memberKubeconfig, "--hub-kubeconfig", hubKubeconfig, "--leader-elect=true",
                    "--hub-metrics-bind-address=0", "--member-metrics-bind-address=0",
                    "--hub-health-probe-bind-address=127.0.0.1:0", "--member-health-probe-bind-address=127.0.0.1:0",
                    "--enable-traffic-manager-feature=false",
                ],
                environment: [
                    HubConnection.memberClusterName: "member-1", ManagerEnvironment.podName: "member-net-controller-manager-5c6d-x7k2p",
                    "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                ],
                logDirectory: work)
            return try await fleet.runningEverything(heartbeatPeriodSeconds: 5, memberNetElsewhere: ["member-1"]) { _ in
                try agent.start()
                defer { agent.killNow() }
                try await E2E.exportAndImport(fleet, timeout: .seconds(90))
                var random = SplitMix64(seed: seed)
                for step in 0..<kills {
                    try await change(member1, step: step)
                    guard killing else { continue }
                    // A random point of the work that change started: 0 to 400 ms into it.
                    try await Task.sleep(for: .milliseconds(Int(random.next() % 400)))
                    agent.killNow()
                    try agent.start()
                }
                let returned = ContinuousClock.now
                let last = kills - 1
                let hubImports = fleet.hub.client.api(ServiceImport.self, namespace: namespace)
                let member2 = fleet.member("member-2")
                let derived = try #require(try await E2E.derivedServiceName(member2))
                try await eventually("the fleet converges on the last step's state", timeout: .seconds(120)) {
                    let imported = try await E2E.importedAddresses(member2, derived: derived)
                    let names = Set(try await hubImports.list().items.compactMap(\.metadata.name))
                    return imported == ["127.11.5.\(last)", "127.12.0.1", "127.12.0.2"]
                        && names == ["app", "svc-\(last - 1)", "svc-\(last)"]
                }
                let converged = ContinuousClock.now - returned
                let snapshot = try await settled("the fleet's networking objects", stableFor: .seconds(2), timeout: .seconds(60)) {
                    try await FleetSnapshot.take(fleet)
                }
                return Outcome(snapshot: snapshot, converged: converged, starts: agent.starts)
            }
        }
    }

    @Test(.enabled(if: ManagerBinariesTests.buildDirectory() != nil, "the manager executables are not next to the test bundle (run `swift build` first)"))
    func anAgentKilledAt20RandomPointsOfTheExportPathLeavesTheFleetAsWithoutKills() async throws {
        let directory = try #require(ManagerBinariesTests.buildDirectory())
        let seed = ProcessInfo.processInfo.environment["FAULT_SEED"].flatMap(UInt64.init) ?? 20_261_204
        let faulty = try await Self.run(killing: true, directory: directory, seed: seed)
        #expect(faulty.starts == Self.kills + 1)
        let clean = try await Self.run(killing: false, directory: directory, seed: seed)
        let differences = faulty.snapshot.differences(from: clean.snapshot)
        #expect(
            differences.isEmpty,
            "after \(Self.kills) kills (seed \(seed)) the fleet differs from a run without them:\n\(differences.prefix(10).joined(separator: "\n"))")
        #expect(faulty.converged < .seconds(60), "converged \(faulty.converged) after the last restart")
        FaultFigures.record(
            "member-net agent SIGKILLed at \(Self.kills) random points (seed \(seed))", converged: faulty.converged, faultFree: clean.converged)
    }
}

/// A manager binary started, SIGKILLed and started again, its output appended to one log.
final class AgentProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let environment: [String: String]
    let log: String
    private(set) var starts = 0
    private var current: SpawnedProcess?

    init(executable: String, arguments: [String], environment: [String: String], logDirectory: URL) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.log = logDirectory.appendingPathComponent("agent.log").path
    }

    func start() throws {
        starts += 1
        current = try SpawnedProcess.spawn(
            executable, arguments: arguments, environment: environment, stdoutPath: log + ".\(starts)", stderrPath: log + ".\(starts).err")
    }

    /// SIGKILL, then reap.
    func killNow() {
        guard let process = current else { return }
        current = nil
        _ = kill(process.pid, SIGKILL)
        while process.exitStatus() == nil { usleep(1_000) }
    }
}
