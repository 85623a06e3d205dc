import ArgumentParser
import Foundation
import LocalFleet
import Logging

// `fleetnet demo`: starts a local fleet and walks the reference's getting-started tutorial on it,
// printing each step with what it observed and how long it took. Exits 0 only if every step held.

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the getting-started tutorial on a fresh local fleet (hub, member-1, member-2) and check every step.")

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
        let session = try LocalFleetSession(
            options: .init(memberCount: 2, directory: URL(fileURLWithPath: dir)), logger: logger)
        let keep = self.keep
        let outcome = Outcome()
        try await SignalHandling.untilInterrupted {
            try await session.run { endpoints in
                Self.print("fleet up in \(Self.format(ContinuousClock.now - started)): hub, member-1, member-2 (kubeconfig \(endpoints.kubeconfig.path))")
                let held = await Tutorial(endpoints: endpoints).run { step in
                    Self.print("\(step.held ? "✔" : "✘") \(step.title) (\(Self.format(step.duration)))")
                    for line in step.observed { Self.print("    \(line)") }
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
