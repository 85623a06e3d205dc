import ARMServer
import ClusterDNS
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import LocalFleet
import Logging
import Synchronization
import Testing

// Traffic Manager end to end on a local fleet with the local Azure (`fleetnet up --traffic-manager`,
// probes every 300 ms): the getting-started tutorial and the demo's Traffic Manager walk (profile
// Programmed with its DNS name, one endpoint per exporting cluster weighted 25/75, DNS answers 1:3
// over 2,000 queries, HTTP to the answers, a member failing its health probe dropped from DNS and
// back), then: a quiet fleet sends no ARM writes; an export-weight change; export weight 0; a
// member's LoadBalancer losing its IP and getting one again; an export that goes away; a profile
// in a resource group that does not exist (Invalid, deletion not blocked); deleting the backend
// and the profile.

@Suite(.serialized) struct TrafficManagerE2ETests {
    static let logger: Logger = {
        var logger = Logger(label: "e2e-tm")
        logger.logLevel = .critical
        return logger
    }()

    struct Fleet: Sendable {
        let endpoints: LocalFleetSession.Endpoints
        let walk: TrafficManagerWalk
        let store: ARMStore

        var hub: KubeClient { endpoints.clients["hub"]! }
        func member(_ name: String) -> KubeClient { endpoints.clients[name]! }
        var backends: ResourceAPI<TrafficManagerBackend> { hub.api(TrafficManagerBackend.self, namespace: "work") }
        var profiles: ResourceAPI<TrafficManagerProfile> { hub.api(TrafficManagerProfile.self, namespace: "work") }
        var dns: TrafficManagerWalk.DNSServerAddress { .init(endpoints.trafficManager?.dns ?? "") }

        /// The weights of the backend's endpoints in Azure, by member.
        func azureWeights() -> [String: Int] {
            let profile = store.profiles.first { $0.relativeName == "work-app" }
            return Dictionary(uniqueKeysWithValues: (profile?.endpoints ?? []).map { (String($0.name.split(separator: "#").last ?? ""), $0.weight) })
        }

        func answers(_ count: Int) async throws -> [String: Int] { try await walk.answers(dns, count) }

        func query(_ name: String) async throws -> DNSMessage {
            try await DNSClient.query(name, type: .a, server: dns.host, port: dns.port, timeout: .seconds(5))
        }

        func accepted() async throws -> Condition? {
            try await backends.get("app").status?.conditions?.condition(ofType: TrafficManagerBackendConditions.accepted)
        }

        func update<K: Resource>(_ kind: K.Type, in cluster: String, _ change: @Sendable (inout K) -> Void) async throws {
            let api = member(cluster).api(K.self, namespace: "work")
            _ = try await retryOnConflict {
                var object = try await api.get("app")
                change(&object)
                return try await api.replace(object)
            }
        }

        func setExportWeight(_ weight: Int64, in cluster: String) async throws {
            try await update(ServiceExport.self, in: cluster) { $0.metadata.annotations?[FleetAnnotations.weight] = "\(weight)" }
        }
    }

