import AsyncHTTPClient
import Foundation
import KubeClient
import KubeModel
import KubeServer
import LocalFleet
import Logging
import ServiceLifecycle
import Testing

/// A member cluster with the local fleet's add-ons: a Deployment becomes running Pods with IPs in
/// the member's range serving the echo app, a Service gets EndpointSlices, and a LoadBalancer
/// Service gets an IP whose proxy spreads real HTTP requests over the Pods.
@Suite struct ClusterAddonsTests {
    static let quiet: Logger = {
        var logger = Logger(label: "cluster-addons-test")
        logger.logLevel = .critical
        return logger
    }()

    static func app(replicas: Int32) -> Deployment {
        let labels = ["app": "hello-world"]
        var container = Container(name: "app", image: "fleetnet/echo:latest")
        container.ports = [ContainerPort(name: "http", containerPort: 8080)]
        return Deployment(
            metadata: ObjectMeta(name: "app", namespace: "work"),
            spec: DeploymentSpec(
                replicas: replicas, selector: LabelSelector(matchLabels: labels),
                template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container]))))
    }

    @Test func deploymentServiceAndLoadBalancerServeRealTraffic() async throws {
        let server = try APIServer(
            configuration: APIServerConfiguration(name: "member-1", port: 0, allowsAnonymous: true, authorizationEnabled: false),
            logger: Self.quiet)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: Self.quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await server.waitUntilListening()
            let client = try KubeClient(configuration: ClientConfiguration(server: try await server.url()), logger: Self.quiet)
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let addons = ClusterAddons(clusterName: "member-1", index: 1, client: client, logger: Self.quiet)
            let running = Task { await addons.run() }
            do {
                _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "work")))
                _ = try await client.api(Deployment.self, namespace: "work").create(Self.app(replicas: 2))
                _ = try await client.api(Service.self, namespace: "work").create(
                    Service(
                        metadata: ObjectMeta(name: "app", namespace: "work"),
                        spec: ServiceSpec(
                            ports: [ServicePort(name: "http", port: 80, targetPort: .string("http"))],
                            selector: ["app": "hello-world"], type: "LoadBalancer")))

                // Pods get IPs in member-1's range and become Ready; the Deployment counts them.
                let pods = client.api(Pod.self, namespace: "work")
                try await eventually("both pods are ready with member-1 addresses") {
                    let items = try await pods.list().items
                    return items.count == 2 && items.allSatisfy {
                        ($0.status?.podIP ?? "").hasPrefix("127.11.")
                            && $0.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
                    }
                }
                try await eventually("the deployment reports 2 ready replicas") {
                    try await client.api(Deployment.self, namespace: "work").get("app").status?.readyReplicas == 2
                }
                // The EndpointSlice lists both pods on the named target port.
                try await eventually("the service's endpointslice lists both pods") {
                    let slices = try await client.api(EndpointSlice.self, namespace: "work")
                        .list(labelSelector: "kubernetes.io/service-name=app").items
                    return slices.count == 1 && slices[0].endpoints.count == 2 && slices[0].ports?.first?.port == 8080
                        && slices[0].endpoints.allSatisfy { $0.conditions?.ready == true }
                }
                // The LoadBalancer IP comes from member-1's LB range, and its proxy reaches both pods.
                var ip = ""
                try await eventually("the service has a load balancer IP") {
                    ip = try await client.api(Service.self, namespace: "work").get("app").status?.loadBalancer?.ingress?.first?.ip ?? ""
                    return ip.hasPrefix("127.201.")
                }
                var podNames = Set<String>()
                for _ in 0..<20 {
                    var request = HTTPClientRequest(url: "http://\(ip):80/")
                    request.headers.add(name: "Connection", value: "close")
                    let response = try await http.execute(request, timeout: .seconds(10))
                    #expect(response.status == .ok)
                    let body = try await response.body.collect(upTo: 1 << 16)
                    let answer = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String]
                    #expect(answer?["message"] == "Hello World!")
                    #expect(answer?["cluster_id"] == "member-1")
                    #expect(answer?["pod_namespace"] == "work")
                    if let name = answer?["pod_name"] { podNames.insert(name) }
                }
                #expect(podNames.count == 2, "requests through the load balancer reached \(podNames)")

                // Scaling down removes a pod and its endpoint.
                var deployment = try await client.api(Deployment.self, namespace: "work").get("app")
                deployment.spec?.replicas = 1
                _ = try await client.api(Deployment.self, namespace: "work").replace(deployment)
                try await eventually("one pod and one endpoint remain") {
                    let slices = try await client.api(EndpointSlice.self, namespace: "work")
                        .list(labelSelector: "kubernetes.io/service-name=app").items
                    return try await pods.list().items.count == 1 && slices.first?.endpoints.count == 1
                }
            } catch {
                Issue.record(error)
            }
            running.cancel()
            await running.value
            try await http.shutdown()
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// Polls `condition` until it holds, recording an issue after `timeout`.
func eventually(_ description: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(25))
    }
    Issue.record("timed out waiting until \(description)")
}
