import AsyncHTTPClient
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

// hub/trafficmanagerprofile against the ARM-compatible server (its state, faults and role
// assignments) and a real hub API server: the reference's scenarios (reference-controllers §7.13)
// translated to state — created and Programmed; no PUT when Azure matches; a spec change; a
// profile deleted in Azure is recreated; 409 DNSNameNotAvailable; 429/500 Pending then
// recovered; 403 on the resource group Invalid with deletion not blocked; 400 Invalid then
// accepted; a PUT answer without id and DNS name; deletion.

@Suite struct TrafficManagerProfileControllerTests {
    static let subscription = ARMFixture.subscription
    static let group = "fleet-rg"

    /// A hub, an ARM server (resource groups fleet-rg and other-rg; the hub's identity has a
    /// role in fleet-rg only) and the controller with a 1 s resync.
    static func run(_ body: @Sendable (FleetTestbed, HubAgentContext, ARMServer) async throws -> Void) async throws {
        try await run(clusters: []) { fleet, context, server, _ in try await body(fleet, context, server) }
    }

    /// The same with `fleet-member-<c>` namespaces for `clusters`, and the ARM client.
    static func run(
        clusters: [String], _ body: @Sendable (FleetTestbed, HubAgentContext, ARMServer, ARMClient) async throws -> Void
    ) async throws {
        try await ARMFixture.run(
            groups: [group, "other-rg"], clientID: "hub-app", granted: [group], userAgent: "fleet-hub-net-controller-manager"
        ) { server, arm in
            try await runHub(clusters: clusters, arm: arm, server: server, body)
        }
    }

    private static func runHub(
        clusters: [String], arm: ARMClient, server: ARMServer,
        _ body: @Sendable (FleetTestbed, HubAgentContext, ARMServer, ARMClient) async throws -> Void
    ) async throws {
        try await Hub.run(clusters: clusters) { fleet, context in
            let controller = TrafficManagerProfileReconciler.make(
                context, arm: ARMConnection(arm), subscription: subscription, resync: .seconds(1), metrics: fleet.registry)
            try await fleet.whileRunning([{ await context.informers.run() }, { try await controller.run() }]) {
                try await body(fleet, context, server, arm)
            }
        }
    }

    static func programmed(_ profile: TrafficManagerProfile?) -> Condition? {
        profile?.status?.conditions?.first { $0.type == TrafficManagerProfileConditions.programmed }
    }

    static func puts(_ server: ARMServer, _ name: String) -> Int {
        server.store.requests.filter { $0.method == "PUT" && $0.path.lowercased().hasSuffix("/" + name.lowercased()) }.count
    }

