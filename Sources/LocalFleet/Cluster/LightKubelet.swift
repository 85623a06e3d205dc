import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import NIOCore

// The local fleet's kubelet: every Pod of a member gets an IP from the member's pod range
// (127.<10+i>.0.0/16) and, when its containers run the built-in app (`fleetnet/echo`, or the
// reference tutorial's `app` image), an echo server on `podIP:containerPort`; socat containers
// (the conformance suite's backends) answer TCP and UDP with a line of text (SocatApp). Pods whose
// images it cannot run stay Running but not Ready (reason `ImageNotSupported`), so no traffic is
// sent to a port nobody serves. Status is written only when it changes.

/// What a Pod's app listens on: a port, its protocol, and what it answers.
struct AppListener: Sendable, Hashable {
    enum Response: Sendable, Hashable {
        /// The echo app's HTTP JSON body.
        case http([UInt8])
        /// One reply per TCP connection or UDP datagram (socat).
        case text([UInt8])
    }

    var port: Int
    /// `TCP` or `UDP`.
    var `protocol`: String
    var response: Response
}

/// A server listening on `host:port` (a Pod's app, a proxy).
protocol RunningListener: Sendable {
    var host: String { get }
    var port: Int { get }
    func stop() async
}

/// A bound NIO channel as a running listener: its address, and closing it stops it.
final class BoundListener: RunningListener {
    let host: String
    let port: Int
    private let channel: any Channel

    /// `channel` bound on `host` (for port 0, its actual port is read from the channel).
    init(host: String, requestedPort: Int, channel: any Channel) {
        self.host = host
        self.port = channel.localAddress?.port ?? requestedPort
        self.channel = channel
    }

    func stop() async {
        try? await channel.close()
    }
}

/// The app servers running for each Pod.
actor PodRuntime {
    private var servers: [ObjectKey: (host: String, listeners: [AppListener], running: [any RunningListener])] = [:]

    /// Ensures exactly `listeners` are served on `host` for `pod`.
    func ensure(_ pod: ObjectKey, host: String, listeners: [AppListener]) async throws {
        if let current = servers[pod], current.host == host, current.listeners == listeners { return }
        await stop(pod)
        var started: [any RunningListener] = []
        do {
            for listener in listeners { started.append(try await Self.start(listener, host: host)) }
        } catch {
            for server in started { await server.stop() }
            throw error
        }
        servers[pod] = (host, listeners, started)
    }

    private static func start(_ listener: AppListener, host: String) async throws -> any RunningListener {
        switch (listener.response, listener.protocol) {
        case (.http(let body), _): return try await EchoServer.start(host: host, port: listener.port, body: body)
        case (.text(let reply), "UDP"): return try await UDPReplyServer.start(host: host, port: listener.port, reply: reply)
        case (.text(let reply), _): return try await TextReplyServer.start(host: host, port: listener.port, reply: reply)
        }
    }

    func stop(_ pod: ObjectKey) async {
        for server in servers.removeValue(forKey: pod)?.running ?? [] { await server.stop() }
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

    /// The image's repository, without registry tag or digest (`alpine/socat:1.7.4.4` → `alpine/socat`).
    static func repository(of image: String?) -> String? {
        guard let image else { return nil }
        var repository = image
        if let at = repository.firstIndex(of: "@") { repository = String(repository[..<at]) }
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            repository = String(repository[..<colon])
        }
        return repository
    }

    /// Images the kubelet runs as the echo app.
    static func runsImage(_ image: String?) -> Bool {
        guard let repository = repository(of: image) else { return false }
        if repository == "fleetnet/echo" || repository.hasSuffix("/fleetnet/echo") { return true }
        return repository == "app" || repository.hasSuffix("/app")
    }

    /// Whether the kubelet can run `container`: the echo app or socat.
    static func canRun(_ container: Container) -> Bool {
        runsImage(container.image) || repository(of: container.image).map(SocatApp.runsImage) == true
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let owner = "\(ownerPrefix)/\(key)"
        guard let pod = pods.get(key), !pod.metadata.isDeleting, let spec = pod.spec else {
            await runtime.stop(key)
            addresses.release(owner: owner)
            return .done
        }
        // The scheduler's part: a Pod created without a node (`kubectl run`) is bound to the
        // member's one node; the update's event brings the key back.
        if spec.nodeName == nil {
            var bound = pod
            bound.spec?.nodeName = clusterName
            _ = try await client.api(Pod.self, namespace: key.namespace).replace(bound)
            return .done
        }
        let runnable = spec.containers.allSatisfy(Self.canRun)
        var ip = ""
        for _ in 0..<64 {
            if let existing = pod.status?.podIP, ip.isEmpty, addresses.claim(existing, for: owner) {
                ip = existing
            } else {
                ip = try addresses.address(for: owner)
            }
            guard runnable else { break }
            do {
                try await runtime.ensure(key, host: ip, listeners: try await listeners(of: pod, ip: ip))
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
                condition.message = "the local fleet's kubelet runs only the fleetnet/echo (or tutorial app) and socat images"
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

    /// What `pod`'s containers listen on at `ip`: the echo app on its TCP container ports, socat as
    /// its arguments or ports say.
    private func listeners(of pod: Pod, ip: String) async throws -> [AppListener] {
        var listeners: [AppListener] = []
        for container in pod.spec?.containers ?? [] {
            let environment = await environment(of: container, in: pod, ip: ip)
            if Self.runsImage(container.image) {
                let body = EchoServer.body(
                    podName: pod.metadata.name ?? "", podNamespace: pod.metadata.namespace ?? "",
                    clusterID: environment["MEMBER_CLUSTER_ID"] ?? clusterName)
                listeners += (container.ports ?? []).filter { ($0.protocol ?? "TCP") == "TCP" }.map {
                    AppListener(port: Int($0.containerPort), protocol: "TCP", response: .http(body))
                }
            } else {
                listeners += SocatApp.listeners(of: container, podIP: ip, environment: environment)
            }
        }
        return listeners
    }

    /// A container's environment: values, the Pod fields the downward API offers, and ConfigMap
    /// keys (as the tutorial's `MEMBER_CLUSTER_ID` uses).
    private func environment(of container: Container, in pod: Pod, ip: String) async -> [String: String] {
        var environment: [String: String] = [:]
        for variable in container.env ?? [] {
            if let value = variable.value {
                environment[variable.name] = value
            } else if let path = variable.valueFrom?.objectValue?["fieldRef"]?.objectValue?["fieldPath"]?.stringValue {
                switch path {
                case "status.podIP": environment[variable.name] = ip
                case "metadata.name": environment[variable.name] = pod.metadata.name
                case "metadata.namespace": environment[variable.name] = pod.metadata.namespace
                case "spec.nodeName": environment[variable.name] = clusterName
                default: break
                }
            } else if let reference = variable.valueFrom?.objectValue?["configMapKeyRef"]?.objectValue,
                let name = reference["name"]?.stringValue, let key = reference["key"]?.stringValue,
                let map = try? await client.api(ConfigMap.self, namespace: pod.metadata.namespace).get(name)
            {
                environment[variable.name] = map.data?[key]
            }
        }
        return environment
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
