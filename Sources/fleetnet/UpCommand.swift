import ArgumentParser
import Foundation
import LocalFleet
import Logging

// `fleetnet up`: a whole local fleet — hub and members over HTTPS, CRDs, membership, the cluster
// add-ons (pods, EndpointSlices, kube-proxy, DNS, LoadBalancer proxies) and the fleet networking
// managers — until Ctrl-C, with DIR/kubeconfig holding contexts `hub`, `member-1`, ... and
// DIR/fleet.json the members' addresses and DNS servers; with --traffic-manager, a local Azure
// for the Traffic Manager feature too.

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Run a local fleet (a hub and members) until interrupted.")

    @Option(name: .long, help: "Number of member clusters (0 runs only the hub).")
    var members: Int = 2

    @Option(name: .long, help: "Directory for the kubeconfig and the members' hub tokens.")
    var dir: String = ".fleetnet"

    @Flag(name: .long, help: "Run the clusters without the fleet networking controllers.")
    var noControllers: Bool = false

    @Option(name: .long, help: "Log level of the fleet's components (trace, debug, info, notice, warning, error).")
    var logLevel: String = "warning"

    @Flag(
        name: .long,
        help: "Also run a local Azure: an ARM-compatible server, public IPs for LoadBalancer Services and a DNS server for *.trafficmanager.net, with the Traffic Manager controllers on.")
    var trafficManager: Bool = false

    func validate() throws {
        guard (0...45).contains(members) else {
            throw ValidationError("--members must be between 0 and 45 (the local address plan), got \(members)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \(logLevel)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "fleetnet")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let started = ContinuousClock.now
        let session = try LocalFleetSession(
            options: .init(
                memberCount: members, directory: URL(fileURLWithPath: dir), withControllers: !noControllers,
                trafficManager: trafficManager),
            logger: logger)
        try await SignalHandling.untilInterrupted {
            try await session.run { endpoints in
                let elapsed = ContinuousClock.now - started
                var summary = "fleetnet: local fleet up in \(elapsed.formatted(.units(allowed: [.milliseconds])))\n"
                for (context, url) in endpoints.servers {
                    let dns = endpoints.members.first { $0.name == context }.map { "   DNS \($0.dns)" } ?? ""
                    summary += "  \(context.padding(toLength: 10, withPad: " ", startingAt: 0)) \(url)\(dns)\n"
                }
                summary += "controllers: "
                summary += noControllers
                    ? "none (--no-controllers)\n"
                    : "hub-net-controller-manager on hub; member-net- and mcs-controller-manager on each member\n"
                summary += "kubeconfig: \(endpoints.kubeconfig.path)\n"
                if let fleetFile = endpoints.fleetFile { summary += "addresses for scripts: \(fleetFile.path)\n" }
                summary += "try:\n  export KUBECONFIG=\(endpoints.kubeconfig.path)\n"
                summary += "  kubectl --context member-1 get svcexport -A\n  kubectl --context hub get serviceimports -A\n"
                summary += "  dig @<member DNS IP> -p <port> <svc>.<ns>.svc.clusterset.local   (member DNS as listed above)\n"
                if let tm = endpoints.trafficManager {
                    let dns = tm.dns.split(separator: ":")
                    summary += "traffic manager: ARM \(tm.armEndpoint)   DNS \(tm.dns)\n"
                    summary += "  TrafficManagerProfile spec.resourceGroup: \(tm.resourceGroup) (subscription \(tm.subscriptionId))\n"
                    summary += "  LoadBalancer Services get a public IP; annotate service.beta.kubernetes.io/azure-dns-label-name=<label>\n"
                    summary += "  dig @\(dns.first ?? "") -p \(dns.last ?? "") <namespace>-<profile>.trafficmanager.net\n"
                }
                summary += "member-i: pod IPs 127.<10+i>.0.0/16, Service and ClusterSet IPs 127.<100+i>.0.0/16, LoadBalancer IPs 127.<200+i>.0.0/16\n"
                summary += "press Ctrl-C to stop\n"
                FileHandle.standardOutput.write(Data(summary.utf8))
                return true
            }
        }
        FileHandle.standardOutput.write(Data("fleetnet: stopped\n".utf8))
    }
}
