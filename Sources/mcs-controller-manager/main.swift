import FleetNetworking

// mcs-controller-manager: see MCSControllerManagerCommand.
await MCSControllerManagerCommand.main(goArguments: Array(CommandLine.arguments.dropFirst()))