    @Test func aProfileIsProgrammedKeptWithoutWritesRepairedAndDeleted() async throws {
        try await Self.run { fleet, _, server in
            let api = fleet.hub.client.api(TrafficManagerProfile.self, namespace: Hub.serviceNamespace)
            let created = try await api.create(
                TrafficManagerProfile(
                    metadata: ObjectMeta(name: "app", namespace: Hub.serviceNamespace),
                    spec: TrafficManagerProfileSpec(resourceGroup: Self.group)))
            let azureName = "fleet-\(created.metadata.uid ?? "")"
            try await eventually("the profile is Programmed") { Self.programmed(try await api.get("app"))?.status == "True" }
            let programmed = try await api.get("app")
            #expect(programmed.status?.dnsName == "work-app.trafficmanager.net")
            #expect(programmed.status?.resourceID?.hasSuffix("/trafficManagerProfiles/\(azureName)") == true)
            #expect(programmed.metadata.finalizers?.contains(FleetFinalizers.trafficManagerProfileCleanup) == true)
            let azure = try #require(server.store.profile(azureName, group: Self.group, subscription: Self.subscription))
            #expect(azure.relativeName == "work-app" && azure.tags["networking.fleet.azure.com.trafficManagerProfile"] == "work/app")
            #expect(azure.properties["monitorConfig"]?.objectValue?["timeoutInSeconds"]?.intValue == 10)
            #expect(Self.puts(server, azureName) == 1)
            let series = FleetMetrics.trafficManagerProfileStatus
            let labels = "namespace=\"work\",name=\"app\",generation=\"1\",condition=\"Programmed\",status=\"True\",reason=\"Programmed\""
            #expect(fleet.registry.emitToString().contains("\(series){\(labels)}"))

            // Azure matches: resyncs read it again and write nothing.
            let gets: @Sendable () -> Int = { server.store.requests.filter { $0.method == "GET" && $0.path.hasSuffix(azureName) }.count }
            let getsBefore = gets()
            try await eventually("a resync reads the profile again", timeout: .seconds(10)) { gets() >= getsBefore + 2 }
            #expect(Self.puts(server, azureName) == 1, "no PUT while Azure matches")

            // A spec change is written; Azure's other fields are kept.
            _ = try await update(api, "app") { $0.spec.monitorConfig = MonitorConfig(intervalInSeconds: 10, path: "/healthz") }
            try await eventually("the new monitor settings reach Azure") {
                server.store.profile(azureName, group: Self.group, subscription: Self.subscription)?
                    .properties["monitorConfig"]?.objectValue?["path"]?.stringValue == "/healthz"
            }
            let monitor = server.store.profile(azureName, group: Self.group, subscription: Self.subscription)?.properties["monitorConfig"]?.objectValue
            #expect(monitor?["timeoutInSeconds"]?.intValue == 9, "the timeout default follows a 10 s interval")
            // One series per profile: the new generation's replaces the old one.
            try await eventually("the status metric is at generation 2") {
                let text = fleet.registry.emitToString()
                return text.contains("generation=\"2\"") && !text.contains("generation=\"1\"")
            }

            // Deleted in Azure out of band: recreated at the next resync.
            #expect(server.store.removeProfile(azureName, group: Self.group, subscription: Self.subscription))
            try await eventually("the profile is recreated in Azure", timeout: .seconds(15)) {
                server.store.profile(azureName, group: Self.group, subscription: Self.subscription) != nil
            }

            // Deleting the TrafficManagerProfile deletes the Azure profile, then lets it go.
            try await api.delete("app")
            try await eventually("the TrafficManagerProfile is gone") { try await getIfPresent(api, "app") == nil }
            #expect(server.store.profile(azureName, group: Self.group, subscription: Self.subscription) == nil)
            let events = try await fleet.hub.client.api(Event.self, namespace: Hub.serviceNamespace).list().items
            #expect(events.contains { $0.reason == TrafficManagerEventReasons.programmed })
            #expect(events.contains { $0.reason == TrafficManagerEventReasons.deleted })
            try await eventually("the profile's status series is gone") { !fleet.registry.emitToString().contains(series) }

            // A profile the reference managed before carries its metrics-cleanup finalizer: released.
            _ = try await api.create(
                TrafficManagerProfile(
                    metadata: ObjectMeta(name: "legacy", namespace: Hub.serviceNamespace, finalizers: [FleetFinalizers.metricsCleanup]),
                    spec: TrafficManagerProfileSpec(resourceGroup: Self.group)))
            try await eventually("the legacy profile is Programmed") { Self.programmed(try await api.get("legacy"))?.status == "True" }
            try await api.delete("legacy")
            try await eventually("the legacy profile is gone") { try await getIfPresent(api, "legacy") == nil }
        }
    }

