import FleetAPI
import Foundation
import KubeClient
import KubeModel
import ClusterDNS
import Testing

// The upstream suite's per-spec fixture (../shared/spec/mcs-api.md §10): a namespace
// `mcs-conformance-<uint32>` in every cluster; in cluster 0 a Deployment `hello` (two
// `alpine/socat:1.7.4.4` containers on TCP and UDP 42) and a Service `hello` (`app=hello`, ports
// `tcp 42/TCP` and `udp 42/UDP`, `sessionAffinity: ClientIP` with a 10 s timeout,
// `PreferDualStack`, label and annotation `dummy-svc: dummy`); a ServiceExport `hello` in cluster
// 0 (label and annotation `dummy-svcexport: dummy`) unless the spec exports by hand.

struct ConformanceFixture: Sendable {
    let fleet: ConformanceFleet
    let namespace: String
    static let name = "hello"

    /// A fresh namespace in every cluster, `hello` deployed in cluster 0 and exported there unless
    /// `exported` is false (`service` adjusts the Service first).
    static func make(
        exported: Bool = true, replicas: Int32 = 1, service: @Sendable (inout Service) -> Void = { _ in }
    ) async throws -> ConformanceFixture {
        let fleet = try ConformanceFleet.shared
        let fixture = ConformanceFixture(fleet: fleet, namespace: "mcs-conformance-\(UInt32.random(in: 0...UInt32.max))")
        for cluster in fleet.clusters {
            _ = try await cluster.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: fixture.namespace)))
        }
        try await fixture.deploy(in: 0, replicas: replicas, service: service)
        if exported { try await fixture.export(in: 0) }
        for index in fleet.clusters.indices { try await fixture.createRequestPod(in: index) }
        return fixture
    }

    /// Deletes the namespace everywhere (what is left of the spec goes with it).
    func tearDown() async {
        for cluster in fleet.clusters { try? await cluster.api(Namespace.self).delete(namespace) }
    }

    // MARK: Objects

    /// The backends' Pod template: socat on TCP and UDP 42 answering `pod ip <its IP>`.
    static func helloTemplate(labels: [String: String]) -> PodTemplateSpec {
        let containers = [("tcp", "TCP"), ("udp", "UDP")].map { name, proto in
            var container = Container(name: "hello-\(name)", image: "alpine/socat:1.7.4.4")
            container.ports = [ContainerPort(containerPort: 42, protocol: proto)]
            return container
        }
        return PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: containers))
    }

    func deploy(in index: Int, replicas: Int32 = 1, service adjust: (inout Service) -> Void = { _ in }) async throws {
        let client = fleet.clusters[index]
        let labels = ["app": Self.name]
        _ = try await client.api(Deployment.self, namespace: namespace).create(
            Deployment(
                metadata: ObjectMeta(name: Self.name, namespace: namespace),
                spec: DeploymentSpec(
                    replicas: replicas, selector: LabelSelector(matchLabels: labels), template: Self.helloTemplate(labels: labels))))
        var service = Service(
            metadata: ObjectMeta(
                name: Self.name, namespace: namespace, labels: ["dummy-svc": "dummy"], annotations: ["dummy-svc": "dummy"]),
            spec: ServiceSpec(
                ports: [ServicePort(name: "tcp", protocol: "TCP", port: 42), ServicePort(name: "udp", protocol: "UDP", port: 42)],
                selector: labels, sessionAffinity: "ClientIP", ipFamilyPolicy: "PreferDualStack",
                sessionAffinityConfig: SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10))))
        adjust(&service)
        _ = try await client.api(Service.self, namespace: namespace).create(service)
    }

    func export(in index: Int, spec: MCSServiceExportSpec? = nil) async throws {
        _ = try await fleet.clusters[index].api(MCSServiceExport.self, namespace: namespace).create(
            MCSServiceExport(
                metadata: ObjectMeta(
                    name: Self.name, namespace: namespace, labels: ["dummy-svcexport": "dummy"],
                    annotations: ["dummy-svcexport": "dummy"]),
                spec: spec))
    }

    func unexport(in index: Int) async throws {
        try await fleet.clusters[index].api(MCSServiceExport.self, namespace: namespace).delete(Self.name)
    }

    /// The two-cluster setup: cluster 0's export has its import, and 1.1 s later cluster 1 deploys
    /// (adjusted by `service`) and exports, so that cluster 0's export is strictly older.
    func exportFromSecondCluster(spec: MCSServiceExportSpec? = nil, service: (inout Service) -> Void = { _ in }) async throws {
        try await eventually("cluster 0 has the ServiceImport") { try await serviceImport(in: 0) != nil }
        try await Task.sleep(for: .milliseconds(1100))
        try await deploy(in: 1, service: service)
        try await export(in: 1, spec: spec)
    }

    /// The suite's `request` Pod (`nicolaka/netshoot:v0.15`): here only its IP matters, the source
    /// of the probes from this cluster's pod network.
    func createRequestPod(in index: Int) async throws {
        _ = try await fleet.clusters[index].api(Pod.self, namespace: namespace).create(
            Pod(
                metadata: ObjectMeta(name: "request", namespace: namespace, labels: ["app": "request"]),
                spec: PodSpec(containers: [Container(name: "request", image: "nicolaka/netshoot:v0.15")])))
    }

    /// The request Pod's IP in cluster `index`, once it is Running (60 s, as the suite waits).
    func requestPodIP(in index: Int) async throws -> String {
        let pods = fleet.clusters[index].api(Pod.self, namespace: namespace)
        try await eventually("the request pod of cluster \(index) is Running", timeout: .seconds(60)) {
            let pod = try await pods.get("request")
            return pod.status?.phase == "Running" && pod.status?.podIP != nil
        }
        return try await pods.get("request").status?.podIP ?? ""
    }

    /// The IPs of the `hello` Pods in cluster `index`.
    func helloPodIPs(in index: Int) async throws -> Set<String> {
        let pods = try await fleet.clusters[index].api(Pod.self, namespace: namespace).list(labelSelector: "app=\(Self.name)").items
        return Set(pods.compactMap { $0.status?.podIP })
    }

    /// Asks cluster `index`'s DNS for `name` (a fully qualified name, final dot optional).
    func lookup(_ name: String, _ type: DNSRecordType, in index: Int) async throws -> DNSMessage {
        let server = fleet.dns[index]
        return try await DNSClient.query(name, type: type, server: server.host, port: server.port)
    }

    /// The A records of `name` in cluster `index`'s DNS (empty for NXDOMAIN or NODATA).
    func addresses(of name: String, in index: Int) async throws -> [String] {
        try await lookup(name, .a, in: index).answers.compactMap { record in
            if case .a(let address) = record.data { return address }
            return nil
        }
    }

    /// `hello.<ns>.svc.clusterset.local`.
    var clusterSetName: String { "\(Self.name).\(namespace).svc.clusterset.local" }

    // MARK: Reads

    func serviceImport(in index: Int) async throws -> MCSServiceImport? {
        do {
            return try await fleet.clusters[index].api(MCSServiceImport.self, namespace: namespace).get(Self.name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    func condition(_ type: String, in index: Int) async throws -> Condition? {
        try await fleet.clusters[index].api(MCSServiceExport.self, namespace: namespace).get(Self.name)
            .status?.conditions?.first { $0.type == type }
    }

    /// The MCS EndpointSlices of `hello` in cluster `index`.
    func importedSlices(in index: Int) async throws -> [EndpointSlice] {
        try await fleet.clusters[index].api(EndpointSlice.self, namespace: namespace)
            .list(labelSelector: "\(MCSLabels.serviceName)=\(Self.name)").items
    }

    var clusterCount: Int { fleet.clusters.count }
}

/// Runs `body` on a fresh fixture and tears it down afterwards, whatever happens.
func withFixture(
    exported: Bool = true, replicas: Int32 = 1, service: @Sendable @escaping (inout Service) -> Void = { _ in },
    _ body: (ConformanceFixture) async throws -> Void
) async throws {
    let fixture = try await ConformanceFixture.make(exported: exported, replicas: replicas, service: service)
    do {
        try await body(fixture)
    } catch {
        await fixture.tearDown()
        throw error
    }
    await fixture.tearDown()
}