    @Test func trafficManagerOnALocalFleet() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-e2e-tm-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(
            options: .init(memberCount: 2, directory: directory, trafficManager: true, trafficManagerProbeInterval: .milliseconds(300)),
            logger: Self.logger)
        try await session.run { endpoints in
            let failures = Mutex<[String]>([])
            let record: @Sendable (DemoSteps.Step) -> Void = { step in
                if !step.held { failures.withLock { $0.append("\(step.title): \(step.observed)") } }
            }
            var tutorial = Tutorial(endpoints: endpoints)
            tutorial.stepTimeout = .seconds(60)
            try #require(await tutorial.run(report: record), "tutorial failed: \(failures.withLock { $0 })")
            var walk = TrafficManagerWalk(endpoints: endpoints)
            walk.stepTimeout = .seconds(60)
            try #require(await walk.run(report: record), "Traffic Manager walk failed: \(failures.withLock { $0 })")
            let fleet = Fleet(endpoints: endpoints, walk: walk, store: try #require(endpoints.azure).store)

            // fleet.json tells scripts where the local Azure is.
            let file = try FleetFile.read(from: try #require(endpoints.fleetFile))
            #expect(file.trafficManager == endpoints.trafficManager)
            #expect(file.trafficManager?.resourceGroup == LocalAzure.profileGroup)
            #expect(file.trafficManager?.armEndpoint.hasPrefix("http://127.0.0.1:") == true)

            #expect(try await fleet.profiles.get("app").status?.dnsName == "work-app.trafficmanager.net")
            try await eventually("member-1 is answered again after the walk's failover") { fleet.azureWeights() == ["member-1": 25, "member-2": 75] }

            // Quiet: no ARM writes while nothing changes (the controllers compare before writing).
            let writes: @Sendable () -> Int = { fleet.store.requests.filter(\.isWrite).count }
            let before = writes()
            try await consistently("no ARM writes on a quiet fleet", for: .seconds(3)) { writes() == before }

            // An export-weight change: 3 and 3 → 50 and 50, and DNS follows.
            try await fleet.setExportWeight(3, in: "member-1")
            try await eventually("weights 50/50 in Azure") { fleet.azureWeights() == ["member-1": 50, "member-2": 50] }
            // 500 draws of one in two: five standard deviations are 0.11.
            let even = try await fleet.answers(500)
            #expect(abs(Double(even["member-1", default: 0]) / 500 - 0.5) < 0.11, "answers \(even)")

            // Export weight 0 in member-2: unexported, its endpoint goes.
            try await fleet.setExportWeight(0, in: "member-2")
            try await eventually("only member-1 remains, with the whole weight") { fleet.azureWeights() == ["member-1": 100] }
            #expect(try await fleet.answers(50) == ["member-1": 50])
            try await fleet.setExportWeight(3, in: "member-2")
            try await eventually("member-2 is back") { fleet.azureWeights() == ["member-1": 50, "member-2": 50] }

            // member-2's LoadBalancer loses its IP (the Service becomes ClusterIP): its public IP is
            // deleted and its endpoint withdrawn; as a LoadBalancer again it comes back.
            try await fleet.update(Service.self, in: "member-2") { service in
                service.spec?.type = "ClusterIP"
                let ports = (service.spec?.ports ?? []).map { port in
                    var port = port
                    port.nodePort = nil
                    return port
                }
                service.spec?.ports = ports
            }
            try await eventually("member-2's endpoint is withdrawn as invalid") {
                let condition = try await fleet.accepted()
                return fleet.azureWeights() == ["member-1": 100] && condition?.status == "False"
                    && condition?.message.contains("service exported from member-2 is invalid: unsupported service type") == true
            }
            #expect(fleet.store.publicIP(fqdn: "fleetnet-app.member-2.cloudapp.azure.com") == nil)
            #expect(try await fleet.answers(50) == ["member-1": 50])
            try await fleet.update(Service.self, in: "member-2") { $0.spec?.type = "LoadBalancer" }
            try await eventually("member-2's endpoint is back with its new public IP") {
                try await fleet.accepted()?.status == "True" && fleet.azureWeights() == ["member-1": 50, "member-2": 50]
            }
            try await eventually("DNS answers member-2 again") { try await fleet.answers(100)["member-2", default: 0] > 0 }

            // An export that goes away.
            _ = try await fleet.member("member-1").api(ServiceExport.self, namespace: "work").delete("app")
            try await eventually("member-1's endpoint goes with its export") { fleet.azureWeights() == ["member-2": 100] }
            #expect(try await fleet.answers(50) == ["member-2": 50])

            // A profile in a resource group that does not exist: Invalid, and deleting it is not blocked.
            _ = try await fleet.profiles.create(
                TrafficManagerProfile(metadata: ObjectMeta(name: "elsewhere", namespace: "work"), spec: TrafficManagerProfileSpec(resourceGroup: "no-such-group")))
            try await eventually("the profile is Invalid") {
                let condition = try await fleet.profiles.get("elsewhere").status?.conditions?.condition(ofType: TrafficManagerProfileConditions.programmed)
                return condition?.status == "False" && condition?.reason == "Invalid"
            }
            _ = try await fleet.profiles.delete("elsewhere")
            try await eventually("the invalid profile is gone") {
                (try? await fleet.profiles.get("elsewhere")) == nil
            }

            // Deleting the backend removes its endpoints (NODATA), deleting the profile removes it
            // from Azure (NXDOMAIN).
            _ = try await fleet.backends.delete("app")
            try await eventually("the backend and its endpoints are gone") {
                (try? await fleet.backends.get("app")) == nil && fleet.azureWeights().isEmpty
            }
            let noData = try await fleet.query(walk.dnsName)
            #expect(noData.responseCode == .noError && noData.answers.isEmpty)
            _ = try await fleet.profiles.delete("app")
            try await eventually("the profile is gone from Azure") { fleet.store.profiles.isEmpty }
            #expect(try await fleet.query(walk.dnsName).responseCode == .nameError)
            return false
        }
    }
}
