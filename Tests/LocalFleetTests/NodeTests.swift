import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import LocalFleet
import Logging
import Testing

// Each member of a local fleet has its one Node, as a kubelet registers it: Ready, the machine's
// CPUs as capacity, the member's pod CIDR, a Lease in kube-node-lease, registered again when
// deleted; Pods of Deployments and bare Pods run on it (`spec.nodeName`), and kubectl shows it;
// `kubectl scale` and `kubectl rollout status` work on the Deployment.

@Suite struct NodeTests {
    @Test func eachMemberHasItsReadyNodeAndItsPodsRunOnIt() async throws {
        var logger = Logger(label: "node-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-node-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 1, directory: directory, withControllers: false), logger: logger)
        try await session.run { endpoints in
            let member = try #require(endpoints.clients["member-1"])
            let nodes = member.api(Node.self)
            try await eventually("member-1 has its node") { (try? await nodes.get("member-1"))?.status?.conditions != nil }
            let node = try await nodes.get("member-1")
            #expect(node.status?.conditions?.first { $0.type == "Ready" }?.status == "True")
            #expect(node.status?.capacity?["cpu"] == "\(ProcessInfo.processInfo.activeProcessorCount)")
            #expect(node.status?.capacity?["pods"] == "110")
            #expect(node.spec?.podCIDR == endpoints.members.first?.podCIDR)
            #expect(node.status?.addresses?.contains(NodeAddress(type: "InternalIP", address: "127.0.0.1")) == true)
            #expect(node.metadata.labels?["kubernetes.io/hostname"] == "member-1")
            // The Lease follows the node's registration.
            try await eventually("the node's Lease exists") {
                (try? await member.api(Lease.self, namespace: "kube-node-lease").get("member-1"))?.spec?.holderIdentity == "member-1"
            }

            // Deleted: registered again.
            try await nodes.delete("member-1")
            try await eventually("the node is registered again") {
                let again = try? await nodes.get("member-1")
                return again != nil && again?.metadata.uid != node.metadata.uid && again?.status?.conditions != nil
            }

            // A bare Pod is bound to the node; a Deployment's Pods are created on it.
            try await eventually("the default namespace exists") { (try? await member.api(Namespace.self).get("default")) != nil }
            let pods = member.api(Pod.self, namespace: "default")
            _ = try await pods.create(Pod(metadata: ObjectMeta(name: "solo"), spec: PodSpec(containers: [Container(name: "app", image: "fleetnet/echo")])))
            var container = Container(name: "app", image: "fleetnet/echo")
            container.ports = [ContainerPort(containerPort: 8080)]
            let labels = ["app": "web"]
            _ = try await member.api(Deployment.self, namespace: "default").create(
                Deployment(
                    metadata: ObjectMeta(name: "web"),
                    spec: DeploymentSpec(
                        replicas: 2, selector: LabelSelector(matchLabels: labels),
                        template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container])))))
            try await eventually("three Pods run on member-1") {
                let running = try await pods.list().items.filter { $0.spec?.nodeName == "member-1" && $0.status?.phase == "Running" }
                return running.count == 3
            }

            if let kubectl = LocalClustersTests.kubectl {
                let arguments = ["--kubeconfig", endpoints.kubeconfig.path, "--context", "member-1", "--cache-dir", directory.appendingPathComponent("cache").path]
                let table = try TutorialTests.run(kubectl, arguments + ["get", "nodes"])
                let lines = table.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
                #expect(lines.first == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"], "\(table)")
                #expect(lines.dropFirst().first?.prefix(3) == ["member-1", "Ready", "<none>"], "\(table)")
                let wide = try TutorialTests.run(kubectl, arguments + ["get", "pods", "-o", "wide"])
                #expect(wide.contains("NODE") && wide.components(separatedBy: "member-1").count - 1 == 3, "\(wide)")

                // `kubectl scale` through the scale subresource, then `kubectl rollout status`.
                let scaled = try TutorialTests.run(kubectl, arguments + ["-n", "default", "scale", "deployment", "web", "--replicas=3"])
                #expect(scaled.contains("deployment.apps/web scaled"), "\(scaled)")
                let rollout = try TutorialTests.run(
                    kubectl, arguments + ["-n", "default", "rollout", "status", "deployment/web", "--timeout=60s"])
                #expect(rollout.contains("successfully rolled out"), "\(rollout)")
                #expect(try await pods.list().items.filter { $0.metadata.labels?["app"] == "web" && $0.status?.phase == "Running" }.count == 3)
            }
            return false
        }
    }
}
