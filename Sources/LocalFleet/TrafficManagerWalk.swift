import ClusterDNS
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel

// The Traffic Manager part of the demo (after the getting-started tutorial, on a fleet with the
// local Azure): the exported Service `work/app` gets a DNS label on its public IP in both members
// and export weights 1 and 3; a TrafficManagerProfile and a TrafficManagerBackend on the hub put
// both members' public IPs behind `work-app.trafficmanager.net`; DNS answers follow the weights;
// HTTP to an answer reaches that member; and when member-1's app stops answering its health
// probe, DNS answers only member-2 until it answers again.

public struct TrafficManagerWalk: Sendable {
    public typealias Step = DemoSteps.Step

    public let endpoints: LocalFleetSession.Endpoints
    public let namespace = "work"
    public static let dnsLabel = "fleetnet-app"
    /// The export weights of member-1 and member-2.
    public static let weights: [String: Int64] = ["member-1": 1, "member-2": 3]
    /// The backend's weight, split over the members by their export weights.
    public static let backendWeight: Int64 = 100
    /// DNS queries per proportion check.
    public var queries = 2000
    public var stepTimeout: Duration = .seconds(30)

    public init(endpoints: LocalFleetSession.Endpoints) {
        self.endpoints = endpoints
    }

    private var hub: KubeClient { endpoints.clients["hub"]! }
    private func member(_ name: String) -> KubeClient { endpoints.clients[name]! }
    public var dnsName: String { "\(namespace)-app.trafficmanager.net" }

    /// Runs every step, reporting each as it ends; returns whether all held. Needs the app
    /// deployed and exported in member-1 and member-2 (the tutorial) and the local Azure.
    public func run(report: @Sendable (Step) -> Void) async -> Bool {
        guard let trafficManager = endpoints.trafficManager else {
            report(Step(title: "Traffic Manager", observed: ["the fleet runs without the local Azure"], duration: .zero, held: false))
            return false
        }
        let exporters = ["member-1", "member-2"]
        let server = DNSServerAddress(trafficManager.dns)
        let resolve = { try await self.resolve(server) }
        let answers = { try await self.answers(server, $0) }
        let steps: [(String, () async throws -> [String]?)] = [
            ("label the public IP of Service app (service.beta.kubernetes.io/azure-dns-label-name=\(Self.dnsLabel)) and weigh the exports 1 and 3", {
                var lines: [String] = []
                for name in exporters {
                    try await annotate(Service.self, in: name, FleetAnnotations.azureDNSLabelName, Self.dnsLabel)
                    try await annotate(ServiceExport.self, in: name, FleetAnnotations.weight, "\(Self.weights[name]!)")
                    let exported = try await hub.api(InternalServiceExport.self, namespace: FleetNamespaces.member(name))
                        .get(DerivedNames.hubObjectName(namespace: namespace, name: "app")).spec
                    guard exported?.isDNSLabelConfigured == true, let pip = exported?.publicIPResourceID,
                        exported?.weight == Self.weights[name]
                    else { return nil }
                    lines.append("\(name): public IP \(pip.split(separator: "/").last ?? "") in \(pip.split(separator: "/")[3]), weight \(Self.weights[name]!)")
                }
                return lines
            }),
            ("create TrafficManagerProfile app (resource group \(trafficManager.resourceGroup)) on the hub", {
                try await DemoSteps.createIfMissing(
                    hub.api(TrafficManagerProfile.self, namespace: namespace),
                    TrafficManagerProfile(
                        metadata: ObjectMeta(name: "app", namespace: namespace),
                        spec: TrafficManagerProfileSpec(
                            resourceGroup: trafficManager.resourceGroup,
                            monitorConfig: MonitorConfig(
                                intervalInSeconds: 10, path: "/", port: 80, protocol: "HTTP", timeoutInSeconds: 5,
                                toleratedNumberOfFailures: 0))))
                let profile = try await hub.api(TrafficManagerProfile.self, namespace: namespace).get("app")
                guard profile.status?.conditions?.condition(ofType: TrafficManagerProfileConditions.programmed)?.status == "True",
                    let dnsName = profile.status?.dnsName
                else { return nil }
                return ["NAME   DNS-NAME                      IS-PROGRAMMED   (kubectl get tmp -n \(namespace))", "app    \(dnsName)   True"]
            }),
            ("create TrafficManagerBackend app (weight \(Self.backendWeight)) for ServiceImport app", {
                try await DemoSteps.createIfMissing(
                    hub.api(TrafficManagerBackend.self, namespace: namespace),
                    TrafficManagerBackend(
                        metadata: ObjectMeta(name: "app", namespace: namespace),
                        spec: TrafficManagerBackendSpec(
                            profile: LocalObjectName(name: "app"), backend: LocalObjectName(name: "app"), weight: Self.backendWeight)))
                let status = try await hub.api(TrafficManagerBackend.self, namespace: namespace).get("app").status
                let endpoints = status?.endpoints ?? []
                guard status?.conditions?.condition(ofType: TrafficManagerBackendConditions.accepted)?.status == "True",
                    Set(endpoints.compactMap { $0.from?.cluster }) == Set(exporters)
                else { return nil }
                return endpoints.map { "\($0.from?.cluster ?? ""): endpoint \($0.target ?? "") weight \($0.weight ?? 0)" }
            }),
            ("\(queries) DNS queries for \(dnsName) are answered 1:3", {
                let counts = try await answers(queries)
                let share = Double(counts["member-1", default: 0]) / Double(queries)
                // Within five standard deviations of a 1-in-4 draw.
                let tolerance = 5 * (0.25 * 0.75 / Double(queries)).squareRoot()
                guard counts.keys.allSatisfy(exporters.contains), abs(share - 0.25) < tolerance else { return nil }
                return exporters.map { "\($0): \(counts[$0, default: 0]) answers" } + ["member-1's share \(String(format: "%.3f", share)) (expected 0.25)"]
            }),
            ("HTTP to the address DNS answers reaches that member's pods", {
                var lines: [String] = []
                var seen: Set<String> = []
                for _ in 0..<20 where seen.count < 2 {
                    let (cluster, address) = try await resolve()
                    guard !seen.contains(cluster) else { continue }
                    let answer = try await DemoSteps.curl(ip: address, port: 80, times: 1).first
                    guard answer?["cluster_id"] == cluster else { return nil }
                    seen.insert(cluster)
                    lines.append("\(dnsName) → \(address): answered by \(answer?["pod_name"] ?? "") in \(cluster)")
                }
                return seen.count == 2 ? lines : nil
            }),
            ("scale the app in member-1 to 0: its health probe fails and DNS answers only member-2", {
                try await setReplicas(0, in: "member-1")
                let counts = try await answers(50)
                guard counts == ["member-2": 50] else { return nil }
                return ["50 of 50 answers: member-2"]
            }),
            ("scale it back to 2: member-1 is answered again", {
                try await setReplicas(2, in: "member-1")
                let counts = try await answers(200)
                guard counts["member-1", default: 0] > 0 else { return nil }
                return exporters.map { "\($0): \(counts[$0, default: 0]) of 200 answers" }
            }),
        ]
        return await DemoSteps.run(steps, timeout: stepTimeout, report: report)
    }

