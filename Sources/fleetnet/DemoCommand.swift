import ArgumentParser
import Foundation
import LocalFleet
import Logging

// `fleetnet demo [getting-started | east-west]`: starts a local fleet and walks the reference's
// getting-started tutorial on it (hub and two members), or the east-west walk of the
// Multi-Cluster Services API (hub and three members), printing each step with what it observed
// and how long it took. Exits 0 only if every step held.

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a walk-through on a fresh local fleet and check every step.",
        discussion: """
            getting-started (default): the reference's tutorial on a hub and two members: export from both, a \
            MultiClusterService in member-2, HTTP through its load balancer; then Traffic Manager on the local \
            Azure: a profile and a backend on the hub, DNS answers of <ns>-<name>.trafficmanager.net weighted by \
            the exports' weights, and failover when a member's app fails its health probe (probed every second \
            here; Azure probes every 10 or 30 s).
            east-west: the Multi-Cluster Services API on a hub and three members: export from member-1 and \
            member-2, resolve the clusterset.local name through member-3's DNS, HTTP through the ClusterSetIP, then \
            unexport one.
            """)

    enum Walk: String, ExpressibleByArgument, CaseIterable {
        case gettingStarted = "getting-started"
        case eastWest = "east-west"
    }

    @Argument(help: "The walk-through: getting-started or east-west.")
    var walk: Walk = .gettingStarted

    @Option(name: .long, help: "Directory for the kubeconfig and the members' hub tokens.")
    var dir: String = ".fleetnet/demo"

    @Flag(name: .long, help: "Keep the fleet running after the demo, until Ctrl-C.")
    var keep = false

    @Option(name: .long, help: "Log level of the fleet's components.")
    var logLevel: String = "error"

    func run() async throws {
        var logger = Logger(label: "fleetnet")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .error
        let started = ContinuousClock.now
        let members = walk == .eastWest ? 3 : 2
        let session = try LocalFleetSession(
            options: .init(
                memberCount: members, directory: URL(fileURLWithPath: dir), trafficManager: walk == .gettingStarted,
                trafficManagerProbeInterval: walk == .gettingStarted ? .seconds(1) : nil),
            logger: logger)
        let keep = self.keep
        let walk = self.walk
        let outcome = Outcome()
        try await SignalHandling.untilInterrupted {
            try await session.run { endpoints in
                let names = (["hub"] + endpoints.members.map(\.name)).joined(separator: ", ")
                Self.print("fleet up in \(Self.format(ContinuousClock.now - started)): \(names) (kubeconfig \(endpoints.kubeconfig.path))")
                let report: @Sendable (DemoSteps.Step) -> Void = { step in
                    Self.print("\(step.held ? "✔" : "✘") \(step.title) (\(Self.format(step.duration)))")
                    for line in step.observed { Self.print("    \(line)") }
                }
                let held: Bool
                switch walk {
                case .eastWest:
                    held = await EastWestDemo(endpoints: endpoints).run(report: report)
                case .gettingStarted:
                    let tutorial = await Tutorial(endpoints: endpoints).run(report: report)
                    held = tutorial ? await TrafficManagerWalk(endpoints: endpoints).run(report: report) : false
                }
                await outcome.set(held)
                Self.print(held
                    ? "demo passed in \(Self.format(ContinuousClock.now - started))"
                    : "demo failed after \(Self.format(ContinuousClock.now - started))")
                if keep { Self.print("fleet kept running; press Ctrl-C to stop") }
                return keep
            }
        }
        guard await outcome.held else { throw ExitCode(1) }
    }

    actor Outcome {
        var held = false
        func set(_ value: Bool) { held = value }
    }

    static func print(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return milliseconds < 1000 ? "\(Int(milliseconds)) ms" : String(format: "%.2f s", milliseconds / 1000)
    }
}
