import ARMServer
import AzureClient
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Logging
import ServiceLifecycle
import Testing

// hub/trafficmanagerbackend against the ARM-compatible server and a real hub (reference-
// controllers §7.14, translated to state): one endpoint per valid exporting cluster with the
// weights split by export weight; export-weight changes; an endpoint deleted in Azure repaired;
// an invalid cluster (internal load
// balancer) reported and its endpoint removed; a second backend for the same service refused by
// Azure (one target per profile); weight 0; deletion.

@Suite struct TrafficManagerBackendControllerTests {
    typealias P = TrafficManagerProfileControllerTests
    static let namespace = Hub.serviceNamespace

    static func pip(_ name: String) -> String {
        "/subscriptions/\(P.subscription)/resourceGroups/\(P.group)/providers/Microsoft.Network/publicIPAddresses/\(name)"
    }

    /// What member/serviceexport writes for a LoadBalancer Service with a public IP and DNS label.
    static func export(_ cluster: String, pip: String, weight: Int64? = nil, isInternal: Bool = false) -> InternalServiceExport {
        var export = Hub.serviceExport(cluster: cluster, ports: [Hub.port(80)])
        export.spec?.type = "LoadBalancer"
        export.spec?.isInternalLoadBalancer = isInternal
        export.spec?.publicIPResourceID = Self.pip(pip)
        export.spec?.isDNSLabelConfigured = true
        export.spec?.weight = weight
        return export
    }

    static func accepted(_ backend: TrafficManagerBackend?) -> Condition? {
        backend?.status?.conditions?.first { $0.type == TrafficManagerBackendConditions.accepted }
    }

    @Test func endpointsFollowTheExportsWeightsAndValidity() async throws {
        try await P.run(clusters: ["m1", "m2"]) { fleet, context, server, arm in
            for (name, label) in [("pip-1", "app-m1"), ("pip-2", "app-m2")] {
                server.store.putPublicIP(.init(name: name, ipAddress: "127.20\(name.suffix(1)).0.1", dnsLabel: label), group: P.group, subscription: P.subscription)
            }
            let backendController = TrafficManagerBackendReconciler.make(
                context, arm: ARMConnection(arm), subscription: P.subscription, resync: .seconds(1), metrics: fleet.registry)
            try await fleet.whileRunning([{ try await backendController.run() }]) {
                let hub = fleet.hub.client
                let profiles = hub.api(TrafficManagerProfile.self, namespace: Self.namespace)
                let profile = try await profiles.create(
                    TrafficManagerProfile(metadata: ObjectMeta(name: "global", namespace: Self.namespace), spec: TrafficManagerProfileSpec(resourceGroup: P.group)))
                let azureName = "fleet-\(profile.metadata.uid ?? "")"
                try await eventually("the profile is Programmed") { P.programmed(try await profiles.get("global"))?.status == "True" }

                // The hub's ServiceImport with two exporting clusters, and their exports.
                let exports1 = hub.api(InternalServiceExport.self, namespace: FleetNamespaces.member("m1"))
                let exports2 = hub.api(InternalServiceExport.self, namespace: FleetNamespaces.member("m2"))
                _ = try await exports1.create(Self.export("m1", pip: "pip-1"))
                _ = try await exports2.create(Self.export("m2", pip: "pip-2", weight: 2))
                let imports = hub.api(ServiceImport.self, namespace: Self.namespace)
                var serviceImport = try await imports.create(ServiceImport(metadata: ObjectMeta(name: "app", namespace: Self.namespace)))
                serviceImport.status = ServiceImportStatus(clusters: [ClusterStatus(cluster: "m1"), ClusterStatus(cluster: "m2")])
                _ = try await imports.replaceStatus(serviceImport)

                let backends = hub.api(TrafficManagerBackend.self, namespace: Self.namespace)
                let backend = try await backends.create(
                    TrafficManagerBackend(
                        metadata: ObjectMeta(name: "app-backend", namespace: Self.namespace),
                        spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: "global"), backend: LocalObjectName(name: "app"), weight: 10)))
                let azureWeights: @Sendable () -> [String: Int] = {
                    let endpoints = server.store.profile(azureName, group: P.group, subscription: P.subscription)?.endpoints ?? []
                    return Dictionary(uniqueKeysWithValues: endpoints.map { (String($0.name.split(separator: "#").last ?? ""), $0.weight) })
                }
                // ceil(10 × 1/3) = 4 and ceil(10 × 2/3) = 7.
                try await eventually("both clusters are endpoints, 4 and 7") {
                    Self.accepted(try await backends.get("app-backend"))?.status == "True" && azureWeights() == ["m1": 4, "m2": 7]
                }
                let status = try await backends.get("app-backend").status
                #expect(status?.endpoints?.map(\.name) == ["fleet-\(backend.metadata.uid ?? "")#app#m1", "fleet-\(backend.metadata.uid ?? "")#app#m2"])
                #expect(status?.endpoints?.first?.target == "app-m1.local.cloudapp.azure.com")
                #expect(status?.endpoints?.map { $0.from?.weight } == [1, 2])
                #expect(try await backends.get("app-backend").metadata.finalizers?.contains(FleetFinalizers.trafficManagerBackendCleanup) == true)
                let series = FleetMetrics.trafficManagerBackendStatus
                #expect(
                    fleet.registry.emitToString().contains(
                        "\(series){namespace=\"work\",name=\"app-backend\",generation=\"1\",condition=\"Accepted\",status=\"True\",reason=\"Accepted\"}"))