    /// The Traffic Manager DNS server, from `IP:port`.
    public struct DNSServerAddress: Sendable {
        public var host: String
        public var port: Int
        public init(_ text: String) {
            let parts = text.split(separator: ":")
            host = parts.first.map(String.init) ?? "127.0.0.1"
            port = parts.count > 1 ? Int(parts[1]) ?? 53 : 53
        }
    }

    /// One DNS answer: the member whose public IP it is (from the CNAME target), and the address.
    public func resolve(_ server: DNSServerAddress) async throws -> (member: String, address: String) {
        let response = try await DNSClient.query(dnsName, type: .a, server: server.host, port: server.port, timeout: .seconds(5))
        guard case .cname(let target)? = response.answers.first(where: { $0.type == .cname })?.data,
            case .a(let address)? = response.answers.first(where: { $0.type == .a })?.data
        else { throw WalkError("no CNAME and A record for \(dnsName): \(response.responseCode)") }
        // `<label>.<member>.cloudapp.azure.com`
        let labels = target.split(separator: ".")
        return (labels.count > 1 ? String(labels[1]) : target, address)
    }

    /// How many of `count` answers name each member.
    public func answers(_ server: DNSServerAddress, _ count: Int) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<count { counts[try await resolve(server).member, default: 0] += 1 }
        return counts
    }

    struct WalkError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    private func annotate<K: Resource>(_ kind: K.Type, in name: String, _ key: String, _ value: String) async throws {
        let api = member(name).api(K.self, namespace: namespace)
        var object = try await api.get("app")
        guard object.metadata.annotations?[key] != value else { return }
        object.metadata.annotations = (object.metadata.annotations ?? [:]).merging([key: value]) { $1 }
        _ = try await api.replace(object)
    }

    private func setReplicas(_ replicas: Int32, in name: String) async throws {
        let api = member(name).api(Deployment.self, namespace: namespace)
        var deployment = try await api.get("app")
        guard deployment.spec?.replicas != replicas else { return }
        deployment.spec?.replicas = replicas
        _ = try await api.replace(deployment)
    }
}
