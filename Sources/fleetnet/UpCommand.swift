import ArgumentParser
import Foundation
import KubeServer
import LocalFleet
import Logging
import ServiceLifecycle

// `fleetnet up`: a hub and N member API servers on loopback, each with its own CA, HTTPS and
// an admin client certificate, and DIR/kubeconfig with contexts `hub`, `member-1`, ...

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Run a local fleet (a hub and members) until interrupted.")

    @Option(name: .long, help: "Number of member clusters (0 runs only the hub).")
    var members: Int = 2

    @Option(name: .long, help: "Directory for the kubeconfig and fleet state.")
    var dir: String = ".fleetnet"

    @Flag(name: .long, help: "Run only the API servers, without the fleet networking controllers.")
    var noControllers: Bool = false

    func validate() throws {
        guard (0...50).contains(members) else {
            throw ValidationError("--members must be between 0 and 50, got \(members)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "fleetnet")
        logger.logLevel = .warning
        let started = ContinuousClock.now
        let fleet = try LocalClusters(memberCount: members, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: fleet.servers.map { .init(service: $0.server) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let kubeconfig = URL(fileURLWithPath: dir).appendingPathComponent("kubeconfig")
            try await fleet.writeKubeconfig(to: kubeconfig)
            let elapsed = ContinuousClock.now - started
            var summary = "fleetnet: local fleet up in \(elapsed.formatted(.units(allowed: [.milliseconds])))\n"
            for entry in fleet.servers {
                summary += "  \(entry.context.padding(toLength: 10, withPad: " ", startingAt: 0)) \(await entry.server.url())\n"
            }
            summary += "kubeconfig: \(kubeconfig.path)\n"
            summary += "try: kubectl --kubeconfig \(kubeconfig.path) --context hub get namespaces\n"
            if !noControllers {
                summary += "note: the fleet networking controllers are not part of this build yet; running API servers only\n"
            }
            summary += "press Ctrl-C to stop\n"
            FileHandle.standardOutput.write(Data(summary.utf8))
            try await tasks.next()
            tasks.cancelAll()
        }
        FileHandle.standardOutput.write(Data("fleetnet: stopped\n".utf8))
    }
}
