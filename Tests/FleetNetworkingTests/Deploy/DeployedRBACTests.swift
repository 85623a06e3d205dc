import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// The RBAC of config/ is enough and no more: with exactly the rendered ClusterRoles/Roles, the
// three managers drive a ServiceExport on two members to imported EndpointSlices behind a
// MultiClusterService on member-2, and no request anywhere is denied; and taking away any one of
// a few rules stops a part of that flow with a 403 for that permission.
//
// Skipped (with a printed reason) when kubectl is not installed: the manifests are rendered by
// `kubectl kustomize`, as an operator renders them.

@Suite(.serialized, .enabled(if: RenderedManifests.kubectl != nil, "kubectl is not installed (needed for `kubectl kustomize config/...`)"))
struct DeployedRBACTests {
    static let namespace = "work"
    static let timeout: Duration = .seconds(90)


    // MARK: the flow

    /// What the flow reaches, each step observable with an admin client.
    enum Milestone: String, CaseIterable, Sendable {
        /// Both agents of both members report Joined on their InternalMemberCluster.
        case joined
        /// Both members' ServiceExports are Valid.
        case exportsValid
        /// The hub ServiceImport lists both exporting clusters.
        case hubServiceImport
        /// member-2's ServiceImport (made by its MultiClusterService) has the imported status.
        case memberServiceImport
        /// member-2 has the derived Service in fleet-system.
        case derivedService
        /// member-2 has the imported EndpointSlices (one per exporting member) in fleet-system.
        case importedSlices
        /// member-2 imports `web`, exported by member-1 through the MCS API: a ServiceImport with a
        /// ClusterSetIP (the derived Service's) and member-1's endpoints in an MCS EndpointSlice.
        case clusterSetImport
    }

