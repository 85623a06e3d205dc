import AsyncHTTPClient
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import LocalFleet
import Logging
import Synchronization
import Testing

// The reference's e2e scenarios that need no Azure (reference-controllers §7.17), on a local fleet
// with real HTTP through member-2's multi-cluster load balancer: the tutorial's setup, then scale
// up and down, unexport and re-export, a port conflict and its resolution, MultiClusterService
// delete and re-create, and a member leaving and re-joining the fleet.

@Suite(.serialized) struct LocalFleetE2ETests {
    static let logger: Logger = {
        var logger = Logger(label: "e2e")
        logger.logLevel = .critical
        return logger
    }()

    /// Runs the tutorial on a fresh fleet, then `body` with the admin clients and the MCS's IP.
    /// `heartbeatPeriodSeconds` and `memberHubURL` as in `LocalFleetSession.Options`.
    static func withTutorialFleet(
        heartbeatPeriodSeconds: Int32 = 30,
        memberHubURL: (@Sendable (_ member: String, _ hubURL: String) async throws -> String)? = nil,
        _ body: @escaping @Sendable (Fleet) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-e2e-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(
            options: .init(memberCount: 2, directory: directory, heartbeatPeriodSeconds: heartbeatPeriodSeconds, memberHubURL: memberHubURL),
            logger: logger)
        try await session.run { endpoints in
            var tutorial = Tutorial(endpoints: endpoints)
            tutorial.stepTimeout = .seconds(60)
            let failures = Mutex<[String]>([])
            let held = await tutorial.run { step in
                if !step.held { failures.withLock { $0.append("\(step.title): \(step.observed)") } }
            }
            try #require(held, "tutorial failed: \(failures.withLock { $0 })")
            let ip = try await endpoints.clients["member-2"]!.api(MultiClusterService.self, namespace: "work").get("app")
                .status?.loadBalancer?.ingress?.first?.ip ?? ""
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let fleet = Fleet(clients: endpoints.clients, ip: ip, http: http)
            do {
                try await body(fleet)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
            return false
        }
    }

    struct Fleet: Sendable {
        let clients: [String: KubeClient]
        let ip: String
        let http: HTTPClient

        var hub: KubeClient { clients["hub"]! }
        func member(_ name: String) -> KubeClient { clients[name]! }

        /// `count` requests through the MCS load balancer: answering clusters and pods (nil where a
        /// request failed, e.g. no endpoint).
        func answers(_ count: Int = 20) async -> [(cluster: String, pod: String)?] {
            var result: [(cluster: String, pod: String)?] = []
            for _ in 0..<count {
                var request = HTTPClientRequest(url: "http://\(ip):80/")
                request.headers.add(name: "Connection", value: "close")
                guard let response = try? await http.execute(request, timeout: .seconds(5)), response.status == .ok,
                    let body = try? await response.body.collect(upTo: 1 << 16),
                    let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String]
                else {
                    result.append(nil)
                    continue
                }
                result.append((object["cluster_id"] ?? "", object["pod_name"] ?? ""))
            }
            return result
        }

        func answeringClusters(_ count: Int = 20) async -> Set<String> {
            Set(await answers(count).compactMap { $0?.cluster })
        }

        /// Endpoint addresses imported into member-2, by exporting cluster (from the pod range).
        func importedEndpoints() async throws -> [String: Int] {
            let slices = try await member("member-2").api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem).list().items
            var counts: [String: Int] = [:]
            for address in slices.flatMap({ $0.endpoints.flatMap(\.addresses) }) {
                counts[address.hasPrefix("127.11.") ? "member-1" : "member-2", default: 0] += 1
            }
            return counts
        }

        func setReplicas(_ replicas: Int32, in name: String) async throws {
            let api = member(name).api(Deployment.self, namespace: "work")
            _ = try await retryOnConflict {
                var deployment = try await api.get("app")
                deployment.spec?.replicas = replicas
                return try await api.replace(deployment)
            }
        }

        func setServicePort(_ port: Int32, in name: String) async throws {
            let api = member(name).api(Service.self, namespace: "work")
            _ = try await retryOnConflict {
                var service = try await api.get("app")
                service.spec?.ports?[0].port = port
                return try await api.replace(service)
            }
        }

