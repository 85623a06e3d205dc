import FleetNetworking

// member-net-controller-manager: see MemberNetControllerManagerCommand.
await MemberNetControllerManagerCommand.main(goArguments: Array(CommandLine.arguments.dropFirst()))
