import AzureClient
import ClusterDNS
import CRDInstaller
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeServer
import Logging
import ServiceLifecycle

// A whole fleet in one process (DESIGN.md "The local fleet"): the hub and member API servers over
// HTTPS, the CRDs installed by the installer's code, Fleet's membership objects, what a real
// member cluster adds (ClusterAddons), and — unless disabled — the three fleet networking
// managers per topology, running the same code as the binaries.

/// A running local fleet; `run` serves it until cancelled.
public final class LocalFleetSession: Sendable {
    public struct Options: Sendable {
        public var memberCount: Int
        public var directory: URL
        public var withControllers: Bool
        /// Heartbeat period of the members' InternalMemberClusters.
        public var heartbeatPeriodSeconds: Int32
        /// The hub URL a member's agents use, given the member's name and the hub's URL (nil: the
        /// hub's URL). Fault tests put a proxy between a member and the hub this way.
        public var memberHubURL: (@Sendable (_ member: String, _ hubURL: String) async throws -> String)?
        /// Runs the local Azure (LocalAzure): an ARM-compatible server, public IPs for the members'
        /// load balancers, the Traffic Manager DNS, and the managers' Traffic Manager feature.
        public var trafficManager: Bool
        /// Replaces every Traffic Manager profile's probing interval (tests).
        public var trafficManagerProbeInterval: Duration?

        public init(
            memberCount: Int = 2, directory: URL, withControllers: Bool = true, heartbeatPeriodSeconds: Int32 = 30,
            memberHubURL: (@Sendable (_ member: String, _ hubURL: String) async throws -> String)? = nil,
            trafficManager: Bool = false, trafficManagerProbeInterval: Duration? = nil
        ) {
            self.trafficManager = trafficManager
            self.trafficManagerProbeInterval = trafficManagerProbeInterval
            self.memberCount = memberCount
            self.directory = directory
            self.withControllers = withControllers
            self.heartbeatPeriodSeconds = heartbeatPeriodSeconds
            self.memberHubURL = memberHubURL
        }
    }

    /// What a started fleet offers its user.
    public struct Endpoints: Sendable {
        /// Context name → server URL, hub first.
        public var servers: [(context: String, url: String)]
        public var kubeconfig: URL
        /// Admin clients by context name.
        public var clients: [String: KubeClient]
        /// Each member's address plan and DNS, in member order.
        public var members: [MemberEndpoints] = []
        /// `DIR/fleet.json`.
        public var fleetFile: URL?
        /// The local Azure, when it runs.
        public var trafficManager: FleetFile.TrafficManager?
        public var azure: LocalAzure?
    }

    /// One member's addresses, as `DIR/fleet.json` lists them.
    public struct MemberEndpoints: Sendable, Codable, Hashable {
        public var name: String
        public var server: String
        public var podCIDR: String
        public var serviceCIDR: String
        public var loadBalancerCIDR: String
        /// The member's cluster DNS, `IP:port`.
        public var dns: String
    }

    public let options: Options
    public let clusters: LocalClusters
    private let logger: Logger

    public init(options: Options, logger: Logger) throws {
        // Every Service of every member is served on a socket of this process (ListenerBudget).
        ListenerBudget.raiseFileLimit()
        self.options = options
        self.clusters = try LocalClusters(memberCount: options.memberCount, logger: logger)
        self.logger = logger
    }

    public var memberNames: [String] { clusters.servers.dropFirst().map(\.context) }

