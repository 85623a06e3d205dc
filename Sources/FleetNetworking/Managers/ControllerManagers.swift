import FleetAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging
import ServiceLifecycle

// The three manager processes (reference-controllers §1.1), assembled from their configuration:
//
// - hub-net-controller-manager: one KubeRuntime `Manager` on the hub (lease
//   `2bf2b407.hub.networking.fleet.azure.com` in `--leader-election-namespace` on the hub).
// - member-net-controller-manager / mcs-controller-manager: two managers in one process, a
//   hub-side one (hub caches confined to `fleet-member-<cluster>`, the membership controller and,
//   for member-net, the hub-side networking controllers) and a member-side one (member caches and
//   controllers). Both leases live in the MEMBER cluster.
//
// Each manager serves `/healthz` and `/readyz` (ready once its caches have synced) on its probe
// address, and `/metrics` on its metrics address (a second, check-less endpoint over the same
// registry: one registry per process, as controller-runtime's global registry). Caches run on
// every replica; controllers only while leading. Everything runs under one ServiceGroup: SIGTERM
// or SIGINT shuts it down gracefully, and a failing manager stops the others (the run throws, so
// the binary exits 1).

/// One KubeRuntime manager plus its separate metrics endpoint.
public struct ManagerUnit: Sendable {
    public let name: String
    public let manager: Manager
    /// Serves `/metrics` (nil when the metrics address is `0`).
    public let metricsEndpoint: Manager?

    var services: [any ServiceLifecycle.Service] { [manager] + (metricsEndpoint.map { [$0] } ?? []) }

    static func make(
        name: String, endpoints: ManagerEndpoints, leaseClient: KubeClient, leaseName: String,
        leaderElection: LeaderElectionSettings, identity: String, registry: MetricsRegistry, logger: Logger
    ) -> ManagerUnit {
        var logger = logger
        logger[metadataKey: "manager"] = "\(name)"
        let elector: LeaderElector? =
            leaderElection.enabled
            ? LeaderElector(
                client: leaseClient,
                configuration: LeaderElectionConfiguration(namespace: leaderElection.namespace, leaseName: leaseName, identity: identity),
                metricsFactory: registry.factory, logger: logger)
            : nil
        let probes = endpoints.probes.isDisabled ? BindAddress(host: "127.0.0.1", port: 0) : endpoints.probes
        let manager = Manager(
            configuration: ManagerConfiguration(host: probes.host, port: probes.port), leaderElector: elector, metrics: registry,
            logger: logger)
        let metrics =
            endpoints.metrics.isDisabled
            ? nil
            : Manager(
                configuration: ManagerConfiguration(host: endpoints.metrics.host, port: endpoints.metrics.port), metrics: registry,
                logger: logger)
        return ManagerUnit(name: name, manager: manager, metricsEndpoint: metrics)
    }

    /// Adds the cache runner (not leader-gated) with its readiness check, and the controllers
    /// (leader-gated).
    func add(informers: SharedInformers, named informersName: String, controllers: [ControllerRunnable]) {
        manager.add(informersName, needsLeaderElection: false) { await informers.run() }
        manager.addReadinessCheck("\(informersName)-synced") { informers.hasSynced }
        for controller in controllers {
            manager.add(controller.name, needsLeaderElection: true) { await controller.run() }
        }
    }
}

/// The leader-election identity of this process: the pod's name, so that a manager killed and
/// restarted in the same pod (a container restart) finds the lease held by itself and takes it
/// back at once instead of waiting out the lease duration. The name comes from `POD_NAME` (the
/// manifests set it from the downward API), else — inside a pod, where the hostname is the pod's
/// name — from the hostname. Outside a pod several processes may share a hostname, so the
/// identity is then `<hostname>_<uuid>` as controller-runtime makes it, unique per process.
public func defaultLeaderElectionIdentity(
    environment: [String: String] = ProcessInfo.processInfo.environment, hostName: String = ProcessInfo.processInfo.hostName
) -> String {
    if let pod = environment[ManagerEnvironment.podName], !pod.isEmpty { return pod }
    if environment[ManagerEnvironment.inClusterHost] != nil, !hostName.isEmpty { return hostName }
    return "\(hostName)_\(UUID().uuidString.lowercased())"
}

