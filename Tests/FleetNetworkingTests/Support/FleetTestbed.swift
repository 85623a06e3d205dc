import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Logging
import Prometheus
import ServiceLifecycle
import KubeTestSupport
import Testing

// A whole fleet for controller tests: a hub and members, each an embedded API server over plain
// HTTP on 127.0.0.1 (anonymous, no RBAC: these tests are about behaviour; RBAC is tested where the
// managers run with their own identities), with the fleet's CRDs and namespaces installed.
//
//     try await FleetTestbed.run { fleet in
//         let context = fleet.memberContext("member-1")
//         let controller = ServiceExportController.make(context)
//         try await fleet.whileRunning([context.memberInformers.run, context.hubInformers.run, controller.run]) {
//             ...
//         }
//     }

struct FleetTestbed: Sendable {
    struct Cluster: Sendable {
        let name: String
        let url: String
        /// An admin client of the cluster, shut down when the testbed ends.
        let client: KubeClient
    }

    let hub: Cluster
    let members: [Cluster]
    let registry: PrometheusCollectorRegistry
    /// The servers of the clusters named in `run(restartable:)`, each behind a fault proxy every
    /// client of the cluster goes through, which a test can restart and inject faults into.
    var restartable: [String: RestartableServer] = [:]
    /// The requests each cluster's API server served, by cluster name (not for restartable ones).
    var requests: [String: RequestCounter] = [:]

    static let quiet: Logger = {
        var logger = Logger(label: "fleet-networking-test")
        logger.logLevel = ProcessInfo.processInfo.environment["FLEET_TEST_LOG"] != nil ? .debug : .critical
        return logger
    }()

    func member(_ name: String) -> Cluster {
        guard let cluster = members.first(where: { $0.name == name }) else { fatalError("no member \(name)") }
        return cluster
    }

    /// Starts the hub and `members`, installs CRDs and namespaces, runs `body`, and stops everything.
    static func run<T: Sendable>(
        members memberNames: [String] = ["member-1", "member-2"], restartable: Set<String> = [],
        _ body: @Sendable (FleetTestbed) async throws -> T
    ) async throws -> T {
        let allNames = ["hub"] + memberNames
        var restartableServers: [String: RestartableServer] = [:]
        for name in allNames where restartable.contains(name) {
            restartableServers[name] = try await RestartableServer.start(name: name, logger: quiet)
        }
        let names = allNames.filter { !restartable.contains($0) }
        var servers: [APIServer] = []
        for name in names {
            servers.append(
                try APIServer(
                    configuration: APIServerConfiguration(
                        name: name, port: 0, allowsAnonymous: true, authorizationEnabled: false),
                    logger: quiet))
        }
        let group = ServiceGroup(configuration: .init(services: servers.map { .init(service: $0) }, logger: quiet))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var urls: [String: String] = restartableServers.mapValues(\.url)
            for (name, server) in zip(names, servers) {
                _ = try await server.waitUntilListening()
                urls[name] = try await server.url()
            }
            var clusters: [Cluster] = []
            for name in allNames {
                let url = urls[name]!
                let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: quiet)
                clusters.append(Cluster(name: name, url: url, client: client))
            }
            let fleet = FleetTestbed(
                hub: clusters[0], members: Array(clusters.dropFirst()), registry: PrometheusCollectorRegistry(),
                restartable: restartableServers,
                requests: Dictionary(uniqueKeysWithValues: zip(names, servers.map(\.requests))))
            let result: Result<T, any Error>
            do {
                try await fleet.install()
                result = .success(try await body(fleet))
            } catch {
                result = .failure(error)
            }
            for cluster in clusters { try? await cluster.client.shutdown() }
            for server in restartableServers.values { await server.stop() }
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return try result.get()
        }
    }

    /// CRDs (hub: every networking kind and the Fleet core kinds; members: the member kinds) and
    /// namespaces (`fleet-system` everywhere, `fleet-member-<name>` on the hub).
    private func install() async throws {
        try await Self.install(FleetCRDs.networking + FleetCRDs.fleetCore, into: hub.client)
        try await createNamespace(FleetNamespaces.fleetSystem, in: hub)
        for member in members {
            try await Self.install(FleetCRDs.member, into: member.client)
            try await createNamespace(FleetNamespaces.fleetSystem, in: member)
            try await createNamespace(FleetNamespaces.member(member.name), in: hub)
        }
    }

    private static func install(_ definitions: [CRDDefinition], into client: KubeClient) async throws {
        let crds = client.api(CustomResourceDefinition.self)
        for definition in definitions {
            _ = try await crds.create(definition.customResourceDefinition())
        }
        for definition in definitions {
            try await eventually("CRD \(definition.name) is established", timeout: .seconds(30)) {
                let crd = try await crds.get(definition.name)
                return crd.status?.conditions?.contains { $0.type == "Established" && $0.status == "True" } == true
            }
        }
    }

    /// Creates namespace `name` in `cluster` (no error if it exists).
    func createNamespace(_ name: String, in cluster: Cluster) async throws {
        do {
            _ = try await cluster.client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }

    /// Creates namespace `name` on the hub and every member.
    func createNamespaceEverywhere(_ name: String) async throws {
        try await createNamespace(name, in: hub)
        for member in members { try await createNamespace(name, in: member) }
    }

    /// A member agent's context for `name`, with fresh (not yet running) informers of both clusters.
    /// `hubClient` replaces the admin client of the hub (e.g. one through a fault proxy).
    func memberContext(
        _ name: String, hubClient: KubeClient? = nil, now: @escaping @Sendable () -> Date = { Date() },
        publicIPs: PublicIPLookup? = nil
    ) -> MemberAgentContext {
        let member = member(name)
        let hub = hubClient ?? self.hub.client
        return MemberAgentContext(
            clusterID: name, member: member.client, hub: hub,
            memberInformers: SharedInformers(client: member.client, logger: Self.quiet),
            hubInformers: SharedInformers(client: hub, logger: Self.quiet),
            memberEvents: EventRecorder(client: member.client, component: "member-net-controller-manager", logger: Self.quiet),
            hubEvents: EventRecorder(client: hub, component: "member-net-controller-manager", logger: Self.quiet),
            latency: LatencyMetrics(registry: registry), now: now, publicIPs: publicIPs, logger: Self.quiet)
    }

    /// The hub controllers' context, with fresh (not yet running) informers.
    func hubContext(
        forceDeleteWaitTime: Duration = .seconds(15 * 60), now: @escaping @Sendable () -> Date = { Date() }
    ) -> HubAgentContext {
        HubAgentContext(
            hub: hub.client, informers: SharedInformers(client: hub.client, logger: Self.quiet),
            events: EventRecorder(client: hub.client, component: "hub-net-controller-manager", logger: Self.quiet),
            forceDeleteWaitTime: forceDeleteWaitTime, now: now, logger: Self.quiet)
    }

    /// Runs `runnables` in the background while `body` runs, then cancels and awaits them.
    func whileRunning<T: Sendable>(
        _ runnables: [@Sendable () async throws -> Void], _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for runnable in runnables {
                tasks.addTask {
                    do { try await runnable() } catch is CancellationError {}
                }
            }
            defer { tasks.cancelAll() }
            let value = try await body()
            tasks.cancelAll()
            while let _ = try? await tasks.next() {}
            return value
        }
    }
}
