import AsyncHTTPClient
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeServer
import KubeTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The three manager binaries as processes against a hub and two members on embedded API servers:
// they become ready, both member agents of each member join through the InternalMemberCluster,
// they carry a service from export to imported EndpointSlices (export → hub ServiceImport →
// MultiClusterService → imported slices), and SIGTERM stops every process cleanly (exit status 0).

@Suite(.serialized) struct ManagerBinariesTests {
    static let binaries = ["hub-net-controller-manager", "member-net-controller-manager", "mcs-controller-manager"]

    /// The build directory holding the test bundle (the executables are built next to it).
    static func buildDirectory() -> URL? {
        var candidates: [URL] = []
        let argument0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        candidates.append(argument0.deletingLastPathComponent())
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        // macOS: …/debug/X.xctest/Contents/MacOS/X
        candidates.append(argument0.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        return candidates.first { directory in
            binaries.allSatisfy { FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path) }
        }
    }

    /// A port that was free a moment ago, below the ephemeral range (`LoopbackPorts`): a port from
    /// bind(0) could be taken by another test's connection before the binary binds it.
    static func freePort() throws -> Int {
        try LoopbackPorts.free(1)[0]
    }

    /// A socket bound to a free loopback port (and listening if asked); the caller closes it.
    static func boundSocket(listening: Bool) throws -> (Int32, Int) {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        if listening { _ = listen(fd, 1) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    struct Running {
        let name: String
        let process: Process
        let log: URL
        let probePorts: [Int]
        let metricsPorts: [Int]
    }

    static func start(_ binary: String, in directory: URL, arguments: [String], environment: [String: String], logDirectory: URL, name: String, probePorts: [Int], metricsPorts: [Int]) throws -> Running {
        let process = Process()
        process.executableURL = directory.appendingPathComponent(binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let log = logDirectory.appendingPathComponent("\(name).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return Running(name: name, process: process, log: log, probePorts: probePorts, metricsPorts: metricsPorts)
    }

    static func status(_ http: HTTPClient, port: Int, path: String) async -> Int? {
        do {
            let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(5))
            _ = try await response.body.collect(upTo: 1 << 20)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }

    /// Log lines at warning level or above, in klog's (`W…`/`E…`) or swift-log's format.
    static func warningsAndErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { line in
            if let first = line.first, "WEF".contains(first), line.dropFirst().prefix(4).allSatisfy(\.isNumber) { return true }
            return [" warning ", " error ", " critical "].contains { line.contains($0) }
        }
    }

    /// Waits for `process` to exit (SIGKILL after `timeout`); returns its status and reason.
    static func waitForExit(_ process: Process, timeout: Duration) async -> (Int32, Process.TerminationReason) {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        }
        return (process.terminationStatus, process.terminationReason)
    }

    @Test(.enabled(if: buildDirectory() != nil, "the manager executables are not next to the test bundle (run `swift build` first)"))
    func binariesBecomeReadyJoinCarryAServiceAndStopCleanlyOnSIGTERM() async throws {
        let directory = try #require(Self.buildDirectory())
        try await FleetTestbed.run { fleet in
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-binaries-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            func kubeconfig(_ cluster: FleetTestbed.Cluster) throws -> String {
                let path = work.appendingPathComponent("\(cluster.name).yaml").path
                try Kubeconfigs.plain(server: cluster.url).write(toFile: path, atomically: true, encoding: .utf8)
                return path
            }
            let hubKubeconfig = try kubeconfig(fleet.hub)
            let imcs = fleet.hub.client.api(InternalMemberCluster.self)
            for member in fleet.members {
                _ = try await imcs.create(
                    InternalMemberCluster(
                        metadata: ObjectMeta(name: member.name, namespace: FleetNamespaces.member(member.name)),
                        spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 5)))
            }

            var processes: [Running] = []
            let hubPorts = try LoopbackPorts.free(2)
            let (hubMetrics, hubProbes) = (hubPorts[0], hubPorts[1])
            processes.append(
                try Self.start(
                    "hub-net-controller-manager", in: directory,
                    arguments: [
                        "--kubeconfig", hubKubeconfig, "--metrics-bind-address=127.0.0.1:\(hubMetrics)",
                        "--health-probe-bind-address=127.0.0.1:\(hubProbes)", "-leader-elect", "--add_dir_header", "--v=1",
                    ],
                    environment: [:], logDirectory: work, name: "hub", probePorts: [hubProbes], metricsPorts: [hubMetrics]))
            for member in fleet.members {
                let memberKubeconfig = try kubeconfig(member)
                let ports = try LoopbackPorts.free(8)
                let common = ["--kubeconfig", memberKubeconfig, "--hub-kubeconfig", hubKubeconfig, "--leader-elect=true"]
                processes.append(
                    try Self.start(
                        "member-net-controller-manager", in: directory,
                        arguments: common + [
                            "--hub-metrics-bind-address=127.0.0.1:\(ports[0])", "--hub-health-probe-bind-address=127.0.0.1:\(ports[1])",
                            "--member-metrics-bind-address=127.0.0.1:\(ports[2])", "--member-health-probe-bind-address=127.0.0.1:\(ports[3])",
                            "--enable-traffic-manager-feature=false",
                        ],
                        environment: [HubConnection.memberClusterName: member.name], logDirectory: work,
                        name: "member-net-\(member.name)", probePorts: [ports[1], ports[3]], metricsPorts: [ports[0], ports[2]]))
                processes.append(
                    try Self.start(
                        "mcs-controller-manager", in: directory,
                        arguments: common + [
                            "--hub-metrics-bind-address=127.0.0.1:\(ports[4])", "--hub-health-probe-bind-address=127.0.0.1:\(ports[5])",
                            "--metrics-bind-address=127.0.0.1:\(ports[6])", "--health-probe-bind-address=127.0.0.1:\(ports[7])",
                        ],
                        environment: [HubConnection.memberClusterName: member.name], logDirectory: work,
                        name: "mcs-\(member.name)", probePorts: [ports[5], ports[7]], metricsPorts: [ports[4], ports[6]]))
            }

            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                for running in processes {
                    for port in running.probePorts {
                        try await eventually("\(running.name) is ready on :\(port)", timeout: .seconds(60)) {
                            await Self.status(http, port: port, path: "/readyz") == 200
                        }
                    }
                    for port in running.metricsPorts {
                        #expect(await Self.status(http, port: port, path: "/metrics") == 200, "\(running.name) metrics on :\(port)")
                    }
                }
                try await eventually("both agents of both members joined", timeout: .seconds(60)) {
                    try await fleet.members.asyncAllSatisfy { member in
                        let imc = try await imcs.get(member.name, namespace: FleetNamespaces.member(member.name))
                        return [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent].allSatisfy { type in
                            let condition = imc.status?.agentStatus?.first { $0.type == type }?.conditions?.condition(ofType: AgentConditions.joined)
                            return condition?.status == "True" && condition?.reason == AgentConditions.Reason.agentJoined
                        }
                    }
                }
                // Member leases live in the member cluster.
                let leases = try await fleet.member("member-1").client.api(Lease.self, namespace: FleetNamespaces.fleetSystem).list().items
                #expect(
                    Set(leases.compactMap(\.metadata.name)).isSuperset(of: [
                        LeaderElectionIDs.hub, LeaderElectionIDs.member, LeaderElectionIDs.mcsHub, LeaderElectionIDs.mcsMember,
                    ]))
                // The processes carry a service end to end.
                try await E2E.exportAndImport(fleet, timeout: .seconds(90))
                // Converged processes write nothing but their leases and heartbeats.
                try await EndToEndTests.assertQuiet(fleet)
                for running in processes {
                    #expect(running.process.isRunning, "\(running.name) is still running")
                }
            } catch {
                Issue.record("\(error)")
            }
            try await http.shutdown()

            // Graceful stop: every process exits 0 within a bound (the goal is 2 s; the bound
            // allows for a loaded 2-core machine) and logs no warning or error while stopping —
            // controllers and informers stop before the clients, and leases are released.
            let logLengths = processes.map { (try? Data(contentsOf: $0.log).count) ?? 0 }
            let stopping = ContinuousClock.now
            for running in processes { running.process.terminate() }  // SIGTERM
            for (index, running) in processes.enumerated() {
                let (status, reason) = await Self.waitForExit(running.process, timeout: .seconds(30))
                #expect(reason == .exit && status == 0, "\(running.name) exited with \(status) (\(reason))")
                let log = (try? String(contentsOf: running.log, encoding: .utf8)) ?? ""
                #expect(log.contains("FLAG: --leader-elect=\"true\""), "\(running.name) logs its flags")
                let whileStopping = String(decoding: Data(log.utf8).dropFirst(logLengths[index]), as: UTF8.self)
                let complaints = Self.warningsAndErrors(whileStopping)
                #expect(complaints.isEmpty, "\(running.name) logged while stopping:\n\(complaints.joined(separator: "\n"))")
                if reason != .exit || status != 0 {
                    print("---- \(running.name) log (tail) ----\n\(log.suffix(4000))")
                }
            }
            let stopped = ContinuousClock.now - stopping
            #expect(stopped < .seconds(6), "SIGTERM to exit took \(stopped) for all processes")
            try? FileManager.default.removeItem(at: work)
        }
    }
}

