import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Synchronization

// The local fleet's light kube-proxy: every Service of a member with a cluster IP in the member's
// loopback Service range (127.<100+i>.0.0/16) is served on `clusterIP:port` for each TCP and UDP
// port, over the ready endpoints of the EndpointSlices labelled with its name — local ones, and
// those fleet networking imports (a ServiceImport's derived Service: its ClusterSetIP). As
// kube-proxy does, a Service port is matched to the slices' port of the same name (so a port only
// some clusters expose reaches only theirs), backends are chosen per connection (TCP) or flow
// (UDP), round-robin, and `sessionAffinity: ClientIP` keeps a client on one backend for
// `sessionAffinityConfig.clientIP.timeoutSeconds` (default 10800). The cluster DNS Service
// (`kube-system/kube-dns`) is served by the DNS server itself and skipped.

/// The proxies running for each Service.
actor ServiceProxies {
    private var running: [ObjectKey: (host: String, ports: [ProxiedPort], listeners: [any RunningListener])] = [:]

    struct ProxiedPort: Hashable, Sendable {
        var port: Int
        var `protocol`: String
    }

    func ensure(
        _ service: ObjectKey, host: String, ports: [ProxiedPort],
        choose: @escaping @Sendable (ProxiedPort, _ client: String?, BackendChooser) -> Backend?
    ) async throws {
        if let current = running[service], current.host == host, current.ports == ports { return }
        await stop(service)
        try ListenerBudget.acquire(ports.count)
        var started: [any RunningListener] = []
        do {
            for port in ports {
                let turns = BackendChooser()
                let chooser: @Sendable (String?) -> Backend? = { choose(port, $0, turns) }
                started.append(
                    port.protocol == "UDP"
                        ? try await UDPProxy.start(host: host, port: port.port, choose: chooser)
                        : try await TCPProxy.start(host: host, port: port.port, choose: chooser))
            }
        } catch {
            for listener in started { await listener.stop() }
            ListenerBudget.release(ports.count)
            throw error
        }
        running[service] = (host, ports, started)
    }

    func stop(_ service: ObjectKey) async {
        guard let stopped = running.removeValue(forKey: service) else { return }
        for listener in stopped.listeners { await listener.stop() }
        ListenerBudget.release(stopped.ports.count)
    }

    func stopAll() async {
        for key in Array(running.keys) { await stop(key) }
    }
}

/// Which backend each client of one Service port is stuck to, and the round-robin turn.
final class BackendChooser: Sendable {
    private struct State {
        var turn = 0
        var sticky: [String: (backend: Backend, until: ContinuousClock.Instant)] = [:]
    }
    private let state = Mutex(State())

    /// A backend of `candidates` for `client`: the one it is stuck to while that is still a
    /// candidate and its affinity lasts (`affinity` nil: none), else the next in turn.
    func choose(_ candidates: [Backend], client: String?, affinity: Duration?) -> Backend? {
        guard !candidates.isEmpty else { return nil }
        let now = ContinuousClock.now
        return state.withLock { state in
            if let affinity, let client, let stuck = state.sticky[client], stuck.until > now, candidates.contains(stuck.backend) {
                state.sticky[client] = (stuck.backend, now + affinity)
                return stuck.backend
            }
            let backend = candidates[state.turn % candidates.count]
            state.turn &+= 1
            if let affinity, let client {
                if state.sticky.count > 10_000 { state.sticky = state.sticky.filter { $0.value.until > now } }
                state.sticky[client] = (backend, now + affinity)
            }
            return backend
        }
    }
}

struct ServiceProxyReconciler: Reconciler {
    let services: InformerStore<Service>
    let slices: InformerStore<EndpointSlice>
    /// The member's Service range, e.g. `127.101.`.
    let serviceRangePrefix: String
    let proxies: ServiceProxies
    let logger: Logger

    static let clusterDNS = ObjectKey(namespace: "kube-system", name: "kube-dns")

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard key != Self.clusterDNS, let service = services.get(key), !service.metadata.isDeleting, let spec = service.spec,
            spec.type != "ExternalName", let ip = spec.clusterIP, ip.hasPrefix(serviceRangePrefix)
        else {
            await proxies.stop(key)
            return .done
        }
        let ports = (spec.ports ?? []).compactMap { port -> ServiceProxies.ProxiedPort? in
            let proto = port.protocol ?? "TCP"
            return proto == "TCP" || proto == "UDP" ? ServiceProxies.ProxiedPort(port: Int(port.port), protocol: proto) : nil
        }
        let services = self.services
        let slices = self.slices
        do {
            try await proxies.ensure(key, host: ip, ports: ports) { port, client, chooser in
                // Read at connection time: endpoint and affinity changes need no restart.
                guard let service = services.get(key), let servicePort = service.spec?.ports?.first(where: {
                    Int($0.port) == port.port && ($0.protocol ?? "TCP") == port.protocol
                }) else { return nil }
                let affinity: Duration? =
                    service.spec?.sessionAffinity == "ClientIP"
                    ? .seconds(Int64(service.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800)) : nil
                return chooser.choose(Self.readyBackends(of: key, port: servicePort, in: slices), client: client, affinity: affinity)
            }
        } catch where AddressInUse.matches(error) {
            // Another process serves this address (a fleet elsewhere got the same cluster IP).
            logger.warning("cannot serve cluster IP \(ip) of Service \(key): the address is in use by another process")
        } catch let error as ListenerBudget.Exhausted {
            // Tried again when a Service goes away and frees sockets, or at the next change.
            logger.warning("not serving cluster IP \(ip) of Service \(key): \(error)")
            return .requeue(after: .seconds(60))
        }
        return .done
    }

    /// The ready endpoints of Service `key` for `port`: from every IPv4 slice labelled with its
    /// name, the slice port of the same name (kube-proxy's rule; a slice without it serves none).
    static func readyBackends(of key: ObjectKey, port: ServicePort, in slices: InformerStore<EndpointSlice>) -> [Backend] {
        var backends: [Backend] = []
        for slice in slices.list(namespace: key.namespace)
        where slice.metadata.labels?[FleetLabels.serviceName] == key.name && slice.addressType == "IPv4" {
            guard
                let target = slice.ports?.first(where: {
                    ($0.name ?? "") == (port.name ?? "") && ($0.protocol ?? "TCP") == (port.protocol ?? "TCP")
                })?.port
            else { continue }
            for endpoint in slice.endpoints where endpoint.conditions?.ready ?? true {
                for address in endpoint.addresses { backends.append(Backend(host: address, port: Int(target))) }
            }
        }
        return backends.sorted { ($0.host, $0.port) < ($1.host, $1.port) }
    }
}

enum ServiceProxyController {
    static func make(
        logger: Logger, informers: SharedInformers, serviceRangePrefix: String, proxies: ServiceProxies
    ) -> Controller<ServiceProxyReconciler> {
        ControllerBuilder(name: "kube-proxy")
            .logger(logger)
            .for(Service.self, in: informers)
            .build(reconciler: ServiceProxyReconciler(
                services: informers.informer(for: Service.self).store, slices: informers.informer(for: EndpointSlice.self).store,
                serviceRangePrefix: serviceRangePrefix, proxies: proxies, logger: logger))
    }
}