    @Test func azureErrorsSetProgrammedAsTheReferenceDoesAndNeverBlockDeletion() async throws {
        try await Self.run { fleet, _, server in
            let api = fleet.hub.client.api(TrafficManagerProfile.self, namespace: Hub.serviceNamespace)
            func make(_ name: String, group: String = Self.group) async throws -> TrafficManagerProfile {
                try await api.create(
                    TrafficManagerProfile(
                        metadata: ObjectMeta(name: name, namespace: Hub.serviceNamespace), spec: TrafficManagerProfileSpec(resourceGroup: group)))
            }

            // Throttled, then a 500, then Azure answers (first: the faults hit any profile): Pending, then Programmed.
            server.faults.inject(.init(.throttled(retryAfterSeconds: 1), times: 1), on: .profilePut)
            server.faults.inject(.init(.status(500, code: "InternalServerError"), times: 1), on: .profilePut)
            let busy = try await make("busy")
            try await eventually("recovered after 429 and 500") { Self.programmed(try await api.get("busy"))?.status == "True" }
            #expect(Self.puts(server, "fleet-\(busy.metadata.uid ?? "")") == 3)
            let events = try await fleet.hub.client.api(Event.self, namespace: Hub.serviceNamespace).list().items
            #expect(events.contains { $0.reason == TrafficManagerEventReasons.azureAPIError && $0.involvedObject.name == "busy" })

            // The DNS name is taken by a profile the fleet does not own: 409.
            _ = try server.store.seedProfile(
                "someone-else", relativeName: "work-taken", group: Self.group, subscription: Self.subscription)
            _ = try await make("taken")
            try await eventually("409 ⇒ DNSNameNotAvailable") {
                let condition = Self.programmed(try await api.get("taken"))
                return condition?.status == "False" && condition?.reason == TrafficManagerProfileConditions.Reason.dnsNameNotAvailable
            }
            #expect(try await api.get("taken").status?.dnsName == nil)

            // A resource group the hub has no role in: 403 on the GET ⇒ Invalid, no finalizer,
            // and deleting it is not held up.
            _ = try await make("forbidden", group: "other-rg")
            try await eventually("403 ⇒ Invalid") {
                let condition = Self.programmed(try await api.get("forbidden"))
                return condition?.status == "False" && condition?.reason == TrafficManagerProfileConditions.Reason.invalid
                    && condition?.message.contains("AuthorizationFailed") == true
            }
            #expect(try await api.get("forbidden").metadata.finalizers == nil)
            // Each retry meets the same error: the status is not rewritten (a message that changed
            // at every attempt would trigger the next one at once), and the events are counted
            // rather than repeated.
            let invalidVersion = try await api.get("forbidden").metadata.resourceVersion
            try await consistently("the Invalid status is stable", for: .seconds(2)) {
                try await api.get("forbidden").metadata.resourceVersion == invalidVersion
            }
            let forbiddenEvents = try await fleet.hub.client.api(Event.self, namespace: Hub.serviceNamespace).list().items.filter {
                $0.involvedObject.name == "forbidden"
            }
            #expect(forbiddenEvents.count <= 2, "\(forbiddenEvents.map(\.message))")
            try await api.delete("forbidden")
            try await eventually("deleted at once") { try await getIfPresent(api, "forbidden") == nil }

            // Azure refuses the spec (400): Invalid; once it accepts it, Programmed.
            server.faults.inject(.init(.status(400, code: "BadRequest")), on: .profilePut)
            _ = try await make("refused")
            try await eventually("400 ⇒ Invalid") {
                let condition = Self.programmed(try await api.get("refused"))
                return condition?.status == "False" && condition?.reason == TrafficManagerProfileConditions.Reason.invalid
                    && condition?.message.hasPrefix("Invalid profile: ") == true
            }
            server.faults.clear()
            try await eventually("then Programmed") { Self.programmed(try await api.get("refused"))?.status == "True" }

            // A PUT answer without `id` and DNS settings: Programmed, with neither in the status.
            server.faults.inject(.init(.answer(200, .object(["name": "odd", "location": "global"]))), on: .profilePut)
            _ = try await make("odd")
            try await eventually("Programmed without a DNS name") {
                let odd = try await api.get("odd")
                return Self.programmed(odd)?.status == "True" && odd.status?.dnsName == nil && odd.status?.resourceID == nil
            }
            server.faults.clear()
            try await eventually("the next resync writes the profile and its DNS name", timeout: .seconds(10)) {
                try await api.get("odd").status?.dnsName == "work-odd.trafficmanager.net"
            }

            for name in ["taken", "busy", "refused", "odd"] { try await api.delete(name) }
            try await eventually("all deleted") {
                var left = 0
                for name in ["taken", "busy", "refused", "odd"] where try await getIfPresent(api, name) != nil { left += 1 }
                return left == 0
            }
            #expect(server.store.profiles.map(\.name) == ["someone-else"])
        }
    }
}