                // No write while Azure matches: touching the backend changes nothing in Azure.
                let endpointPuts: @Sendable () -> Int = { server.store.requests.filter { $0.method == "PUT" && $0.path.contains("AzureEndpoints") }.count }
                let putsBefore = endpointPuts()
                let profileGets: @Sendable () -> Int = { server.store.requests.filter { $0.method == "GET" && $0.path.hasSuffix(azureName) }.count }
                let getsBefore = profileGets()
                _ = try await update(backends, "app-backend") { $0.metadata.labels = ["touched": "yes"] }
                try await eventually("the touched backend was reconciled again (it read the profile)") { profileGets() > getsBefore }
                #expect(endpointPuts() == putsBefore)

                // The export weight changes: 5 and 5.
                _ = try await update(exports2, DerivedNames.hubObjectName(namespace: Self.namespace, name: "app")) { $0.spec?.weight = 1 }
                try await eventually("weights 5 and 5") { azureWeights() == ["m1": 5, "m2": 5] }

                // An endpoint deleted in Azure out of band comes back at the next resync.
                let m1Endpoint = "fleet-\(backend.metadata.uid ?? "")#app#m1"
                #expect(server.store.removeEndpoint(m1Endpoint, profile: azureName, group: P.group, subscription: P.subscription))
                try await eventually("the deleted endpoint is repaired", timeout: .seconds(15)) { azureWeights() == ["m1": 5, "m2": 5] }
                // One edited out of band (another weight, disabled) is repaired the same way.
                try server.store.seedEndpoint(
                    m1Endpoint, targetResourceID: Self.pip("pip-1"), weight: 999, status: "Disabled", profile: azureName, group: P.group,
                    subscription: P.subscription)
                #expect(azureWeights() == ["m1": 999, "m2": 5])
                try await eventually("the edited endpoint is repaired", timeout: .seconds(15)) {
                    azureWeights() == ["m1": 5, "m2": 5]
                        && server.store.profile(azureName, group: P.group, subscription: P.subscription)?.endpoints.allSatisfy { $0.status == "Enabled" } == true
                }

                // m2's Service becomes an internal load balancer: invalid, its endpoint goes.
                _ = try await update(exports2, DerivedNames.hubObjectName(namespace: Self.namespace, name: "app")) { $0.spec?.isInternalLoadBalancer = true }
                try await eventually("m2 is invalid and withdrawn") {
                    let condition = Self.accepted(try await backends.get("app-backend"))
                    return azureWeights() == ["m1": 10] && condition?.status == "False"
                        && condition?.message.contains("service exported from m2 is invalid: internal load balancer is not supported") == true
                }

                // And back: m2's endpoint returns.
                _ = try await update(exports2, DerivedNames.hubObjectName(namespace: Self.namespace, name: "app")) { $0.spec?.isInternalLoadBalancer = false }
                try await eventually("m2 is valid again") {
                    let condition = Self.accepted(try await backends.get("app-backend"))
                    return azureWeights() == ["m1": 5, "m2": 5] && condition?.status == "True"
                }

                // An endpoint someone else added to the profile is not this backend's: left alone.
                server.store.putPublicIP(.init(name: "pip-other", ipAddress: "127.203.0.1", dnsLabel: "other"), group: P.group, subscription: P.subscription)
                try server.store.seedEndpoint(
                    "someone-elses", targetResourceID: Self.pip("pip-other"), weight: 3, profile: azureName, group: P.group, subscription: P.subscription)
                let readsBefore = profileGets()
                try await eventually("two resyncs read the profile", timeout: .seconds(10)) { profileGets() >= readsBefore + 2 }
                #expect(azureWeights() == ["m1": 5, "m2": 5, "someone-elses": 3])
                #expect(server.store.removeEndpoint("someone-elses", profile: azureName, group: P.group, subscription: P.subscription))

