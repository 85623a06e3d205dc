import ArgumentParser
import FleetNetworking

// `fleetnet manager <binary> [flags…]` (hidden): runs a manager binary's code from this
// executable, for benchmarks run with `swift run fleetnet` where only this product was built. The
// flags and behaviour are the binary's own.

struct ManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager", abstract: "Run a fleet networking manager binary's code (for benchmarks).",
        shouldDisplay: false)

    @Argument(help: "hub-net-controller-manager, member-net-controller-manager or mcs-controller-manager.")
    var binary: String

    @Argument(parsing: .captureForPassthrough, help: "The binary's own flags.")
    var flags: [String] = []

    func validate() throws {
        guard ManagerProcesses.binaries.contains(binary) else {
            throw ValidationError("unknown manager \"\(binary)\"; one of: \(ManagerProcesses.binaries.joined(separator: ", "))")
        }
    }

    func run() async throws {
        switch binary {
        case "hub-net-controller-manager": await HubNetControllerManagerCommand.main(goArguments: flags)
        case "member-net-controller-manager": await MemberNetControllerManagerCommand.main(goArguments: flags)
        default: await MCSControllerManagerCommand.main(goArguments: flags)
        }
    }
}
