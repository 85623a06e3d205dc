import ArgumentParser

@main
struct FleetnetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleetnet",
        abstract: "Multi-cluster networking for Kubernetes fleets: run a local fleet, demo, status, benchmarks.",
        subcommands: [UpCommand.self, DemoCommand.self, StatusCommand.self, CRDsCommand.self, BenchCommand.self, ManagerCommand.self]
    )
}
