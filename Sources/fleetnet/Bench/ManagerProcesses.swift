import AsyncHTTPClient
import FleetNetworking
import Foundation
import KubeServer
import LocalFleet

#if canImport(Glibc)
    import Glibc
#endif

// The three manager binaries as separate processes against a local fleet's API servers, as they
// run in real clusters: hub-net-controller-manager with the hub's kubeconfig; per member,
// member-net-controller-manager and mcs-controller-manager with the member's kubeconfig and the
// hub reached through the environment (HUB_SERVER_URL, CONFIG_PATH with the member's confined
// token, HUB_CERTIFICATE_AUTHORITY, MEMBER_CLUSTER_NAME).
//
// The binaries are taken from beside this executable (`swift build -c release` builds them);
// when they are missing, this executable runs the same code (`fleetnet manager <binary>`).

final class ManagerProcesses: Sendable {
    struct Running: Sendable {
        let binary: String
        let cluster: String
        let process: Process
        let log: URL
        let probePorts: [Int]
    }

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static let binaries = ["hub-net-controller-manager", "member-net-controller-manager", "mcs-controller-manager"]

    let running: [Running]
    /// Whether the real binaries were found (false: `fleetnet manager …` stands in).
    let usesBinaries: Bool

    private init(running: [Running], usesBinaries: Bool) {
        self.running = running
        self.usesBinaries = usesBinaries
    }

    /// Starts every manager of the fleet; logs go to `directory`. The member agents reach the hub
    /// at `memberHubURL` when given (e.g. a fault proxy in front of it; TLS passes through).
    static func start(
        session: LocalFleetSession, directory: URL, binaryDirectory: URL? = nil, memberHubURL: String? = nil
    ) async throws -> ManagerProcesses {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        let binDirectory = binaryDirectory ?? executable.deletingLastPathComponent()
        let usesBinaries = binaries.allSatisfy { FileManager.default.isExecutableFile(atPath: binDirectory.appendingPathComponent($0).path) }
        func command(_ binary: String) -> (URL, [String]) {
            usesBinaries ? (binDirectory.appendingPathComponent(binary), []) : (executable, ["manager", binary])
        }

        let orphans = OrphanedManagers.stop()
        if orphans > 0 {
            FileHandle.standardError.write(
                Data("bench: stopped \(orphans) manager processes an earlier bench left running (it did not end cleanly)\n".utf8))
        }
        let clusters = session.clusters
        let serverURL = try await clusters.servers[0].server.url()
        let hubURL = memberHubURL ?? serverURL
        let hubCA = Data(try clusters.servers[0].authority.certificatePEM.utf8).base64EncodedString()
        var running: [Running] = []
        do {
            let hubKubeconfig = directory.appendingPathComponent("hub.kubeconfig")
            try await clusters.writeKubeconfig(context: "hub", to: hubKubeconfig)
            // Every port of the fleet from one call, so that no two managers get the same one
            // (a port checked free is not bound until its manager starts; per-manager calls
            // handed the same port to two managers about one run in four at 10 members).
            var allPorts = try freePorts(2 + 8 * session.memberNames.count)[...]
            func takePorts(_ count: Int) -> [Int] {
                defer { allPorts = allPorts.dropFirst(count) }
                return Array(allPorts.prefix(count))
            }
            let hubPorts = takePorts(2)
            let (hubExecutable, hubPrefix) = command("hub-net-controller-manager")
            running.append(
                try launch(
                    hubExecutable, binary: "hub-net-controller-manager", cluster: "hub",
                    arguments: hubPrefix + [
                        "--kubeconfig", hubKubeconfig.path, "--metrics-bind-address=127.0.0.1:\(hubPorts[0])",
                        "--health-probe-bind-address=127.0.0.1:\(hubPorts[1])", "--leader-elect=true",
                    ],
                    environment: [:], directory: directory, probePorts: [hubPorts[1]]))
            for member in session.memberNames {
                let kubeconfig = directory.appendingPathComponent("\(member).kubeconfig")
                try await clusters.writeKubeconfig(context: member, to: kubeconfig)
                let token = directory.appendingPathComponent("\(member).token")
                try Data((clusters.memberTokens[member] ?? "").utf8).write(to: token)
                let environment = [
                    HubConnection.hubServerURL: hubURL, HubConnection.configPath: token.path,
                    HubConnection.hubCertificateAuthority: hubCA, HubConnection.memberClusterName: member,
                ]
                let ports = takePorts(8)
                let common = ["--kubeconfig", kubeconfig.path, "--leader-elect=true"]
                let (memberExecutable, memberPrefix) = command("member-net-controller-manager")
                running.append(
                    try launch(
                        memberExecutable, binary: "member-net-controller-manager", cluster: member,
                        arguments: memberPrefix + common + [
                            "--hub-metrics-bind-address=127.0.0.1:\(ports[0])", "--hub-health-probe-bind-address=127.0.0.1:\(ports[1])",
                            "--member-metrics-bind-address=127.0.0.1:\(ports[2])",
                            "--member-health-probe-bind-address=127.0.0.1:\(ports[3])",
                        ],
                        environment: environment, directory: directory, probePorts: [ports[1], ports[3]]))
                let (mcsExecutable, mcsPrefix) = command("mcs-controller-manager")
                running.append(
                    try launch(
                        mcsExecutable, binary: "mcs-controller-manager", cluster: member,
                        arguments: mcsPrefix + common + [
                            "--hub-metrics-bind-address=127.0.0.1:\(ports[4])", "--hub-health-probe-bind-address=127.0.0.1:\(ports[5])",
                            "--metrics-bind-address=127.0.0.1:\(ports[6])", "--health-probe-bind-address=127.0.0.1:\(ports[7])",
                        ],
                        environment: environment, directory: directory, probePorts: [ports[5], ports[7]]))
            }
        } catch {
            await ManagerProcesses(running: running, usesBinaries: usesBinaries).stop()
            throw error
        }
        return ManagerProcesses(running: running, usesBinaries: usesBinaries)
    }

