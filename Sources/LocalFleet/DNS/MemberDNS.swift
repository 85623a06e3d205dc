import ClusterDNS
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Synchronization

// A member's cluster DNS ("its CoreDNS"): the Service `kube-system/kube-dns` holds its address —
// `127.<100+i>.0.10` as a real cluster's kube-dns holds `.10` of the Service range, or another free
// address of the range when a fleet beside this one holds it — and a DNS server listens there on
// UDP and TCP port 53, or on a free port where this process may not bind 53. The light kube-proxy
// leaves that Service to it.

enum MemberDNS {
    static let serviceKey = ObjectKey(namespace: "kube-system", name: "kube-dns")

    /// Creates (or finds) `kube-system/kube-dns` and returns its cluster IP.
    static func ensureService(client: KubeClient, preferredIP: String) async throws -> String {
        let api = client.api(Service.self, namespace: serviceKey.namespace)
        if let existing = try? await api.get(serviceKey.name), let ip = existing.spec?.clusterIP { return ip }
        func service(_ ip: String?) -> Service {
            Service(
                metadata: ObjectMeta(
                    name: serviceKey.name, namespace: serviceKey.namespace,
                    labels: ["k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"]),
                spec: ServiceSpec(
                    ports: [ServicePort(name: "dns", protocol: "UDP", port: 53), ServicePort(name: "dns-tcp", protocol: "TCP", port: 53)],
                    clusterIP: ip))
        }
        do {
            return try await api.create(service(preferredIP)).spec?.clusterIP ?? preferredIP
        } catch let error as KubeClientError where error.isInvalid {
            // `.10` is taken (another fleet in this process): any address of the range will do.
            return try await api.create(service(nil)).spec?.clusterIP ?? ""
        }
    }

    /// Starts the DNS server for `records` on `ip`, port 53 if it can be bound, else a free port.
    static func start(on ip: String, records: ClusterDNSRecords, logger: Logger) async throws -> DNSServer {
        let handler = ClusterDNSHandler(records: records)
        do {
            return try await DNSServer.start(host: ip, port: 53, handler: handler, logger: logger)
        } catch {
            logger.info("cluster DNS cannot listen on \(ip):53 (\(error)); using a free port")
            return try await DNSServer.start(host: ip, port: 0, handler: handler, logger: logger)
        }
    }
}

/// The DNS address of a member once its server listens (`IP:port`), or why it does not.
final class DNSAddress: Sendable {
    private struct State {
        var result: Result<String, any Error>?
        var waiters: [CheckedContinuation<String, any Error>] = []
    }
    private let state = Mutex(State())

    func set(_ result: Result<String, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<String, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func value() async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<String, any Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