extension ManagerBinariesTests {
    /// A manager that fails (here: its probe address is taken) stops the whole process, exit 1,
    /// even though the other manager is healthy.
    /// A manager SIGKILLed (no lease release) and started again in the same pod — same `POD_NAME`
    /// — finds the lease held by itself and renews it at once, instead of waiting out the 15 s
    /// lease duration as a new identity must.
    @Test(.enabled(if: buildDirectory() != nil, "the manager executables are not next to the test bundle (run `swift build` first)"))
    func aManagerKilledAndRestartedInItsPodTakesItsLeaseBackAtOnce() async throws {
        let directory = try #require(Self.buildDirectory())
        try await FleetTestbed.run(members: []) { fleet in
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-lease-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: work) }
            let kubeconfig = work.appendingPathComponent("hub.yaml").path
            try Kubeconfigs.plain(server: fleet.hub.url).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
            let leases = fleet.hub.client.api(Lease.self, namespace: FleetNamespaces.fleetSystem)
            func start(_ name: String) throws -> Running {
                try Self.start(
                    "hub-net-controller-manager", in: directory,
                    arguments: [
                        "--kubeconfig", kubeconfig, "--metrics-bind-address=0",
                        "--health-probe-bind-address=127.0.0.1:\(try Self.freePort())", "--leader-elect=true",
                    ],
                    environment: [ManagerEnvironment.podName: "hub-net-controller-manager-7d9f-abcde"], logDirectory: work,
                    name: name, probePorts: [], metricsPorts: [])
            }