        func exportCondition(_ type: String, in name: String) async throws -> Condition? {
            try await member(name).api(ServiceExport.self, namespace: "work").get("app").status?.conditions?.condition(ofType: type)
        }
    }

    @Test func endpointsFollowScalingAndTrafficReachesEveryPod() async throws {
        try await Self.withTutorialFleet { fleet in
            try await fleet.setReplicas(3, in: "member-1")
            try await eventually("member-2 imports 3 + 2 endpoints") { try await fleet.importedEndpoints() == ["member-1": 3, "member-2": 2] }
            try await eventually("traffic reaches the 3 pods of member-1") {
                Set(await fleet.answers(40).compactMap { $0?.cluster == "member-1" ? $0?.pod : nil }).count == 3
            }
            try await fleet.setReplicas(1, in: "member-1")
            try await eventually("member-2 imports 1 + 2 endpoints") { try await fleet.importedEndpoints() == ["member-1": 1, "member-2": 2] }
            let answers = await fleet.answers(20)
            #expect(answers.allSatisfy { $0 != nil }, "every request is answered while scaled down")
            #expect(Set(answers.compactMap { $0?.cluster }) == ["member-1", "member-2"])
        }
    }

    @Test func unexportLeavesOnlyTheOtherClusterAnsweringAndReexportRestoresIt() async throws {
        try await Self.withTutorialFleet { fleet in
            let started = ContinuousClock.now
            try await fleet.member("member-1").api(ServiceExport.self, namespace: "work").delete("app")
            var onlyMember2At: ContinuousClock.Instant?
            while ContinuousClock.now - started < .seconds(30) {
                if try await fleet.importedEndpoints()["member-1"] == nil {
                    onlyMember2At = ContinuousClock.now
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let elapsed = (onlyMember2At ?? ContinuousClock.now) - started
            // A correctness bound (watches, not a periodic rescan) that holds on a loaded 2-core
            // machine; the latency itself is measured by `fleetnet bench unexport` (docs/benchmarks.md).
            #expect(onlyMember2At != nil && elapsed < .seconds(10), "member-1's endpoints left member-2 after \(elapsed)")
            // The load balancer follows the imported slices through its own watch: a moment later.
            var answering: Set<String> = []
            let lbDeadline = ContinuousClock.now + .seconds(10)
            repeat {
                answering = await fleet.answeringClusters(20)
                if answering == ["member-2"] { break }
                try await Task.sleep(for: .milliseconds(50))
            } while ContinuousClock.now < lbDeadline
            #expect(answering == ["member-2"])
            // The MultiClusterService keeps its load balancer throughout.
            #expect(try await fleet.member("member-2").api(MultiClusterService.self, namespace: "work").get("app")
                .status?.loadBalancer?.ingress?.first?.ip == fleet.ip)

            _ = try await fleet.member("member-1").api(ServiceExport.self, namespace: "work").create(
                ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))
            try await eventually("both clusters answer again") { await fleet.answeringClusters(20) == ["member-1", "member-2"] }
        }
    }

    @Test func aConflictingPortIsReportedItsEndpointsWithdrawnAndFixingItRestoresThem() async throws {
        try await Self.withTutorialFleet { fleet in
            try await fleet.setServicePort(81, in: "member-1")
            try await eventually("member-1's export is in conflict") {
                let conflict = try await fleet.exportCondition(ServiceExportConditions.conflict, in: "member-1")
                return conflict?.status == "True" && conflict?.reason == ServiceExportConditions.Reason.conflictFound
            }
            #expect(try await fleet.exportCondition(ServiceExportConditions.conflict, in: "member-2")?.status == "False")
            try await eventually("member-1's endpoints are withdrawn") { try await fleet.importedEndpoints() == ["member-2": 2] }
            #expect(await fleet.answeringClusters(20) == ["member-2"])

            try await fleet.setServicePort(80, in: "member-1")
            try await eventually("the conflict is resolved") {
                try await fleet.exportCondition(ServiceExportConditions.conflict, in: "member-1")?.status == "False"
            }
            try await eventually("both clusters answer again") { await fleet.answeringClusters(20) == ["member-1", "member-2"] }
        }
    }

    @Test func deletingTheMultiClusterServiceRemovesItsLoadBalancerAndRecreatingItRestoresTraffic() async throws {
        try await Self.withTutorialFleet { fleet in
            let mcs = fleet.member("member-2").api(MultiClusterService.self, namespace: "work")
            try await mcs.delete("app")
            try await eventually("the derived Service and imported slices are gone") {
                let services = try await fleet.member("member-2").api(Service.self, namespace: FleetNamespaces.fleetSystem).list().items
                let imported = try await fleet.importedEndpoints()
                return services.isEmpty && imported.isEmpty
            }
            #expect(await fleet.answeringClusters(5).isEmpty)
            _ = try await mcs.create(
                MultiClusterService(
                    metadata: ObjectMeta(name: "app", namespace: "work"),
                    spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))))
            var ip = ""
            try await eventually("the new MultiClusterService is valid with an IP") {
                let object = try await mcs.get("app")
                ip = object.status?.loadBalancer?.ingress?.first?.ip ?? ""
                return object.status?.conditions?.condition(ofType: MultiClusterServiceConditions.valid)?.status == "True" && !ip.isEmpty
            }
            let renewed = Fleet(clients: fleet.clients, ip: ip, http: fleet.http)
            try await eventually("both clusters answer through it") { await renewed.answeringClusters(20) == ["member-1", "member-2"] }
        }
    }

    @Test func aMemberLeavingWithdrawsItsExportsAndRejoiningReportsJoined() async throws {
        try await Self.withTutorialFleet { fleet in
            let imcs = fleet.hub.api(InternalMemberCluster.self, namespace: FleetNamespaces.member("member-1"))
            func setState(_ state: String) async throws {
                _ = try await retryOnConflict {
                    var imc = try await imcs.get("member-1")
                    imc.spec.state = state
                    return try await imcs.replace(imc)
                }
            }
            func joined(_ agent: String) async throws -> String? {
                try await imcs.get("member-1").status?.agentStatus?.first { $0.type == agent }?.conditions?
                    .condition(ofType: AgentConditions.joined)?.status
            }
            try await setState(InternalMemberClusterSpec.leave)
            try await eventually("member-1's agents withdrew its export and report AgentLeft") {
                let exports = try await fleet.member("member-1").api(ServiceExport.self, namespace: "work").list().items
                let left1 = try await joined(AgentTypes.serviceExportImportAgent) == "False"
                let left2 = try await joined(AgentTypes.multiClusterServiceAgent) == "False"
                return exports.isEmpty && left1 && left2
            }
            try await eventually("only member-2 answers") { await fleet.answeringClusters(20) == ["member-2"] }
            try await setState(InternalMemberClusterSpec.join)
            try await eventually("member-1's agents report Joined again") {
                let joined1 = try await joined(AgentTypes.serviceExportImportAgent) == "True"
                let joined2 = try await joined(AgentTypes.multiClusterServiceAgent) == "True"
                return joined1 && joined2
            }
        }
    }
}

/// Polls `condition` until it holds, recording an issue after `timeout`.
func eventually(_ description: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("timed out waiting until \(description)")
}