    /// On both members: a Service `work/app` with an EndpointSlice, exported; on member-2 a
    /// MultiClusterService importing it.
    static func startFlow(_ fleet: DeployedFleet) async throws {
        for cluster in fleet.clusters { try await fleet.createNamespace(namespace, in: cluster) }
        for (index, member) in fleet.members.enumerated() {
            _ = try await member.admin.api(Service.self, namespace: namespace).create(
                Service(
                    metadata: ObjectMeta(name: "app", namespace: namespace),
                    spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))])))
            _ = try await member.admin.api(EndpointSlice.self, namespace: namespace).create(
                EndpointSlice(
                    metadata: ObjectMeta(name: "app-\(index)", namespace: namespace, labels: [FleetLabels.serviceName: "app"]),
                    addressType: "IPv4",
                    endpoints: [
                        Endpoint(addresses: ["10.\(index + 1).0.1"], conditions: EndpointConditions(ready: true, serving: true, terminating: false))
                    ],
                    ports: [EndpointPort(name: "http", protocol: "TCP", port: 8080)]))
            _ = try await member.admin.api(ServiceExport.self, namespace: namespace).create(
                ServiceExport(metadata: ObjectMeta(name: "app", namespace: namespace)))
        }
        let exporter = fleet.member("member-1").admin
        _ = try await exporter.api(Service.self, namespace: namespace).create(
            Service(
                metadata: ObjectMeta(name: "web", namespace: namespace),
                spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))])))
        _ = try await exporter.api(EndpointSlice.self, namespace: namespace).create(
            EndpointSlice(
                metadata: ObjectMeta(name: "web-1", namespace: namespace, labels: [FleetLabels.serviceName: "web"]),
                addressType: "IPv4",
                endpoints: [Endpoint(addresses: ["10.1.0.9"], conditions: EndpointConditions(ready: true))],
                ports: [EndpointPort(name: "http", protocol: "TCP", port: 8080)]))
        _ = try await exporter.api(MCSServiceExport.self, namespace: namespace).create(
            MCSServiceExport(metadata: ObjectMeta(name: "web", namespace: namespace)))
        _ = try await fleet.member("member-2").admin.api(MultiClusterService.self, namespace: namespace).create(
            MultiClusterService(
                metadata: ObjectMeta(name: "app", namespace: namespace),
                spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))))
    }

    static func reached(_ milestone: Milestone, in fleet: DeployedFleet) async throws -> Bool {
        let importer = fleet.member("member-2").admin
        switch milestone {
        case .joined:
            for member in fleet.members {
                let namespace = FleetNamespaces.member(member.name)
                let imc = try await fleet.hub.admin.api(InternalMemberCluster.self, namespace: namespace).get(member.name)
                for type in [AgentTypes.multiClusterServiceAgent, AgentTypes.serviceExportImportAgent] {
                    let joined = imc.status?.agentStatus?.first { $0.type == type }?.conditions?.condition(ofType: AgentConditions.joined)
                    guard joined?.status == "True" else { return false }
                }
            }
            return true
        case .exportsValid:
            for member in fleet.members {
                let export = try await member.admin.api(ServiceExport.self, namespace: namespace).get("app")
                guard export.status?.conditions?.condition(ofType: ServiceExportConditions.valid)?.status == "True" else { return false }
            }
            return true
        case .hubServiceImport:
            let serviceImport = try await fleet.hub.admin.api(ServiceImport.self, namespace: namespace).get("app")
            return Set(serviceImport.status?.clusters?.map(\.cluster) ?? []) == Set(fleet.members.map(\.name))
        case .memberServiceImport:
            let serviceImport = try await importer.api(ServiceImport.self, namespace: namespace).get("app")
            return !(serviceImport.status?.clusters ?? []).isEmpty
        case .derivedService:
            let name = DerivedNames.derivedServiceName(namespace: namespace, name: "app")
            _ = try await importer.api(Service.self, namespace: FleetNamespaces.fleetSystem).get(name)
            return true
        case .importedSlices:
            let slices = try await importer.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem).list().items
            let addresses = Set(slices.flatMap { $0.endpoints ?? [] }.flatMap(\.addresses))
            return addresses.isSuperset(of: ["10.1.0.1", "10.2.0.1"])
        case .clusterSetImport:
            let serviceImport = try await importer.api(MCSServiceImport.self, namespace: namespace).get("web")
            let slices = try await importer.api(EndpointSlice.self, namespace: namespace)
                .list(labelSelector: "\(MCSLabels.serviceName)=web").items
            return !(serviceImport.spec.ips ?? []).isEmpty && slices.flatMap(\.endpoints).flatMap(\.addresses) == ["10.1.0.9"]
        }
    }

    // MARK: tests

    @Test func theRenderedRBACIsEnoughForExportAndImportWithoutOneDeniedRequest() async throws {
        try await DeployedFleet.run { fleet in
            try await Self.startFlow(fleet)
            for milestone in Milestone.allCases {
                try await eventually("\(milestone) (denied so far: \(fleet.denials))", timeout: Self.timeout) {
                    try await Self.reached(milestone, in: fleet)
                }
            }
            // Steady state too: heartbeats (every 5 s), lease renewals, resyncs.
            try await consistently("no request is denied", for: .seconds(6)) { fleet.denials.isEmpty }
            #expect(fleet.denials.isEmpty, "requests denied with the rendered RBAC:\n\(fleet.denials.joined(separator: "\n"))")
        }
    }

    /// A rule taken away, the request that must then be denied, what must still happen (if
    /// anything is worth showing) and what must not.
    struct Removal: Sendable, CustomTestStringConvertible {
        let rule: DeployedFleet.RuleRemoval
        /// A fragment of the expected denial (`DeployedFleet.describe`), e.g. `update networking.fleet.azure.com/serviceimports/status`.
        let denied: String
        let stillReached: [Milestone]
        let blocked: Milestone
        var testDescription: String { rule.testDescription }
    }

    static let removals: [Removal] = [
        // The hub can no longer publish which clusters export a service.
        Removal(
            rule: .init(side: .hub, kind: "ClusterRole", name: "hub-net-controller-manager-role", resource: "serviceimports/status"),
            denied: "hub-net-controller-manager-sa update networking.fleet.azure.com/serviceimports/status",
            stillReached: [.exportsValid], blocked: .hubServiceImport),
        // Without its lease the hub manager never leads, so no hub controller runs.
        Removal(
            rule: .init(side: .hub, kind: "Role", name: "hub-net-controller-manager-leader-election", resource: "leases"),
            denied: "hub-net-controller-manager-sa get coordination.k8s.io/leases fleet-system/",
            stillReached: [.joined], blocked: .hubServiceImport),
        // The member agents cannot publish their exports to their hub namespace.
        Removal(
            rule: .init(side: .hubMember, kind: "Role", name: MemberAgentHubAccess.name, resource: "internalserviceexports"),
            denied: "fleet-networking-member-agent list networking.fleet.azure.com/internalserviceexports fleet-member-",
            stillReached: [], blocked: .hubServiceImport),
        // member-net cannot write the imported EndpointSlices: everything up to the derived
        // Service works, the last step does not.
        Removal(
            rule: .init(
                side: .member, kind: "ClusterRole", name: "member-net-controller-manager-role", resource: "endpointslices",
                verb: "create"),
            denied: "member-net-controller-manager-sa create discovery.k8s.io/endpointslices fleet-system/",
            stillReached: [.hubServiceImport, .derivedService], blocked: .importedSlices),
        // member-net cannot create multicluster.x-k8s.io ServiceImports: the fleet's own flow is
        // untouched, the MCS API's import never appears.
        Removal(
            rule: .init(
                side: .member, kind: "ClusterRole", name: "member-net-controller-manager-role", resource: "serviceimports",
                verb: "create"),
            denied: "member-net-controller-manager-sa create multicluster.x-k8s.io/serviceimports",
            stillReached: [.hubServiceImport, .importedSlices], blocked: .clusterSetImport),
    ]

    @Test(arguments: removals)
    func removingOneRuleBreaksPartOfTheFlow(_ removal: Removal) async throws {
        try await DeployedFleet.run(removing: removal.rule) { fleet in
            try await Self.startFlow(fleet)
            try await eventually("a request is denied: \(removal.denied)", timeout: Self.timeout) {
                fleet.denials.contains { $0.contains(removal.denied) }
            }
            for milestone in removal.stillReached {
                try await eventually("\(milestone) is still reached", timeout: Self.timeout) { try await Self.reached(milestone, in: fleet) }
            }
            try await consistently("\(removal.blocked) is not reached", for: .seconds(3)) {
                (try? await Self.reached(removal.blocked, in: fleet)) != true
            }
        }
    }
}
