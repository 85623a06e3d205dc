import ClusterDNS
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import LocalFleet
import Logging
import NIOCore
import NIOPosix

// East-west figures on a local fleet of three members (member-1 exports, member-3 consumes):
//
// - resolve:  a multicluster.x-k8s.io ServiceExport created in member-1 → its
//             `<svc>.<ns>.svc.clusterset.local` answered with an address by member-3's DNS
//             (polled every 5 ms: the figures are up to 5 ms late; `concurrency` exports in flight).
// - dns:      UDP queries per second one member's DNS answers (`concurrency` clients asking the
//             ClusterSetIP name for a few seconds), with per-query latency.
// - proxy:    a TCP exchange with a socat backend (connect, read its line) through member-3's
//             ClusterSetIP vs. directly to the backend's pod IP: the light kube-proxy's added
//             latency.

struct EastWestBenchmark {
    var exports: Int
    var concurrency: Int
    var dnsSeconds: Int
    var exchanges: Int
    let namespace = "eastwest"

    func run() async throws -> [String: [String: Double]] {
        var logger = Logger(label: "fleetnet-bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 3, directory: directory), logger: logger)
        let results = ResultBox()
        try await session.run { endpoints in
            let fleet = BenchFleet(clients: endpoints.clients, namespace: namespace)
            try await fleet.prepare()
            guard let consumer = endpoints.members.first(where: { $0.name == "member-3" }) else {
                throw BenchFleet.Failed(description: "member-3 is missing")
            }
            let dns = consumer.dns.split(separator: ":").map(String.init)
            let server = (host: dns.first ?? "", port: Int(dns.last ?? "") ?? 53)
            progress("resolve: \(exports) exports")
            results.figures["resolve"] = Self.figures(try await resolveScenario(fleet, dns: server))
            progress("dns: \(dnsSeconds) s of queries")
            results.figures["dns"] = try await dnsScenario(dns: server)
            progress("proxy: \(exchanges) exchanges each way")
            results.figures["proxy"] = try await proxyScenario(fleet)
            return false
        }
        return results.figures
    }

    final class ResultBox: @unchecked Sendable {
        var figures: [String: [String: Double]] = [:]
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data("bench eastwest \(line)\n".utf8))
    }

    static func figures(_ samples: [Duration]) -> [String: Double] {
        let summary = LatencySummary(milliseconds: samples.map(\.milliseconds))
        return [
            "count": Double(summary.count), "p50_ms": summary.p50, "p90_ms": summary.p90, "p99_ms": summary.p99,
            "max_ms": summary.max,
        ]
    }

    // MARK: Scenarios