    /// Starts everything, calls `ready` once the fleet is usable, and serves until cancelled or until
    /// `ready` returns `false` (e.g. a demo that finished). Everything started is stopped on return,
    /// in dependency order: the managers first (controllers and informers stop, leases are
    /// released while the servers still answer), then the cluster add-ons, the clients and last the
    /// API servers. The servers run outside this task's cancellation, so Ctrl-C cannot take them
    /// away from under the managers.
    public func run(_ ready: @escaping @Sendable (Endpoints) async throws -> Bool) async throws {
        let azure = options.trafficManager
            ? LocalAzure(members: memberNames, probeInterval: options.trafficManagerProbeInterval, logger: logger) : nil
        let servers: [ServiceGroupConfiguration.ServiceConfiguration] =
            clusters.servers.map { .init(service: $0.server) } + (azure.map { [.init(service: $0.server)] } ?? [])
        let group = ServiceGroup(configuration: .init(services: servers, logger: logger))
        let serving = Task { try await group.run() }
        var clients: [String: KubeClient] = [:]
        var background: [Task<Void, Never>] = []
        var trafficManagerDNS: DNSServer?
        var managerGroup: ServiceGroup?
        var managerTask: Task<Void, Never>?
        let outcome: Result<Void, any Error>
        do {
            for entry in clusters.servers {
                _ = try await entry.server.waitUntilListening()
                clients[entry.context] = try KubeClient(configuration: try await adminConfiguration(entry), logger: logger)
            }
            let kubeconfig = options.directory.appendingPathComponent("kubeconfig")
            try await clusters.writeKubeconfig(to: kubeconfig)
            try await bootstrap(clients)
            var trafficManager: FleetFile.TrafficManager?
            var cloudConfigs: [String: String] = [:]
            if let azure {
                cloudConfigs = try await azure.writeCloudConfigs(to: options.directory.appendingPathComponent("azure"))
                let dns = try await azure.startDNS()
                trafficManagerDNS = dns
                background.append(Task { await azure.prober.run() })
                trafficManager = FleetFile.TrafficManager(
                    armEndpoint: try await azure.server.url(), dns: "\(dns.host):\(dns.port)", subscriptionId: LocalAzure.subscription,
                    resourceGroup: LocalAzure.profileGroup)
            }
            var addons: [ClusterAddons] = []
            for (index, member) in memberNames.enumerated() {
                let memberAddons = ClusterAddons(
                    clusterName: member, index: index + 1, client: clients[member]!, publicIPs: azure?.publicIPs(member: member),
                    logger: logger)
                addons.append(memberAddons)
                background.append(Task { await memberAddons.run() })
            }
            if options.withControllers {
                // The managers run as services of one group, so stopping the fleet shuts them
                // down gracefully (leases released, probe servers closed) as SIGTERM would.
                let services = try await makeManagers(cloudConfigs: cloudConfigs).map {
                    ServiceGroupConfiguration.ServiceConfiguration(service: ClosureService(body: $0))
                }
                let managers = ServiceGroup(configuration: .init(services: services, logger: logger))
                managerGroup = managers
                managerTask = Task { [logger] in
                    do { try await managers.run() } catch { logger.error("fleet networking managers stopped: \(error)") }
                }
            }
            var servers: [(context: String, url: String)] = []
            for entry in clusters.servers { servers.append((entry.context, try await entry.server.url())) }
            var members: [MemberEndpoints] = []
            for (index, memberAddons) in addons.enumerated() {
                members.append(
                    MemberEndpoints(
                        name: memberAddons.clusterName, server: servers[index + 1].url,
                        podCIDR: LocalClusters.podCIDR(member: index + 1), serviceCIDR: LocalClusters.serviceCIDR(member: index + 1),
                        loadBalancerCIDR: LocalClusters.loadBalancerCIDR(member: index + 1), dns: try await memberAddons.dnsAddress()))
            }
            let fleetFile = options.directory.appendingPathComponent("fleet.json")
            try FleetFile(hub: .init(name: "hub", server: servers[0].url), members: members, trafficManager: trafficManager)
                .write(to: fleetFile)
            let keepRunning = try await ready(
                Endpoints(
                    servers: servers, kubeconfig: kubeconfig, clients: clients, members: members, fleetFile: fleetFile,
                    trafficManager: trafficManager, azure: azure))
            if keepRunning {
                // Serve until cancelled (Ctrl-C cancels the command's task).
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await managerGroup?.triggerGracefulShutdown()
        await managerTask?.value
        for task in background { task.cancel() }
        for task in background { await task.value }
        await trafficManagerDNS?.stop()
        for client in clients.values { try? await client.shutdown() }
        await group.triggerGracefulShutdown()
        let served = await serving.result
        try outcome.get()
        try served.get()
    }

    /// The admin identity of a cluster (its kubeconfig user).
    func adminConfiguration(_ entry: LocalClusters.Entry) async throws -> ClientConfiguration {
        ClientConfiguration(
            server: try await entry.server.url(),
            tls: .init(
                certificateAuthorityPEM: Array(try entry.authority.certificatePEM.utf8),
                clientCertificatePEM: Array(try entry.admin.certificatePEM.utf8),
                clientKeyPEM: Array(entry.admin.privateKeyPEM.utf8)))
    }

    /// hub-net-controller-manager on the hub and, per member, member-net-controller-manager and
    /// mcs-controller-manager — the binaries' code, in-process. Member agents reach the hub as
    /// `fleetnet:member:<name>` with a bearer token read from a file (as `CONFIG_PATH` in a
    /// cluster), confined by RBAC to `fleet-member-<name>`. Probes and metrics listen on free
    /// loopback ports; leader election runs as in a cluster.
    /// With the local Azure, `cloudConfigs` holds each manager's cloud config ("hub" and members)
    /// and the Traffic Manager feature is on.
    private func makeManagers(cloudConfigs: [String: String]) async throws -> [@Sendable () async throws -> Void] {
        let hubEntry = clusters.servers[0]
        let freePorts = ManagerEndpoints(
            metrics: BindAddress(host: "127.0.0.1", port: 0), probes: BindAddress(host: "127.0.0.1", port: 0))
        let election = LeaderElectionSettings(enabled: true, namespace: FleetNamespaces.fleetSystem)
        var runs: [@Sendable () async throws -> Void] = []
        let hub = try HubNetControllerManager(
            configuration: HubNetManagerConfiguration(
                hub: try await adminConfiguration(hubEntry), endpoints: freePorts, leaderElection: election,
                enableTrafficManagerFeature: cloudConfigs["hub"] != nil,
                cloudConfigPath: cloudConfigs["hub"] ?? AzureCloudConfig.defaultPath),
            identity: "fleetnet-hub", logger: logger)
        runs.append { try await hub.run(handleSignals: false) }
        let tokens = options.directory.appendingPathComponent("tokens")
        try FileManager.default.createDirectory(at: tokens, withIntermediateDirectories: true)
        for (index, member) in memberNames.enumerated() {
            let tokenFile = tokens.appendingPathComponent(member)
            try Data((clusters.memberTokens[member] ?? "").utf8).write(to: tokenFile)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile.path)
            let hubURL = try await hubEntry.server.url()
            let hubConnection = ClientConfiguration(
                server: try await options.memberHubURL?(member, hubURL) ?? hubURL,
                tls: .init(certificateAuthorityPEM: Array(try hubEntry.authority.certificatePEM.utf8)),
                authentication: .tokenFile(path: tokenFile.path))
            let memberConnection = try await adminConfiguration(clusters.servers[index + 1])
            for agent in [MemberAgentKind.memberNet, .mcs] {
                let managers = try MemberControllerManagers(
                    configuration: MemberManagerConfiguration(
                        agent: agent, clusterName: member, member: memberConnection, hub: hubConnection,
                        hubEndpoints: freePorts, memberEndpoints: freePorts, leaderElection: election,
                        enableTrafficManagerFeature: agent == .memberNet && cloudConfigs[member] != nil,
                        cloudConfigPath: cloudConfigs[member] ?? AzureCloudConfig.defaultPath),
                    identity: "fleetnet-\(member)", logger: logger)
                runs.append { try await managers.run(handleSignals: false) }
            }
        }
        return runs
    }

    /// CRDs (through the installer's code), namespaces and Fleet membership.
    private func bootstrap(_ clients: [String: KubeClient]) async throws {
        let hub = clients["hub"]!
        let networking = (FleetCRDs.networking + FleetCRDs.multiClusterServicesAPI).map { $0.customResourceDefinition() }
        _ = try await CRDInstaller(client: hub, logger: logger).install(networking, mode: .hub)
        // Fleet's own CRDs: installed by Fleet in real fleets, here as the local Fleet stand-in.
        let crds = hub.api(CustomResourceDefinition.self)
        for definition in FleetCRDs.fleetCore {
            do { _ = try await crds.create(definition.customResourceDefinition()) } catch let error as KubeClientError
            where error.isAlreadyExists {}
        }
        try await createNamespace(FleetNamespaces.fleetSystem, client: hub)
        for (index, member) in memberNames.enumerated() {
            let client = clients[member]!
            _ = try await CRDInstaller(client: client, logger: logger).install(networking, mode: .member)
            try await createNamespace(FleetNamespaces.fleetSystem, client: client)
            try await FleetMembership.join(
                member, heartbeatPeriodSeconds: options.heartbeatPeriodSeconds,
                podCIDRs: [LocalClusters.podCIDR(member: index + 1)], hub: hub)
        }
    }

    private func createNamespace(_ name: String, client: KubeClient) async throws {
        do {
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }
}

/// A closure as a ServiceLifecycle service (graceful shutdown reaches the service groups inside it).
struct ClosureService: ServiceLifecycle.Service {
    let body: @Sendable () async throws -> Void

    func run() async throws {
        try await body()
    }
}
