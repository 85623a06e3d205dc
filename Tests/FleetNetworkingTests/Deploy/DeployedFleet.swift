import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Logging
import ServiceLifecycle
import KubeTestSupport
import Testing

// A fleet deployed with the RBAC of config/: a hub and members on embedded API servers with
// authorization on (real 403s), where each manager authenticates as the ServiceAccount its
// rendered Deployment names (a static bearer token per account) and holds exactly the rendered
// ClusterRoles/Roles and bindings, nothing else. The member agents reach the hub as the
// ServiceAccount of config/overlays/hub-member, bound to that overlay's Role in
// fleet-member-<cluster>. Managers run in-process (the same code as the binaries: the
// `HubNetControllerManager` / `MemberControllerManagers` the commands build), with leader
// election on.

struct DeployedFleet: Sendable {
    struct Cluster: Sendable {
        let name: String
        let url: String
        let server: APIServer
        /// A `system:masters` client, for the test's own reads and writes.
        let admin: KubeClient
    }

    let hub: Cluster
    let members: [Cluster]

    func member(_ name: String) -> Cluster { members.first { $0.name == name }! }
    var clusters: [Cluster] { [hub] + members }

    /// Every request denied with 403 on any cluster, as `cluster: user verb group/resource ns/name`.
    var denials: [String] {
        clusters.flatMap { cluster in
            cluster.server.deniedRequests.map { "\(cluster.name): \(Self.describe($0))" }
        }
    }

    static func describe(_ request: AuthorizationAttributes) -> String {
        let group = request.apiGroup.isEmpty ? "core" : request.apiGroup
        return "\(request.user.name) \(request.verb) \(group)/\(request.combinedResource) \(request.namespace)/\(request.name)"
    }

    /// Which rendered manifests a rule removal applies to.
    enum Side: String, Sendable {
        /// config/overlays/hub, applied to the hub.
        case hub
        /// config/overlays/member, applied to every member.
        case member
        /// config/overlays/hub-member, applied to the hub for every member.
        case hubMember
    }

    /// Removes from the `kind` (`Role` or `ClusterRole`) named `name` the one rule that grants `resource`.
    struct RuleRemoval: Sendable, CustomTestStringConvertible {
        let side: Side
        let kind: String
        let name: String
        let resource: String
        /// When set, only the rule granting this verb on `resource` is removed.
        var verb: String? = nil
        var testDescription: String {
            "\(side.rawValue) \(kind) \(name) without its \(verb.map { "\($0) " } ?? "")\(resource) rule"
        }
    }

    static let adminToken = "admin-\(UUID().uuidString)"

    /// The manifests each cluster gets.
    struct Manifests: Sendable {
        var hub: RenderedManifests
        var member: [String: RenderedManifests]
        var hubMember: [String: RenderedManifests]
    }

    static func render(members: [String], hubURL: String = "https://127.0.0.1:6443") throws -> Manifests {
        let hub = try RenderedManifests.render("overlays/hub")
        var member: [String: RenderedManifests] = [:]
        var hubMember: [String: RenderedManifests] = [:]
        for name in members {
            member[name] = try RenderedManifests.render(
                "overlays/member",
                inputs: ["overlays/member/hub-connection.env": "HUB_SERVER_URL=\(hubURL)\nMEMBER_CLUSTER_NAME=\(name)\nHUB_CERTIFICATE_AUTHORITY=\n"])
            hubMember[name] = try RenderedManifests.render(
                "overlays/hub-member", inputs: ["overlays/hub-member/member.env": "MEMBER_CLUSTER_NAME=\(name)\n"])
        }
        return Manifests(hub: hub, member: member, hubMember: hubMember)
    }