                // The ServiceImport lists a cluster whose export the hub does not have (yet): Pending.
                _ = try await update(imports, "app", status: true) { $0.status?.clusters?.append(ClusterStatus(cluster: "m3")) }
                try await eventually("a cluster without its export is pending") {
                    let condition = Self.accepted(try await backends.get("app-backend"))
                    return condition?.status == "Unknown" && condition?.message == "Failed to find the exported service work/app from cluster m3"
                }
                _ = try await update(imports, "app", status: true) { $0.status?.clusters?.removeAll { $0.cluster == "m3" } }
                try await eventually("accepted again") { Self.accepted(try await backends.get("app-backend"))?.status == "True" }

                // m2 internal again for the steps below.
                _ = try await update(exports2, DerivedNames.hubObjectName(namespace: Self.namespace, name: "app")) { $0.spec?.isInternalLoadBalancer = true }
                try await eventually("m2 is withdrawn again") { azureWeights() == ["m1": 10] }

                // A second backend for the same service: Azure refuses the same target twice.
                _ = try await backends.create(
                    TrafficManagerBackend(
                        metadata: ObjectMeta(name: "twin", namespace: Self.namespace),
                        spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: "global"), backend: LocalObjectName(name: "app"))))
                try await eventually("the twin is refused") {
                    let condition = Self.accepted(try await backends.get("twin"))
                    return condition?.status == "False" && condition?.message.contains("failed to be created/updated") == true
                }
                try await backends.delete("twin")
                try await eventually("the twin is gone") { try await getIfPresent(backends, "twin") == nil }
                #expect(azureWeights() == ["m1": 10], "the twin's deletion left the first backend's endpoint")

                // Weight 0: every endpoint removed, Accepted with zero endpoints.
                _ = try await update(backends, "app-backend") { $0.spec.weight = 0 }
                try await eventually("weight 0 removes the endpoints") {
                    let condition = Self.accepted(try await backends.get("app-backend"))
                    return azureWeights().isEmpty && condition?.status == "True" && condition?.message.hasPrefix("0 service(s)") == true
                }

                // Back to weight 10, then deletion removes the endpoint and lets the backend go.
                _ = try await update(backends, "app-backend") { $0.spec.weight = 10 }
                try await eventually("the endpoint is back") { azureWeights() == ["m1": 10] }
                try await backends.delete("app-backend")
                try await eventually("the backend is gone") { try await getIfPresent(backends, "app-backend") == nil }
                #expect(azureWeights().isEmpty)
                try await eventually("the backends' status series are gone") { !fleet.registry.emitToString().contains(series) }
            }
        }
    }

    /// The reference's backend scenarios around its inputs and Azure's errors: a missing profile,
    /// a profile Invalid and one Pending, a missing ServiceImport, an endpoint Azure refuses (403
    /// on the target's group) until the role is granted, a 408 on the profile GET, a profile GET
    /// without properties, the Azure profile gone, and stale endpoints that fail to delete.
    @Test func statusFollowsTheProfileTheImportAndAzureErrors() async throws {
        try await P.run(clusters: ["m1", "m2"]) { fleet, context, server, arm in
            server.store.putPublicIP(.init(name: "pip-1", ipAddress: "127.201.0.1", dnsLabel: "app-m1"), group: P.group, subscription: P.subscription)
            // m2's public IP is in a group the hub has no role in.
            server.store.putPublicIP(.init(name: "pip-2", ipAddress: "127.202.0.1", dnsLabel: "app-m2"), group: "other-rg", subscription: P.subscription)
            let backendController = TrafficManagerBackendReconciler.make(context, arm: ARMConnection(arm), subscription: P.subscription, resync: .seconds(1))
            try await fleet.whileRunning([{ try await backendController.run() }]) {
                let hub = fleet.hub.client
                let profiles = hub.api(TrafficManagerProfile.self, namespace: Self.namespace)
                let backends = hub.api(TrafficManagerBackend.self, namespace: Self.namespace)
                func backend(_ name: String, profile: String) async throws {
                    _ = try await backends.create(
                        TrafficManagerBackend(
                            metadata: ObjectMeta(name: name, namespace: Self.namespace),
                            spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: profile), backend: LocalObjectName(name: "app"), weight: 10)))
                }
                func accepted(_ name: String, _ status: String, _ reason: String, _ message: String, line: Int = #line) async throws {
                    try await eventually("\(name): \(status) \(reason) \(message) (line \(line))") {
                        let condition = Self.accepted(try await backends.get(name))
                        return condition?.status == status && condition?.reason == reason && condition?.message.contains(message) == true
                    }
                }
                typealias Reason = TrafficManagerBackendConditions.Reason

                // No such profile.
                try await backend("orphan", profile: "ghost")
                try await accepted("orphan", "False", Reason.invalid, "TrafficManagerProfile \"ghost\" is not found")

                // A profile Azure refuses (no role in its group).
                _ = try await profiles.create(
                    TrafficManagerProfile(metadata: ObjectMeta(name: "forbidden", namespace: Self.namespace), spec: TrafficManagerProfileSpec(resourceGroup: "other-rg")))
                try await backend("on-forbidden", profile: "forbidden")
                try await accepted(
                    "on-forbidden", "False", Reason.invalid, "Invalid trafficManagerProfile \"forbidden\", please check the trafficManagerProfile status")

                // A profile still Pending (Azure answers 500), then Programmed: the ServiceImport is missing.
                server.faults.inject(.init(.status(500, code: "InternalServerError")), on: .profilePut)
                let profile = try await profiles.create(
                    TrafficManagerProfile(metadata: ObjectMeta(name: "global", namespace: Self.namespace), spec: TrafficManagerProfileSpec(resourceGroup: P.group)))
                let azureName = "fleet-\(profile.metadata.uid ?? "")"
                try await backend("app-backend", profile: "global")
                try await accepted("app-backend", "Unknown", Reason.pending, "In the processing of trafficManagerProfile \"global\"")
                server.faults.clear()
                try await accepted("app-backend", "False", Reason.invalid, "ServiceImport \"app\" is not found")

                // Both clusters export; Azure refuses m2's endpoint (the hub may not read its public
                // IP) until the hub gets a role there.
                _ = try await hub.api(InternalServiceExport.self, namespace: FleetNamespaces.member("m1")).create(Self.export("m1", pip: "pip-1"))
                var m2 = Self.export("m2", pip: "pip-2")
                let otherGroupIP = m2.spec?.publicIPResourceID?.replacingOccurrences(of: "/\(P.group)/", with: "/other-rg/")
                m2.spec?.publicIPResourceID = otherGroupIP
                _ = try await hub.api(InternalServiceExport.self, namespace: FleetNamespaces.member("m2")).create(m2)
                let imports = hub.api(ServiceImport.self, namespace: Self.namespace)
                var serviceImport = try await imports.create(ServiceImport(metadata: ObjectMeta(name: "app", namespace: Self.namespace)))
                serviceImport.status = ServiceImportStatus(clusters: [ClusterStatus(cluster: "m1"), ClusterStatus(cluster: "m2")])
                _ = try await imports.replaceStatus(serviceImport)
                try await accepted(
                    "app-backend", "False", Reason.invalid, "1 endpoint(s) failed to be created/updated in the Azure Traffic Manager, for example, ")
                #expect(try await backends.get("app-backend").status?.endpoints?.compactMap { $0.from?.cluster } == ["m1"])
                #expect(Self.accepted(try await backends.get("app-backend"))?.message.contains("LinkedAuthorizationFailed") == true)
                server.identities.grant("hub-app", group: "other-rg", subscription: P.subscription)
                try await accepted("app-backend", "True", Reason.accepted, "2 service(s) exported from clusters have been accepted")

                // The profile GET times out (408): Pending, then back.
                server.faults.inject(.init(.status(408, code: "RequestTimeout"), name: azureName), on: .profileGet)
                try await accepted("app-backend", "Unknown", Reason.pending, "Failed to get the Azure Traffic Manager profile \"\(azureName)\"")
                server.faults.clear()
                try await accepted("app-backend", "True", Reason.accepted, "2 service(s)")

                // A profile GET without properties: no endpoint is seen, so both are written again.
                let endpointPuts: @Sendable () -> Int = { server.store.requests.filter { $0.method == "PUT" && $0.path.contains("AzureEndpoints") }.count }
                let putsBefore = endpointPuts()
                server.faults.inject(
                    .init(.answer(200, .object(["name": .string(azureName), "location": "global"])), times: 1, name: azureName), on: .profileGet)
                try await eventually("both endpoints are written again") { endpointPuts() >= putsBefore + 2 }
                try await accepted("app-backend", "True", Reason.accepted, "2 service(s)")

                // The Azure profile is gone (every GET 404): Invalid. The profile controller recreates
                // it (without endpoints: a PUT's endpoints are the whole set), and the backend
                // writes its endpoints again.
                server.faults.inject(.init(.status(404, code: "NotFound"), name: azureName), on: .profileGet)
                try await accepted("app-backend", "False", Reason.invalid, "Azure Traffic Manager profile \"\(azureName)\" under \"\(P.group)\" is not found")
                server.faults.clear()
                try await accepted("app-backend", "True", Reason.accepted, "2 service(s)")

                // The ServiceImport goes; removing the stale endpoints fails (500), then works.
                server.faults.inject(.init(.status(500, code: "InternalServerError")), on: .endpointDelete)
                try await imports.delete("app")
                try await accepted("app-backend", "Unknown", Reason.pending, "Failed to cleanup the existing")
                server.faults.clear()
                try await accepted("app-backend", "False", Reason.invalid, "ServiceImport \"app\" is not found")
                #expect(server.store.profile(azureName, group: P.group, subscription: P.subscription)?.endpoints.isEmpty == true)
            }
        }
    }
}
