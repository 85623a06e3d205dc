import FleetAPI
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// The cloud provider of the local fleet: every `LoadBalancer` Service of a member gets an IP from
// the member's LoadBalancer range (127.<200+i>.0.0/16) in `status.loadBalancer.ingress`, and a
// TCP proxy on `IP:port` per TCP port that spreads connections over the Service's ready
// endpoints (EndpointSlices labelled with its name: local slices, and the slices fleet
// networking imports for a MultiClusterService's derived Service). With the local Azure, the
// address is also a public IP resource (LocalPublicIPs).

/// The proxies running for each Service.
actor LoadBalancers {
    private var proxies: [ObjectKey: [BoundListener]] = [:]

    func ensure(_ service: ObjectKey, host: String, ports: [Int], backends: @escaping @Sendable (Int) -> [Backend]) async throws {
        let running = proxies[service] ?? []
        if running.map(\.port).sorted() == ports.sorted(), running.allSatisfy({ $0.host == host }) { return }
        await stop(service)
        try ListenerBudget.acquire(ports.count)
        var started: [BoundListener] = []
        do {
            for port in ports {
                started.append(try await TCPProxy.start(host: host, port: port) { backends(port) })
            }
        } catch {
            for proxy in started { await proxy.stop() }
            ListenerBudget.release(ports.count)
            throw error
        }
        proxies[service] = started
    }

    func stop(_ service: ObjectKey) async {
        guard let stopped = proxies.removeValue(forKey: service) else { return }
        for proxy in stopped { await proxy.stop() }
        ListenerBudget.release(stopped.count)
    }

    func stopAll() async {
        for key in Array(proxies.keys) { await stop(key) }
    }
}

struct LoadBalancerReconciler: Reconciler {
    /// Distinguishes this cluster's Services in the process-wide address pool.
    let ownerPrefix: String
    let services: InformerStore<Service>
    let slices: InformerStore<EndpointSlice>
    let client: KubeClient
    let addresses: AddressPool
    let balancers: LoadBalancers
    /// The public IP resources of the local Azure, when it runs.
    let publicIPs: LocalPublicIPs?

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let owner = "\(ownerPrefix)/\(key)"
        guard let service = services.get(key), !service.metadata.isDeleting, service.spec?.type == "LoadBalancer" else {
            await balancers.stop(key)
            addresses.release(owner: owner)
            publicIPs?.release(key)
            if var service = services.get(key), !service.metadata.isDeleting,
                let ingress = service.status?.loadBalancer?.ingress, ingress.contains(where: { addresses.contains($0.ip ?? "") })
            {
                service.status?.loadBalancer = LoadBalancerStatus()
                _ = try await client.api(Service.self, namespace: key.namespace).replaceStatus(service)
            }
            return .done
        }
        let servicePorts = (service.spec?.ports ?? []).filter { ($0.protocol ?? "TCP") == "TCP" }
        let slices = self.slices
        var ip = ""
        for _ in 0..<64 {
            if let existing = service.status?.loadBalancer?.ingress?.first?.ip, ip.isEmpty, addresses.claim(existing, for: owner) {
                ip = existing
            } else {
                ip = try addresses.address(for: owner)
            }
            do {
                try await balancers.ensure(key, host: ip, ports: servicePorts.map { Int($0.port) }) { port in
                    guard let servicePort = servicePorts.first(where: { Int($0.port) == port }) else { return [] }
                    return Self.readyBackends(of: key, port: servicePort, in: slices)
                }
                break
            } catch where AddressInUse.matches(error) {
                // Another fleet (another process) serves on this address: take the next one.
                addresses.markUnavailable(ip, heldBy: owner)
            }
        }
        publicIPs?.assign(key, service: service, ip: ip)
        let desired = LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: ip, ipMode: "VIP")])
        guard service.status?.loadBalancer != desired else { return .done }
        var updated = service
        var status = updated.status ?? ServiceStatus()
        status.loadBalancer = desired
        updated.status = status
        _ = try await client.api(Service.self, namespace: key.namespace).replaceStatus(updated)
        return .done
    }

    /// The ready endpoints serving `port` of Service `key`, from every slice labelled with its name.
    static func readyBackends(of key: ObjectKey, port: ServicePort, in slices: InformerStore<EndpointSlice>) -> [Backend] {
        var backends: [Backend] = []
        for slice in slices.list(namespace: key.namespace)
        where slice.metadata.labels?[FleetLabels.serviceName] == key.name && slice.addressType == "IPv4" {
            let ports = slice.ports ?? []
            let match = ports.first { ($0.name ?? "") == (port.name ?? "") } ?? (ports.count == 1 ? ports[0] : nil)
            guard let target = match?.port else { continue }
            for endpoint in slice.endpoints where endpoint.conditions?.ready ?? true {
                for address in endpoint.addresses { backends.append(Backend(host: address, port: Int(target))) }
            }
        }
        return backends.sorted { ($0.host, $0.port) < ($1.host, $1.port) }
    }
}

enum LoadBalancerController {
    static func make(
        logger: Logger, ownerPrefix: String, client: KubeClient, informers: SharedInformers, addresses: AddressPool,
        balancers: LoadBalancers, publicIPs: LocalPublicIPs? = nil
    ) -> Controller<LoadBalancerReconciler> {
        ControllerBuilder(name: "loadbalancer")
            .logger(logger)
            .for(Service.self, in: informers)
            .build(reconciler: LoadBalancerReconciler(
                ownerPrefix: ownerPrefix, services: informers.informer(for: Service.self).store,
                slices: informers.informer(for: EndpointSlice.self).store, client: client,
                addresses: addresses, balancers: balancers, publicIPs: publicIPs))
    }
}
