import ClusterDNS
import FleetAPI
import Foundation
import KubeClient
import KubeModel

// The east-west walk (`fleetnet demo east-west`) on a local fleet of three members: the echo app
// in member-1 and member-2, exported with the Multi-Cluster Services API; member-3 (which runs no
// copy) gets the ServiceImport by itself, resolves `web.shop.svc.clusterset.local` through its own
// DNS to its ClusterSetIP, and HTTP requests to that IP are answered by pods of both clusters;
// then member-1 stops exporting and only member-2 answers.

public struct EastWestDemo: Sendable {
    public let endpoints: LocalFleetSession.Endpoints
    public let namespace = "shop"
    public let service = "web"
    public var stepTimeout: Duration = .seconds(30)

    public init(endpoints: LocalFleetSession.Endpoints) {
        self.endpoints = endpoints
    }

    private func member(_ name: String) -> KubeClient { endpoints.clients[name]! }
    private var name: String { "\(service).\(namespace).svc.clusterset.local" }

    /// Runs every step, reporting each as it ends; returns whether all held.
    public func run(report: @Sendable (DemoSteps.Step) -> Void) async -> Bool {
        let exporters = ["member-1", "member-2"]
        guard let consumer = endpoints.members.first(where: { !exporters.contains($0.name) }) else {
            report(DemoSteps.Step(title: "a third member", observed: ["the east-west demo needs 3 members"], duration: .zero, held: false))
            return false
        }
        let dns = consumer.dns.split(separator: ":").map(String.init)
        let everyone = exporters + [consumer.name]
        var clusterSetIP = ""
        let steps: [(String, DemoSteps.Body)] = [
            ("create namespace \(namespace) in \(everyone.joined(separator: ", ")) (not on the hub)", {
                for name in everyone {
                    try await DemoSteps.createIfMissing(member(name).api(Namespace.self), Namespace(metadata: ObjectMeta(name: namespace)))
                }
                return ["namespace \(namespace) exists in \(everyone.joined(separator: ", "))"]
            }),
            ("deploy \(service) (echo app, 2 replicas, ClusterIP Service 80 → 8080) in \(exporters.joined(separator: " and "))", {
                for name in exporters { try await deploy(in: name) }
                var lines: [String] = []
                for name in exporters {
                    let pods = try await member(name).api(Pod.self, namespace: namespace).list(labelSelector: "app=\(service)").items
                    let ready = pods.filter { $0.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }
                    guard ready.count == 2 else { return nil }
                    lines.append("\(name): pods " + ready.compactMap { $0.status?.podIP }.sorted().joined(separator: ", "))
                }
                return lines
            }),
            ("export it with a multicluster.x-k8s.io ServiceExport from both", {
                for name in exporters {
                    try await DemoSteps.createIfMissing(
                        member(name).api(MCSServiceExport.self, namespace: namespace),
                        MCSServiceExport(metadata: ObjectMeta(name: service, namespace: namespace)))
                }
                var lines: [String] = []
                for name in exporters {
                    let export = try await member(name).api(MCSServiceExport.self, namespace: namespace).get(service)
                    let conditions = export.status?.conditions ?? []
                    let summary = ["Valid", "Ready", "Conflict"].compactMap { type in
                        conditions.first { $0.type == type }.map { "\(type)=\($0.status) \($0.reason)" }
                    }
                    guard conditions.first(where: { $0.type == "Ready" })?.status == "True" else { return nil }
                    lines.append("\(name): " + summary.joined(separator: ", "))
                }
                return lines
            }),
            ("\(consumer.name) imports it by itself: ServiceImport with a ClusterSetIP", {
                let serviceImport = try await member(consumer.name).api(MCSServiceImport.self, namespace: namespace).get(service)
                guard let ip = serviceImport.spec.ips?.first, serviceImport.status?.clusters?.count == 2 else { return nil }
                clusterSetIP = ip
                let clusters = serviceImport.status?.clusters?.map(\.cluster).joined(separator: ", ") ?? ""
                return [
                    "NAME   TYPE           IP    (kubectl --context \(consumer.name) -n \(namespace) get serviceimports)",
                    "\(service)    \(serviceImport.spec.type)   [\"\(ip)\"]   from \(clusters)",
                ]
            }),
            ("resolve \(name) through \(consumer.name)'s DNS (\(consumer.dns))", {
                let answer = try await DNSClient.query(name, type: .a, server: dns.first ?? "", port: Int(dns.last ?? "") ?? 53)
                let addresses = answer.answers.compactMap { record -> String? in
                    if case .a(let address) = record.data { return address }
                    return nil
                }
                guard addresses == [clusterSetIP] else { return nil }
                return ["\(name).  5  IN  A  \(clusterSetIP)"]
            }),
            ("20 HTTP requests to http://\(name)/ reach pods of both clusters", {
                let byCluster = try await answers(at: clusterSetIP)
                guard Set(byCluster.keys) == Set(exporters) else { return nil }
                return byCluster.keys.sorted().map { "\($0): \(byCluster[$0]!) answers" }
            }),
            ("member-1 stops exporting: only member-2 answers", {
                do {
                    try await member("member-1").api(MCSServiceExport.self, namespace: namespace).delete(service)
                } catch let error as KubeClientError where error.isNotFound {}
                let byCluster = try await answers(at: clusterSetIP)
                guard Set(byCluster.keys) == ["member-2"] else { return nil }
                return ["member-2: \(byCluster["member-2"]!) answers; the ClusterSetIP \(clusterSetIP) is unchanged"]
            }),
        ]
        return await DemoSteps.run(steps, timeout: stepTimeout, report: report)
    }

    /// Answers of 20 requests through the ClusterSetIP, counted by the cluster of the answering pod.
    private func answers(at ip: String) async throws -> [String: Int] {
        let answers = try await DemoSteps.curl(ip: ip, port: 80, times: 20)
        return answers.reduce(into: [:]) { counts, answer in counts[answer["cluster_id"] ?? "?", default: 0] += 1 }
    }

    private func deploy(in name: String) async throws {
        let labels = ["app": service]
        var container = Container(name: "web", image: "fleetnet/echo")
        container.ports = [ContainerPort(containerPort: 8080)]
        container.env = [EnvVar(name: "MEMBER_CLUSTER_ID", value: name)]
        try await DemoSteps.createIfMissing(
            member(name).api(Deployment.self, namespace: namespace),
            Deployment(
                metadata: ObjectMeta(name: service, namespace: namespace),
                spec: DeploymentSpec(
                    replicas: 2, selector: LabelSelector(matchLabels: labels),
                    template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container])))))
        try await DemoSteps.createIfMissing(
            member(name).api(Service.self, namespace: namespace),
            Service(
                metadata: ObjectMeta(name: service, namespace: namespace),
                spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))], selector: labels)))
    }
}
