import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// The local fleet's kubelet: every Pod of a member gets an IP from the member's pod range
// (127.<10+i>.0.0/16) and, when its containers run the built-in app (`fleetnet/echo`, or the
// reference tutorial's `app` image), an echo server on `podIP:containerPort`. Pods whose images it
// cannot run stay Running but not Ready (reason `ImageNotSupported`), so no traffic is sent to a
// port nobody serves. Status is written only when it changes.

/// The echo servers running for each Pod.
actor PodRuntime {
    private var servers: [ObjectKey: [EchoServer]] = [:]

    /// Ensures exactly `ports` are served on `host` for `pod`.
    func ensure(_ pod: ObjectKey, host: String, ports: [Int], body: [UInt8]) async throws {
        let running = servers[pod] ?? []
        if running.map(\.port).sorted() == ports.sorted(), running.allSatisfy({ $0.host == host }) { return }
        for server in running { await server.stop() }
        servers[pod] = nil
        var started: [EchoServer] = []
        do {
            for port in ports { started.append(try await EchoServer.start(host: host, port: port, body: body)) }
        } catch {
            for server in started { await server.stop() }
            throw error
        }
        servers[pod] = started
    }

    func stop(_ pod: ObjectKey) async {
        for server in servers.removeValue(forKey: pod) ?? [] { await server.stop() }
    }

    func stopAll() async {
        for key in Array(servers.keys) { await stop(key) }
    }
}

struct KubeletReconciler: Reconciler {
    let clusterName: String
    /// Distinguishes this cluster's pods in the process-wide address pool.
    let ownerPrefix: String
    let pods: InformerStore<Pod>
    let client: KubeClient
    let addresses: AddressPool
    let runtime: PodRuntime

    /// Images the kubelet runs as the echo app.
    static func runsImage(_ image: String?) -> Bool {
        guard let image else { return false }
        var repository = image
        if let at = repository.firstIndex(of: "@") { repository = String(repository[..<at]) }
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            repository = String(repository[..<colon])
        }
        if repository == "fleetnet/echo" || repository.hasSuffix("/fleetnet/echo") { return true }
        return repository == "app" || repository.hasSuffix("/app")
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let owner = "\(ownerPrefix)/\(key)"
        guard let pod = pods.get(key), !pod.metadata.isDeleting, let spec = pod.spec else {
            await runtime.stop(key)
            addresses.release(owner: owner)
            return .done
        }
        let runnable = spec.containers.allSatisfy { Self.runsImage($0.image) }
        let ports = spec.containers.flatMap { container in
            (container.ports ?? []).filter { ($0.protocol ?? "TCP") == "TCP" }.map { Int($0.containerPort) }
        }
        let body = runnable
            ? EchoServer.body(podName: key.name, podNamespace: key.namespace, clusterID: try await clusterID(for: pod)) : []
        var ip = ""
        for _ in 0..<64 {
            if let existing = pod.status?.podIP, ip.isEmpty, addresses.claim(existing, for: owner) {
                ip = existing
            } else {
                ip = try addresses.address(for: owner)
            }
            guard runnable else { break }
            do {
                try await runtime.ensure(key, host: ip, ports: ports, body: body)
                break
            } catch where AddressInUse.matches(error) {
                // Another fleet (another process) serves on this address: take the next one.
                addresses.markUnavailable(ip, heldBy: owner)
            }
        }
        if !runnable { await runtime.stop(key) }
        var status = pod.status ?? PodStatus()
        let before = status
        let now = Time(Date())
        status.phase = "Running"
        status.podIP = ip
        status.podIPs = [PodIP(ip: ip)]
        status.hostIP = "127.0.0.1"
        status.startTime = before.startTime ?? now
        let ready = runnable ? "True" : "False"
        var conditions: [PodCondition] = []
        for (type, value) in [("PodScheduled", "True"), ("Initialized", "True"), ("ContainersReady", ready), ("Ready", ready)] {
            let previous = before.conditions?.first { $0.type == type }
            var condition = PodCondition(type: type, status: value)
            condition.lastTransitionTime = previous?.status == value ? previous?.lastTransitionTime : now
            if value == "False" {
                condition.reason = "ImageNotSupported"
                condition.message = "the local fleet's kubelet runs only the fleetnet/echo (or tutorial app) image"
            }
            conditions.append(condition)
        }
        status.conditions = conditions
        status.containerStatuses = spec.containers.map { container in
            let previous = before.containerStatuses?.first { $0.name == container.name }
            return ContainerStatus(
                name: container.name,
                state: previous?.state ?? ContainerState(running: ContainerStateRunning(startedAt: now)),
                ready: runnable, restartCount: 0, image: container.image ?? "", started: true)
        }
        guard status != before else { return .done }
        var updated = pod
        updated.status = status
        _ = try await client.api(Pod.self, namespace: key.namespace).replaceStatus(updated)
        return .done
    }

    /// `MEMBER_CLUSTER_ID` from the first container's environment (a value, or a ConfigMap key as
    /// the tutorial's manifests use), else the cluster's name.
    private func clusterID(for pod: Pod) async throws -> String {
        for container in pod.spec?.containers ?? [] {
            guard let variable = container.env?.first(where: { $0.name == "MEMBER_CLUSTER_ID" }) else { continue }
            if let value = variable.value { return value }
            if let reference = variable.valueFrom?.objectValue?["configMapKeyRef"]?.objectValue,
                let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue,
                let map = try? await client.api(ConfigMap.self, namespace: pod.metadata.namespace).get(name),
                let value = map.data?[key]
            {
                return value
            }
        }
        return clusterName
    }
}

enum LightKubelet {
    static func make(
        logger: Logger, clusterName: String, ownerPrefix: String, client: KubeClient, informers: SharedInformers, addresses: AddressPool,
        runtime: PodRuntime
    ) -> Controller<KubeletReconciler> {
        ControllerBuilder(name: "kubelet")
            .logger(logger)
            .for(Pod.self, in: informers)
            .workers(4)
            .build(reconciler: KubeletReconciler(
                clusterName: clusterName, ownerPrefix: ownerPrefix, pods: informers.informer(for: Pod.self).store, client: client,
                addresses: addresses, runtime: runtime))
    }
}
