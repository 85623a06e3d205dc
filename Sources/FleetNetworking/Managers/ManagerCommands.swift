import ArgumentParser
import Foundation
import KubeRuntime
import Logging
import Metrics

// The entry points of the three manager binaries. Each logs every flag value, validates its
// configuration (a missing or invalid setting fails at start with a message naming the flag or
// environment variable, exit status 1), then runs its managers until SIGTERM/SIGINT.

enum ManagerCommandSupport {
    /// Sets up logging to standard error at the level `--v` asks for.
    static func bootstrapLogging(label: String, verbosity: Int) -> Logger {
        let level: Logger.Level = verbosity >= 4 ? .trace : verbosity >= 1 ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// Logs every flag as klog does at start (`FLAG: --name="value"`).
    static func logFlags(_ flags: [(String, String)], logger: Logger) {
        for (name, value) in flags {
            logger.info("FLAG: --\(name)=\"\(value)\"")
        }
    }

    /// One registry for the process, also behind the swift-metrics API (controller and queue metrics).
    static func bootstrapMetrics() -> MetricsRegistry {
        let registry = MetricsRegistry()
        MetricsSystem.bootstrap(registry.factory)
        return registry
    }
}

/// `hub-net-controller-manager`.
public struct HubNetControllerManagerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "hub-net-controller-manager",
        abstract: "Runs the fleet networking controllers of the hub cluster.",
        discussion: """
            Reaches the hub with --kubeconfig, else KUBECONFIG, else the in-cluster service account. \
            With --enable-traffic-manager-feature (default true) and a cloud config at --cloud-config, \
            the TrafficManagerProfile and TrafficManagerBackend controllers program Azure Traffic \
            Manager; without a cloud config file they are not started (the manager says so), and an \
            invalid one stops the manager with the reason.
            """)

    @OptionGroup public var options: HubNetOptions

    public init() {}

    /// Runs the command with Go-style arguments (`-flag`, bare boolean flags).
    public static func main(goArguments arguments: [String]) async {
        await main(GoFlagSyntax.normalize(arguments, booleanFlags: HubNetOptions.booleanFlags))
    }

    public func run() async throws {
        let logger = ManagerCommandSupport.bootstrapLogging(label: "hub-net-controller-manager", verbosity: options.klog.verbosity)
        ManagerCommandSupport.logFlags(options.flagValues, logger: logger)
        let configuration = try options.configuration()
        let registry = ManagerCommandSupport.bootstrapMetrics()
        let manager = try HubNetControllerManager(configuration: configuration, registry: registry, logger: logger)
        logger.info("starting hub-net-controller-manager", metadata: ["hub": "\(configuration.hub.server)"])
        try await manager.run()
        logger.info("hub-net-controller-manager stopped")
    }
}

/// `member-net-controller-manager`.
public struct MemberNetControllerManagerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "member-net-controller-manager",
        abstract: "Runs the fleet networking controllers of a member cluster (service export and import).",
        discussion: """
            Environment: MEMBER_CLUSTER_NAME (required); the hub from HUB_SERVER_URL and CONFIG_PATH (a \
            bearer-token file, re-read when it changes), optional HUB_CERTIFICATE_AUTHORITY (base64 PEM) \
            and HUB_KUBE_HEADER (MIME header lines) — or from --hub-kubeconfig. The member cluster from \
            --kubeconfig, else KUBECONFIG, else in-cluster. Azure Traffic Manager \
            (--enable-traffic-manager-feature) is not supported: the flag is accepted and ignored.
            """)

    @OptionGroup public var options: MemberNetOptions

    public init() {}

    public static func main(goArguments arguments: [String]) async {
        await main(GoFlagSyntax.normalize(arguments, booleanFlags: MemberNetOptions.booleanFlags))
    }

    public func run() async throws {
        let logger = ManagerCommandSupport.bootstrapLogging(label: "member-net-controller-manager", verbosity: options.common.klog.verbosity)
        ManagerCommandSupport.logFlags(options.flagValues, logger: logger)
        let configuration = try options.configuration()
        try await MemberCommandSupport.run(configuration, logger: logger)
    }
}

/// `mcs-controller-manager`.
public struct MCSControllerManagerCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "mcs-controller-manager",
        abstract: "Runs the MultiClusterService controller of a member cluster.",
        discussion: """
            Environment: MEMBER_CLUSTER_NAME (required); the hub from HUB_SERVER_URL and CONFIG_PATH (a \
            bearer-token file, re-read when it changes), optional HUB_CERTIFICATE_AUTHORITY (base64 PEM) \
            and HUB_KUBE_HEADER (MIME header lines) — or from --hub-kubeconfig. The member cluster from \
            --kubeconfig, else KUBECONFIG, else in-cluster.
            """)

    @OptionGroup public var options: MCSOptions

    public init() {}

    public static func main(goArguments arguments: [String]) async {
        await main(GoFlagSyntax.normalize(arguments, booleanFlags: MCSOptions.booleanFlags))
    }

    public func run() async throws {
        let logger = ManagerCommandSupport.bootstrapLogging(label: "mcs-controller-manager", verbosity: options.common.klog.verbosity)
        ManagerCommandSupport.logFlags(options.flagValues, logger: logger)
        let configuration = try options.configuration()
        try await MemberCommandSupport.run(configuration, logger: logger)
    }
}

enum MemberCommandSupport {
    static func run(_ configuration: MemberManagerConfiguration, logger: Logger) async throws {
        let registry = ManagerCommandSupport.bootstrapMetrics()
        let managers = try MemberControllerManagers(configuration: configuration, registry: registry, logger: logger)
        logger.info(
            "starting \(configuration.agent.rawValue)",
            metadata: [
                "cluster": "\(configuration.clusterName)", "hub": "\(configuration.hub.server)",
                "member": "\(configuration.member.server)",
            ])
        try await managers.run()
        logger.info("\(configuration.agent.rawValue) stopped")
    }
}
