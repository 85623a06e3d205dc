import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Logging

// The member's one Node, as its kubelet would register it: named after the cluster (the name the
// light kubelet already gives `spec.nodeName` in the downward API, and the `spec.nodeName` of the
// Pods it runs), Ready, with the machine's CPUs and memory as capacity, 127.0.0.1 as its internal
// address, the member's pod CIDR, and the host's kernel and OS image. `kubectl get nodes` and
// tools that list nodes see a cluster of one node. The node is registered at start and again if it
// is deleted; the status is written when it differs from what the kubelet reports (a user's
// labels and taints stay). No heartbeats: the node lives exactly as long as the local fleet.

struct NodeReconciler: Reconciler {
    let desired: Node
    let nodes: InformerStore<Node>
    let client: KubeClient

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard key.name == desired.metadata.name else { return .done }
        guard let current = nodes.get(key) else {
            try await register()
            return .done
        }
        // A deleted node comes back once it is gone (its deletion event brings the key back).
        guard !current.metadata.isDeleting else { return .done }
        var updated = current
        var status = desired.status ?? NodeStatus()
        // The conditions keep their transition times while they hold.
        status.conditions = status.conditions?.map { condition in
            guard let old = current.status?.conditions?.first(where: { $0.type == condition.type }), old.status == condition.status
            else { return condition }
            var kept = condition
            kept.lastTransitionTime = old.lastTransitionTime
            kept.lastHeartbeatTime = old.lastHeartbeatTime
            return kept
        }
        guard current.status != status else { return .done }
        updated.status = status
        _ = try await client.api(Node.self).replaceStatus(updated)
        return .done
    }

    /// Creates the node, then its status (the status subresource ignores status on create), and
    /// its Lease in `kube-node-lease` (what `kubectl describe node` shows).
    func register() async throws {
        let api = client.api(Node.self)
        do {
            var created = try await api.create(desired)
            created.status = desired.status
            _ = try await api.replaceStatus(created)
        } catch let error as KubeClientError where error.isAlreadyExists {}
        let name = desired.metadata.name ?? ""
        do {
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: Self.leaseNamespace)))
        } catch let error as KubeClientError where error.isAlreadyExists {}
        let now = MicroTime.now()
        do {
            _ = try await client.api(Lease.self, namespace: Self.leaseNamespace).create(
                Lease(
                    metadata: ObjectMeta(name: name, namespace: Self.leaseNamespace),
                    spec: LeaseSpec(holderIdentity: name, leaseDurationSeconds: 40, acquireTime: now, renewTime: now)))
        } catch let error as KubeClientError where error.isAlreadyExists {}
    }

    static let leaseNamespace = "kube-node-lease"

    /// The node of cluster `name` on this machine.
    static func node(named name: String, podCIDR: String, now: Date = Date()) -> Node {
        let processors = ProcessInfo.processInfo.activeProcessorCount
        let memoryKi = ProcessInfo.processInfo.physicalMemory / 1024
        let capacity = ["cpu": "\(processors)", "memory": "\(memoryKi)Ki", "pods": "110"]
        let time = Time(now)
        func condition(_ type: String, _ status: String, _ reason: String, _ message: String) -> NodeCondition {
            NodeCondition(type: type, status: status, lastHeartbeatTime: time, lastTransitionTime: time, reason: reason, message: message)
        }
        let architecture = Self.architecture
        let version = ServerVersion().gitVersion
        return Node(
            metadata: ObjectMeta(
                name: name,
                labels: [
                    "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": architecture,
                    "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": architecture,
                ]),
            spec: NodeSpec(podCIDR: podCIDR, podCIDRs: [podCIDR], providerID: "fleetnet://\(name)"),
            status: NodeStatus(
                capacity: capacity, allocatable: capacity,
                conditions: [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                addresses: [NodeAddress(type: "InternalIP", address: "127.0.0.1"), NodeAddress(type: "Hostname", address: name)],
                nodeInfo: NodeSystemInfo(
                    machineID: Self.machineID, systemUUID: Self.machineID, bootID: Self.bootID, kernelVersion: Self.kernelVersion, osImage: Self.osImage, containerRuntimeVersion: "fleetnet://in-process",
                    kubeletVersion: version, kubeProxyVersion: version, operatingSystem: "linux",
                    architecture: architecture)))
    }

    static let machineID = Self.firstLine(of: "/etc/machine-id")
    static let bootID = Self.firstLine(of: "/proc/sys/kernel/random/boot_id")

    static func firstLine(of path: String) -> String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").first.map(String.init) ?? ""
    }

    /// `uname -r`.
    static let kernelVersion: String = {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }()

    /// `PRETTY_NAME` of /etc/os-release.
    static let osImage: String = {
        let text = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
            return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return "Linux"
    }()

    static var architecture: String {
        #if arch(arm64)
            "arm64"
        #else
            "amd64"
        #endif
    }
}

enum NodeController {
    /// Registers `node`, then keeps it registered until cancelled.
    static func run(logger: Logger, client: KubeClient, informers: SharedInformers, node: Node) async {
        let reconciler = NodeReconciler(desired: node, nodes: informers.informer(for: Node.self).store, client: client)
        do {
            try await reconciler.register()
        } catch {
            // The controller registers it at the next event or retry.
            logger.warning("registering node \(node.metadata.name ?? "") failed: \(error)")
        }
        await ControllerBuilder(name: "node")
            .logger(logger)
            .for(Node.self, in: informers)
            .build(reconciler: reconciler)
            .run()
    }
}