    /// Renders config/, starts the clusters with the rendered RBAC (minus `removal`), runs the
    /// three managers per their manifests while `body` runs, and stops everything.
    static func run<T: Sendable>(
        members memberNames: [String] = ["member-1", "member-2"], removing removal: RuleRemoval? = nil,
        _ body: @Sendable (DeployedFleet) async throws -> T
    ) async throws -> T {
        let manifests = try render(members: memberNames)
        let logger = FleetTestbed.quiet

        // Identities: one token per ServiceAccount a Deployment runs as.
        let hubUsers = manifests.hub.serviceAccountUsers
        let hubNetUser = try #require(hubUsers["hub-net-controller-manager"])
        var hubTokens = StaticTokenTable()
        hubTokens.add(token: adminToken, user: UserInfo(name: "admin", groups: [UserInfo.superuserGroup]))
        var tokens: [String: String] = [hubNetUser: "hub-net-\(UUID().uuidString)"]
        hubTokens.add(token: tokens[hubNetUser]!, user: serviceAccount(hubNetUser))
        var memberTables: [String: StaticTokenTable] = [:]
        var agentUsers: [String: String] = [:]
        for name in memberNames {
            let subject = manifests.hubMember[name]!.ofKind("RoleBinding").first?[path: ["subjects"]]?[0]
            let agent = try #require(subject.map(serviceAccountUserName))
            agentUsers[name] = agent
            tokens[agent] = "agent-\(name)-\(UUID().uuidString)"
            hubTokens.add(token: tokens[agent]!, user: serviceAccount(agent))
            var table = StaticTokenTable()
            table.add(token: adminToken, user: UserInfo(name: "admin", groups: [UserInfo.superuserGroup]))
            for (_, user) in manifests.member[name]!.serviceAccountUsers {
                tokens["\(name)/\(user)"] = "sa-\(UUID().uuidString)"
                table.add(token: tokens["\(name)/\(user)"]!, user: serviceAccount(user))
            }
            memberTables[name] = table
        }

        var servers: [(String, APIServer)] = [
            ("hub", try APIServer(configuration: APIServerConfiguration(name: "hub", tokens: hubTokens, authorizationEnabled: true), logger: logger))
        ]
        for name in memberNames {
            servers.append(
                (name, try APIServer(configuration: APIServerConfiguration(name: name, tokens: memberTables[name]!, authorizationEnabled: true), logger: logger)))
        }
        let group = ServiceGroup(configuration: .init(services: servers.map { .init(service: $0.1) }, logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var clusters: [Cluster] = []
            for (name, server) in servers {
                let url = try await server.url()
                let admin = try KubeClient(
                    configuration: ClientConfiguration(server: url, authentication: .bearerToken(adminToken)), logger: logger)
                clusters.append(Cluster(name: name, url: url, server: server, admin: admin))
            }
            let fleet = DeployedFleet(hub: clusters[0], members: Array(clusters.dropFirst()))
            let result: Result<T, any Error>
            do {
                try await fleet.install(manifests, removing: removal)
                result = .success(
                    try await fleet.whileManagersRun(tokens: tokens, hubNetUser: hubNetUser, agentUsers: agentUsers, manifests: manifests) {
                        try await body(fleet)
                    })
            } catch {
                result = .failure(error)
            }
            for cluster in clusters { try? await cluster.admin.shutdown() }
            await group.triggerGracefulShutdown()
            for try await _ in tasks {}
            return try result.get()
        }
    }

    static func serviceAccountUserName(_ subject: JSONValue) -> String {
        "system:serviceaccount:\(subject["namespace"]?.stringValue ?? ""):\(subject["name"]?.stringValue ?? "")"
    }

    /// The user of a ServiceAccount with the groups the real token authenticator adds.
    static func serviceAccount(_ user: String) -> UserInfo {
        let namespace = user.split(separator: ":").dropFirst(2).first.map(String.init) ?? ""
        return UserInfo(name: user, groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)"])
    }

    // MARK: installing

    private func install(_ manifests: Manifests, removing removal: RuleRemoval?) async throws {
        try await Self.installCRDs(FleetCRDs.networking + FleetCRDs.fleetCore, into: hub.admin)
        try await createNamespace(FleetNamespaces.fleetSystem, in: hub)
        try await apply(rbacOf: manifests.hub, to: hub, removing: removal?.side == .hub ? removal : nil)
        for member in members {
            try await Self.installCRDs(FleetCRDs.member, into: member.admin)
            try await createNamespace(FleetNamespaces.fleetSystem, in: member)
            try await apply(rbacOf: manifests.member[member.name]!, to: member, removing: removal?.side == .member ? removal : nil)
            // What Fleet's hub agent does when the member joins: its namespace and IMC.
            let namespace = FleetNamespaces.member(member.name)
            try await createNamespace(namespace, in: hub)
            try await apply(rbacOf: manifests.hubMember[member.name]!, to: hub, removing: removal?.side == .hubMember ? removal : nil)
            _ = try await hub.admin.api(InternalMemberCluster.self, namespace: namespace).create(
                InternalMemberCluster(
                    metadata: ObjectMeta(name: member.name, namespace: namespace),
                    spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 5)))
        }
    }

