import FleetAPI
import Foundation
import KubeClient
import KubeModel

// The reference's getting-started tutorial (reference-api §5) on a local fleet: the app in two
// members, exported from both, a MultiClusterService in member-2, and real HTTP requests through
// its load balancer answered by pods of both clusters. Each step waits for what the tutorial
// tells the user to look for, and reports what it saw and how long it took.

public struct Tutorial: Sendable {
    public typealias Step = DemoSteps.Step

    public let endpoints: LocalFleetSession.Endpoints
    public let namespace = "work"
    /// How long a step may wait for its observation.
    public var stepTimeout: Duration = .seconds(30)

    public init(endpoints: LocalFleetSession.Endpoints) {
        self.endpoints = endpoints
    }

    private var hub: KubeClient { endpoints.clients["hub"]! }
    private func member(_ name: String) -> KubeClient { endpoints.clients[name]! }

    /// Runs every step, reporting each as it ends; returns whether all held.
    public func run(report: @Sendable (Step) -> Void) async -> Bool {
        let exporters = ["member-1", "member-2"]
        let importer = "member-2"
        var loadBalancerIP = ""
        let steps: [(String, () async throws -> [String]?)] = [
            ("create namespace \(namespace) in the hub and both members", {
                for client in [hub] + exporters.map(member) { try await createNamespace(namespace, client) }
                return ["namespace \(namespace) exists in hub, \(exporters.joined(separator: ", "))"]
            }),
            ("deploy the app (2 replicas, Service app 80 → 8080) in \(exporters.joined(separator: " and "))", {
                for name in exporters { try await deployApp(in: name) }
                var lines: [String] = []
                for name in exporters {
                    let pods = try await member(name).api(Pod.self, namespace: namespace).list(labelSelector: "app=hello-world").items
                    let ready = pods.filter { $0.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }
                    guard ready.count == 2 else { return nil }
                    lines.append("\(name): pods " + ready.map { "\($0.metadata.name ?? "") \($0.status?.podIP ?? "")" }.joined(separator: ", "))
                }
                return lines
            }),
            ("export Service app from both members (ServiceExport)", {
                for name in exporters { try await export(in: name) }
                var lines = ["NAME   IS-VALID   IS-CONFLICTED   (kubectl get svcexport -n \(namespace))"]
                for name in exporters {
                    let export = try await member(name).api(ServiceExport.self, namespace: namespace).get("app")
                    let conditions = export.status?.conditions ?? []
                    let valid = conditions.condition(ofType: ServiceExportConditions.valid)?.status
                    let conflict = conditions.condition(ofType: ServiceExportConditions.conflict)?.status
                    guard valid == "True", conflict == "False" else { return nil }
                    lines.append("app    \(valid!)       \(conflict!)           (\(name))")
                }
                return lines
            }),
            ("the hub merges both exports into ServiceImport \(namespace)/app", {
                let status = try await hub.api(ServiceImport.self, namespace: namespace).get("app").status
                let clusters = status?.clusterNames.sorted() ?? []
                guard clusters == exporters else { return nil }
                let ports = (status?.ports ?? []).map { "\($0.port)/\($0.effectiveProtocol)" }
                return ["clusters: \(clusters.joined(separator: ", ")); type \(status?.type ?? ""); ports \(ports.joined(separator: ", "))"]
            }),
            ("create MultiClusterService app in \(importer)", {
                try await createMultiClusterService(in: importer)
                let mcs = try await member(importer).api(MultiClusterService.self, namespace: namespace).get("app")
                let valid = mcs.status?.conditions?.condition(ofType: MultiClusterServiceConditions.valid)?.status
                guard valid == "True", let ip = mcs.status?.loadBalancer?.ingress?.first?.ip else { return nil }
                loadBalancerIP = ip
                return [
                    "NAME   SERVICE-IMPORT   EXTERNAL-IP     IS-VALID   (kubectl get mcs -n \(namespace))",
                    "app    app              \(ip)   \(valid!)",
                ]
            }),
            ("the endpoints of both members are imported into \(importer)", {
                let slices = try await member(importer).api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem).list().items
                let addresses = slices.flatMap { $0.endpoints.flatMap(\.addresses) }
                let byCluster = Dictionary(grouping: addresses) { $0.hasPrefix("127.11.") ? "member-1" : "member-2" }
                guard byCluster["member-1"]?.count == 2, byCluster["member-2"]?.count == 2 else { return nil }
                return ["\(slices.count) EndpointSlices in \(importer)/\(FleetNamespaces.fleetSystem): " + addresses.sorted().joined(separator: ", ")]
            }),
            ("20 HTTP requests to http://<external-ip>/ reach pods of both clusters", {
                let answers = try await DemoSteps.curl(ip: loadBalancerIP, port: 80, times: 20)
                let byCluster = Dictionary(grouping: answers) { $0["cluster_id"] ?? "?" }
                guard Set(byCluster.keys) == Set(exporters) else { return nil }
                return byCluster.keys.sorted().map { cluster in
                    let pods = Set(byCluster[cluster]!.compactMap { $0["pod_name"] }).sorted()
                    return "\(cluster): \(byCluster[cluster]!.count) answers from \(pods.joined(separator: ", "))"
                }
            }),
        ]
        return await DemoSteps.run(steps, timeout: stepTimeout, report: report)
    }

    // MARK: The tutorial's manifests

    private func createNamespace(_ name: String, _ client: KubeClient) async throws {
        try await DemoSteps.createIfMissing(client.api(Namespace.self), Namespace(metadata: ObjectMeta(name: name)))
    }

    private func deployApp(in name: String) async throws {
        let client = member(name)
        var clusterID = ConfigMap(metadata: ObjectMeta(name: "member-cluster-id", namespace: namespace))
        clusterID.data = ["id": name]
        try await DemoSteps.createIfMissing(client.api(ConfigMap.self, namespace: namespace), clusterID)
        let labels = ["app": "hello-world"]
        var container = Container(name: "python", image: "fleetnet/echo")
        container.ports = [ContainerPort(containerPort: 8080)]
        container.env = [
            EnvVar(
                name: "MEMBER_CLUSTER_ID",
                valueFrom: ["configMapKeyRef": ["name": "member-cluster-id", "key": "id"]])
        ]
        try await DemoSteps.createIfMissing(
            client.api(Deployment.self, namespace: namespace),
            Deployment(
                metadata: ObjectMeta(name: "app", namespace: namespace),
                spec: DeploymentSpec(
                    replicas: 2, selector: LabelSelector(matchLabels: labels),
                    template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container])))))
        try await DemoSteps.createIfMissing(
            client.api(Service.self, namespace: namespace),
            Service(
                metadata: ObjectMeta(name: "app", namespace: namespace),
                spec: ServiceSpec(
                    ports: [ServicePort(protocol: "TCP", port: 80, targetPort: .int(8080))], selector: labels,
                    type: "LoadBalancer")))
    }

    private func export(in name: String) async throws {
        try await DemoSteps.createIfMissing(
            member(name).api(ServiceExport.self, namespace: namespace),
            ServiceExport(metadata: ObjectMeta(name: "app", namespace: namespace)))
    }

    private func createMultiClusterService(in name: String) async throws {
        try await DemoSteps.createIfMissing(
            member(name).api(MultiClusterService.self, namespace: namespace),
            MultiClusterService(
                metadata: ObjectMeta(name: "app", namespace: namespace),
                spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))))
    }
}
