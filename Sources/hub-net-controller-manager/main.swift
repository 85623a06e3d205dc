import FleetNetworking

// hub-net-controller-manager: see HubNetControllerManagerCommand.
await HubNetControllerManagerCommand.main(goArguments: Array(CommandLine.arguments.dropFirst()))