    private static func installCRDs(_ definitions: [CRDDefinition], into client: KubeClient) async throws {
        let crds = client.api(CustomResourceDefinition.self)
        for definition in definitions { _ = try await crds.create(definition.customResourceDefinition()) }
        for definition in definitions {
            try await eventually("CRD \(definition.name) is established", timeout: .seconds(60)) {
                let crd = try await crds.get(definition.name)
                return crd.status?.conditions?.contains { $0.type == "Established" && $0.status == "True" } == true
            }
        }
    }

    func createNamespace(_ name: String, in cluster: Cluster) async throws {
        do {
            _ = try await cluster.admin.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }

    /// Creates the rendered ClusterRoles, Roles and their bindings in `cluster`.
    private func apply(rbacOf manifests: RenderedManifests, to cluster: Cluster, removing removal: RuleRemoval?) async throws {
        var removed = 0
        for document in manifests.ofKind("ClusterRole") {
            var role: ClusterRole = try document.decode()
            if let removal, removal.kind == "ClusterRole", role.metadata.name == removal.name {
                removed += Self.remove(removal.resource, verb: removal.verb, from: &role.rules)
            }
            _ = try await cluster.admin.api(ClusterRole.self).create(role)
        }
        for document in manifests.ofKind("Role") {
            var role: Role = try document.decode()
            if let removal, removal.kind == "Role", role.metadata.name == removal.name {
                removed += Self.remove(removal.resource, verb: removal.verb, from: &role.rules)
            }
            _ = try await cluster.admin.api(Role.self, namespace: role.metadata.namespace).create(role)
        }
        for document in manifests.ofKind("ClusterRoleBinding") {
            _ = try await cluster.admin.api(ClusterRoleBinding.self).create(try document.decode())
        }
        for document in manifests.ofKind("RoleBinding") {
            let binding: RoleBinding = try document.decode()
            _ = try await cluster.admin.api(RoleBinding.self, namespace: binding.metadata.namespace).create(binding)
        }
        if let removal { #expect(removed == 1, "\(removal.testDescription): exactly one rule removed in \(cluster.name)") }
    }

    /// Removes the rules granting `resource` (with `verb`, when given); returns how many.
    private static func remove(_ resource: String, verb: String?, from rules: inout [PolicyRule]?) -> Int {
        let before = rules?.count ?? 0
        rules?.removeAll { ($0.resources ?? []).contains(resource) && (verb.map($0.verbs.contains) ?? true) }
        return before - (rules?.count ?? 0)
    }

    // MARK: running the managers

    private func whileManagersRun<T: Sendable>(
        tokens: [String: String], hubNetUser: String, agentUsers: [String: String], manifests: Manifests,
        _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let logger = FleetTestbed.quiet
        let probes = ManagerEndpoints(metrics: .disabled, probes: BindAddress(host: "127.0.0.1", port: 0))
        let leaderElection = LeaderElectionSettings(enabled: true, namespace: FleetNamespaces.fleetSystem)
        func client(_ cluster: Cluster, _ token: String?) -> ClientConfiguration {
            ClientConfiguration(server: cluster.url, authentication: .bearerToken(token ?? "missing"))
        }
        let hubManager = try HubNetControllerManager(
            configuration: HubNetManagerConfiguration(
                hub: client(hub, tokens[hubNetUser]), endpoints: probes, leaderElection: leaderElection,
                internalServiceExportRetryInterval: .seconds(2), forceDeleteWaitTime: .seconds(120)),
            logger: logger)
        var runs: [@Sendable () async throws -> Void] = [{ try await hubManager.run(handleSignals: false) }]
        for member in members {
            let users = manifests.member[member.name]!.serviceAccountUsers
            for agent in [MemberAgentKind.memberNet, .mcs] {
                let user = users[agent.rawValue] ?? "no Deployment named \(agent.rawValue)"
                let managers = try MemberControllerManagers(
                    configuration: MemberManagerConfiguration(
                        agent: agent, clusterName: member.name, member: client(member, tokens["\(member.name)/\(user)"]),
                        hub: client(hub, tokens[agentUsers[member.name] ?? ""]), hubEndpoints: probes, memberEndpoints: probes,
                        leaderElection: leaderElection),
                    logger: logger)
                runs.append { try await managers.run(handleSignals: false) }
            }
        }
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            for run in runs {
                tasks.addTask {
                    do { try await run() } catch is CancellationError {} catch {
                        if !Task.isCancelled { Issue.record("a manager stopped: \(error)") }
                    }
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