            let first = try start("first")
            defer { if first.process.isRunning { kill(first.process.processIdentifier, SIGKILL) } }
            try await eventually("the first process leads under its pod's name", timeout: .seconds(60)) {
                try await leases.get(LeaderElectionIDs.hub).spec?.holderIdentity == "hub-net-controller-manager-7d9f-abcde"
            }
            kill(first.process.processIdentifier, SIGKILL)
            _ = await Self.waitForExit(first.process, timeout: .seconds(10))
            let held = try await leases.get(LeaderElectionIDs.hub)

            let restarted = ContinuousClock.now
            let second = try start("second")
            defer { if second.process.isRunning { kill(second.process.processIdentifier, SIGKILL) } }
            try await eventually("the restarted process renews the lease", timeout: .seconds(60)) {
                try await leases.get(LeaderElectionIDs.hub).metadata.resourceVersion != held.metadata.resourceVersion
            }
            let retaken = ContinuousClock.now - restarted
            let renewed = try await leases.get(LeaderElectionIDs.hub)
            #expect(renewed.spec?.holderIdentity == held.spec?.holderIdentity)
            #expect(renewed.spec?.leaseTransitions == held.spec?.leaseTransitions, "a renewal, not a new term")
            #expect(
                retaken < .seconds(10),
                "took the lease back \(retaken) after the restart (the lease lasts \(held.spec?.leaseDurationSeconds ?? 0) s)")

            kill(second.process.processIdentifier, SIGTERM)
            let (status, reason) = await Self.waitForExit(second.process, timeout: .seconds(10))
            #expect(reason == .exit && status == 0, "exited with \(status) (\(reason))")
        }
    }

    @Test(.enabled(if: buildDirectory() != nil, "the manager executables are not next to the test bundle (run `swift build` first)"))
    func aFailingManagerStopsTheProcessWithStatusOne() async throws {
        let directory = try #require(Self.buildDirectory())
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-fail-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let kubeconfig = work.appendingPathComponent("nowhere.yaml").path
        try Kubeconfigs.plain(server: "http://127.0.0.1:1").write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let (held, takenPort) = try Self.boundSocket(listening: true)
        defer { close(held) }
        let running = try Self.start(
            "mcs-controller-manager", in: directory,
            arguments: [
                "--kubeconfig", kubeconfig, "--hub-kubeconfig", kubeconfig, "--leader-elect=false",
                "--hub-health-probe-bind-address=127.0.0.1:\(try Self.freePort())", "--hub-metrics-bind-address=0",
                "--health-probe-bind-address=127.0.0.1:\(takenPort)", "--metrics-bind-address=0",
            ],
            environment: [HubConnection.memberClusterName: "member-x"], logDirectory: work, name: "mcs-failing",
            probePorts: [], metricsPorts: [])
        let (status, reason) = await Self.waitForExit(running.process, timeout: .seconds(60))
        #expect(reason == .exit && status == 1, "exited with \(status) (\(reason))")
    }
}

extension ResourceAPI {
    /// `get` in `namespace` (the API itself being cluster-wide).
    fileprivate func get(_ name: String, namespace: String) async throws -> K {
        try await client.api(K.self, namespace: namespace).get(name)
    }
}

extension Sequence where Element: Sendable {
    fileprivate func asyncAllSatisfy(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await !predicate(element) { return false }
        return true
    }
}