    private static func launch(
        _ executable: URL, binary: String, cluster: String, arguments: [String], environment: [String: String], directory: URL,
        probePorts: [Int]
    ) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = nil
        env.merge(environment) { $1 }
        process.environment = env
        let log = directory.appendingPathComponent("\(binary)-\(cluster).log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        do {
            try process.run()
        } catch {
            throw Failed(description: "cannot start \(executable.path): \(error)")
        }
        return Running(binary: binary, cluster: cluster, process: process, log: log, probePorts: probePorts)
    }

    /// Waits until every process answers 200 on all its /readyz endpoints.
    func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        for manager in running {
            for port in manager.probePorts {
                while true {
                    guard manager.process.isRunning else {
                        throw Failed(description: "\(manager.binary) for \(manager.cluster) exited: \(Self.tail(manager.log))")
                    }
                    if await Self.ready(port: port) { break }
                    guard ContinuousClock.now < deadline else {
                        throw Failed(description: "\(manager.binary) for \(manager.cluster) not ready on :\(port): \(Self.tail(manager.log))")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }

    private static func ready(port: Int) async -> Bool {
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/readyz"), timeout: .seconds(2))
            _ = try await response.body.collect(upTo: 1 << 16)
            return response.status.code == 200
        } catch {
            return false
        }
    }

    /// Resident memory of one process: all of it (VmRSS, what `ps` and `top` show) and its
    /// anonymous part (RssAnon: heap and stacks, without the shared, clean pages of the binary and
    /// libraries).
    struct Resident: Sendable {
        var total: Double
        var anonymous: Double
        /// The largest RSS the process has had (VmHWM).
        var peak: Double = 0
        /// The proportional set size: shared pages (the binary, the Swift runtime, Foundation)
        /// divided among the processes that map them.
        var proportional: Double = 0
    }

    /// Resident memory per binary, in MB: the process with the largest RSS of each.
    func residentMegabytes() -> [String: Resident] {
        var largest: [String: Resident] = [:]
        for manager in running {
            let resident = Self.resident(pid: manager.process.processIdentifier)
            if resident.total > largest[manager.binary]?.total ?? -1 { largest[manager.binary] = resident }
        }
        return largest
    }

    static func resident(pid: Int32) -> Resident {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return Resident(total: 0, anonymous: 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
                let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
            else { return 0 }
            return kilobytes / 1024
        }
        var resident = Resident(total: field("VmRSS"), anonymous: field("RssAnon"), peak: field("VmHWM"))
        if let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8),
            let line = rollup.split(separator: "\n").first(where: { $0.hasPrefix("Pss:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        {
            resident.proportional = kilobytes / 1024
        }
        return resident
    }

    /// The largest peak RSS (VmHWM) of each binary's processes, in MB.
    func peakMegabytes() -> [String: Double] {
        var peaks: [String: Double] = [:]
        for manager in running {
            peaks[manager.binary] = max(peaks[manager.binary] ?? 0, Self.resident(pid: manager.process.processIdentifier).peak)
        }
        return peaks
    }

    /// CPU seconds (user and system) each binary's processes have used, summed.
    func cpuSeconds() -> [String: Double] {
        var seconds: [String: Double] = [:]
        for manager in running { seconds[manager.binary, default: 0] += ProcessCPU.seconds(pid: manager.process.processIdentifier) }
        return seconds
    }

    /// Processes that exited on their own, with the end of their logs.
    func exited() -> [String] {
        running.filter { !$0.process.isRunning }.map { "\($0.binary) for \($0.cluster): \(Self.tail($0.log))" }
    }

    /// SIGTERM to all, then waits (SIGKILL after 10 s).
    func stop() async {
        for manager in running where manager.process.isRunning { manager.process.terminate() }
        let deadline = ContinuousClock.now + .seconds(10)
        for manager in running {
            while manager.process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if manager.process.isRunning { kill(manager.process.processIdentifier, SIGKILL) }
        }
    }

    private static func tail(_ log: URL) -> String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }

    /// `count` distinct loopback ports, free a moment ago, from below the ephemeral range
    /// (`LoopbackPorts`): the bench makes thousands of outgoing connections, any of which could
    /// take a port bind(0) handed out before the manager binds it.
    static func freePorts(_ count: Int) throws -> [Int] {
        do {
            return try LoopbackPorts.free(count)
        } catch {
            throw Failed(description: "\(error)")
        }
    }
}