/// Runs `units` and shuts `clients` down afterwards; rethrows the first failure.
func runUnits(_ units: [ManagerUnit], clients: [KubeClient], handleSignals: Bool, logger: Logger) async throws {
    let services = units.flatMap(\.services).map {
        ServiceGroupConfiguration.ServiceConfiguration(
            service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
    }
    var configuration = ServiceGroupConfiguration(services: services, logger: logger)
    if handleSignals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
    let group = ServiceGroup(configuration: configuration)
    let result: Result<Void, any Error>
    do {
        try await group.run()
        result = .success(())
    } catch {
        result = .failure(error)
    }
    for client in clients { try? await client.shutdown() }
    try result.get()
}

/// hub-net-controller-manager.
public final class HubNetControllerManager: Sendable {
    public let configuration: HubNetManagerConfiguration
    public let hub: KubeClient
    public let context: HubAgentContext
    public let unit: ManagerUnit
    private let logger: Logger

    public init(
        configuration: HubNetManagerConfiguration, registry: MetricsRegistry = MetricsRegistry(),
        identity: String = defaultLeaderElectionIdentity(), logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        hub = try KubeClient(configuration: configuration.hub, logger: logger)
        let informers = SharedInformers(client: hub, logger: logger)
        context = HubAgentContext(
            hub: hub, informers: informers,
            events: EventRecorder(client: hub, component: "hub-net-controller-manager", host: identity, logger: logger),
            forceDeleteWaitTime: configuration.forceDeleteWaitTime, retryInterval: configuration.internalServiceExportRetryInterval,
            logger: logger)
        let trafficManager = try TrafficManagerControllers.make(
            context, enabled: configuration.enableTrafficManagerFeature, cloudConfigPath: configuration.cloudConfigPath,
            metrics: registry.prometheus, logger: logger)
        unit = ManagerUnit.make(
            name: "hub", endpoints: configuration.endpoints, leaseClient: hub, leaseName: LeaderElectionIDs.hub,
            leaderElection: configuration.leaderElection, identity: identity, registry: registry, logger: logger)
        var controllers = HubNetControllers.all(context) + trafficManager
        if !configuration.enableV1Beta1APIs {
            // The reference starts its MemberCluster (force-delete) controller only with v1beta1 APIs.
            controllers.removeAll { Self.isMemberClusterController($0.name) }
            logger.info("--enable-v1beta1-apis=false: running without the membercluster controller")
        }
        unit.add(informers: informers, named: "hub-informers", controllers: controllers)
    }

    /// Runs until SIGTERM/SIGINT (when `handleSignals`) or a failure.
    public func run(handleSignals: Bool = true) async throws {
        try await runUnits([unit], clients: [hub], handleSignals: handleSignals, logger: logger)
    }

    /// Whether a hub controller is the MemberCluster one (by its name, e.g. `membercluster`).
    static func isMemberClusterController(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return lowered.contains("membercluster") && !lowered.contains("internalmembercluster")
    }
}

/// The two managers of a member binary.
public final class MemberControllerManagers: Sendable {
    public let configuration: MemberManagerConfiguration
    public let member: KubeClient
    public let hub: KubeClient
    public let context: MemberAgentContext
    /// The hub-side manager (hub caches in `fleet-member-<cluster>`; lease in the member cluster).
    public let hubUnit: ManagerUnit
    /// The member-side manager.
    public let memberUnit: ManagerUnit
    private let logger: Logger

    public init(
        configuration: MemberManagerConfiguration, registry: MetricsRegistry = MetricsRegistry(),
        identity: String = defaultLeaderElectionIdentity(), logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        member = try KubeClient(configuration: configuration.member, logger: logger)
        hub = try KubeClient(configuration: configuration.hub, logger: logger)
        let component = configuration.agent.rawValue
        let memberInformers = SharedInformers(client: member, logger: logger)
        let hubInformers = SharedInformers(client: hub, logger: logger)
        context = MemberAgentContext(
            clusterID: configuration.clusterName, fleetSystemNamespace: configuration.fleetSystemNamespace, member: member,
            hub: hub, memberInformers: memberInformers, hubInformers: hubInformers,
            memberEvents: EventRecorder(client: member, component: component, host: identity, logger: logger),
            hubEvents: EventRecorder(client: hub, component: component, host: identity, logger: logger),
            latency: LatencyMetrics(registry: registry.prometheus),
            publicIPs: try PublicIPLookup.make(
                enabled: configuration.agent == .memberNet && configuration.enableTrafficManagerFeature,
                cloudConfigPath: configuration.cloudConfigPath, logger: logger),
            logger: logger)

        let networking = configuration.enableNetworkingFeatures
        var hubControllers: [ControllerRunnable] = []
        if configuration.enableV1Beta1APIs {
            switch configuration.agent {
            case .memberNet:
                hubControllers.append(InternalMemberClusterController.serviceExportImportAgent(context, networkingEnabled: networking))
            case .mcs:
                hubControllers.append(InternalMemberClusterController.multiClusterServiceAgent(context, networkingEnabled: networking))
            }
        }
        var memberControllers: [ControllerRunnable] = []
        if networking {
            switch configuration.agent {
            case .memberNet:
                memberControllers += MemberNetControllers.memberSide(context)
                hubControllers += MemberNetControllers.hubSide(context)
            case .mcs:
                memberControllers.append(MultiClusterServiceController.runnable(context))
            }
        }
        let leases = configuration.agent.leaseNames
        hubUnit = ManagerUnit.make(
            name: "hub", endpoints: configuration.hubEndpoints, leaseClient: member, leaseName: leases.hub,
            leaderElection: configuration.leaderElection, identity: identity, registry: registry, logger: logger)
        memberUnit = ManagerUnit.make(
            name: "member", endpoints: configuration.memberEndpoints, leaseClient: member, leaseName: leases.member,
            leaderElection: configuration.leaderElection, identity: identity, registry: registry, logger: logger)
        hubUnit.add(informers: hubInformers, named: "hub-informers", controllers: hubControllers)
        memberUnit.add(informers: memberInformers, named: "member-informers", controllers: memberControllers)
    }

    /// Runs both managers until SIGTERM/SIGINT (when `handleSignals`) or until either fails.
    public func run(handleSignals: Bool = true) async throws {
        try await runUnits([hubUnit, memberUnit], clients: [hub, member], handleSignals: handleSignals, logger: logger)
    }
}

/// member-net-controller-manager: `ServiceExportImportAgent`, the member-net controllers.
public typealias MemberNetControllerManager = MemberControllerManagers
/// mcs-controller-manager: `MultiClusterServiceAgent`, the multiclusterservice controller.
public typealias MCSControllerManager = MemberControllerManagers