    private func resolveScenario(_ fleet: BenchFleet, dns: (host: String, port: Int)) async throws -> [Duration] {
        let exporter = fleet.client("member-1")
        let namespace = self.namespace
        for index in 0..<exports {
            let name = "svc-\(index)"
            try await fleet.createService(name, in: "member-1", port: 80)
            try await fleet.createSlice(name, in: "member-1", addresses: [BenchFleet.address(member: 1, index: index % 250, change: 0)])
        }
        return try await fleet.concurrently(exports, width: concurrency) { index in
            let name = "svc-\(index)"
            let started = ContinuousClock.now
            _ = try await exporter.api(MCSServiceExport.self, namespace: namespace).create(
                MCSServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
            let query = "\(name).\(namespace).svc.clusterset.local"
            while ContinuousClock.now - started < .seconds(60) {
                if let answer = try? await DNSClient.query(query, type: .a, server: dns.host, port: dns.port),
                    answer.answers.contains(where: { if case .a = $0.data { return true } else { return false } })
                {
                    return ContinuousClock.now - started
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            return nil
        }
    }

    private func dnsScenario(dns: (host: String, port: Int)) async throws -> [String: Double] {
        let name = "svc-0.\(namespace).svc.clusterset.local"
        let deadline = ContinuousClock.now + .seconds(dnsSeconds)
        let started = ContinuousClock.now
        // A query that times out (a loaded machine) counts as unanswered, not as a failed run.
        let outcomes = try await withThrowingTaskGroup(of: (latencies: [Duration], unanswered: Int).self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var latencies: [Duration] = []
                    var unanswered = 0
                    while ContinuousClock.now < deadline {
                        let sent = ContinuousClock.now
                        guard let answer = try? await DNSClient.query(name, type: .a, server: dns.host, port: dns.port) else {
                            unanswered += 1
                            continue
                        }
                        guard !answer.answers.isEmpty else { throw BenchFleet.Failed(description: "\(name) did not resolve") }
                        latencies.append(ContinuousClock.now - sent)
                    }
                    return (latencies, unanswered)
                }
            }
            var all: (latencies: [Duration], unanswered: Int) = ([], 0)
            for try await outcome in group {
                all.latencies += outcome.latencies
                all.unanswered += outcome.unanswered
            }
            return all
        }
        var figures = Self.figures(outcomes.latencies)
        figures["queries_per_second"] = Double(outcomes.latencies.count) / (ContinuousClock.now - started).milliseconds * 1000
        figures["clients"] = Double(concurrency)
        figures["unanswered"] = Double(outcomes.unanswered)
        return figures
    }

    private func proxyScenario(_ fleet: BenchFleet) async throws -> [String: Double] {
        // A socat backend in member-1, exported; member-3 reaches it through its ClusterSetIP.
        let name = "socat"
        let labels = ["app": name]
        var container = Container(name: "socat", image: "alpine/socat:1.7.4.4")
        container.ports = [ContainerPort(containerPort: 42, protocol: "TCP")]
        let exporter = fleet.client("member-1")
        _ = try await exporter.api(Deployment.self, namespace: namespace).create(
            Deployment(
                metadata: ObjectMeta(name: name, namespace: namespace),
                spec: DeploymentSpec(
                    replicas: 1, selector: LabelSelector(matchLabels: labels),
                    template: PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: [container])))))
        _ = try await exporter.api(Service.self, namespace: namespace).create(
            Service(
                metadata: ObjectMeta(name: name, namespace: namespace),
                spec: ServiceSpec(ports: [ServicePort(name: "tcp", protocol: "TCP", port: 42)], selector: labels)))
        _ = try await exporter.api(MCSServiceExport.self, namespace: namespace).create(
            MCSServiceExport(metadata: ObjectMeta(name: name, namespace: namespace)))
        let consumer = fleet.client("member-3").api(MCSServiceImport.self, namespace: namespace)
        var clusterSetIP: String?
        var podIP: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, clusterSetIP == nil || podIP == nil {
            let pods = try await exporter.api(Pod.self, namespace: namespace).list(labelSelector: "app=\(name)").items
            podIP = pods.first { $0.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }?.status?.podIP
            if let ip = (try? await consumer.get(name))?.spec.ips?.first, await Self.exchange(host: ip, port: 42) != nil {
                clusterSetIP = ip
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        guard let clusterSetIP, let podIP else { throw BenchFleet.Failed(description: "the socat backend was not reachable within 60 s") }
        var direct: [Duration] = []
        var proxied: [Duration] = []
        for _ in 0..<exchanges {
            guard let viaPod = await Self.exchange(host: podIP, port: 42),
                let viaClusterSetIP = await Self.exchange(host: clusterSetIP, port: 42)
            else { throw BenchFleet.Failed(description: "an exchange failed") }
            direct.append(viaPod)
            proxied.append(viaClusterSetIP)
        }
        let directSummary = LatencySummary(milliseconds: direct.map(\.milliseconds))
        let proxiedSummary = LatencySummary(milliseconds: proxied.map(\.milliseconds))
        return [
            "count": Double(exchanges),
            "pod_ip_p50_ms": directSummary.p50, "pod_ip_p99_ms": directSummary.p99,
            "clusterset_ip_p50_ms": proxiedSummary.p50, "clusterset_ip_p99_ms": proxiedSummary.p99,
            "added_p50_ms": proxiedSummary.p50 - directSummary.p50, "added_p99_ms": proxiedSummary.p99 - directSummary.p99,
        ]
    }

    /// How long connecting to `host:port` and reading the backend's line takes (nil: it failed).
    static func exchange(host: String, port: Int) async -> Duration? {
        let started = ContinuousClock.now
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            return try await channel.executeThenClose { inbound, _ in
                for try await chunk in inbound where chunk.readableBytesView.contains(UInt8(ascii: "\n")) {
                    return ContinuousClock.now - started
                }
                return nil
            }
        } catch {
            return nil
        }
    }
}
