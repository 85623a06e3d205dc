import ClusterDNS
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
@testable import LocalFleet
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Testing

/// What a member's add-ons do for east-west traffic, on one member: a StatefulSet's pods with
/// hostnames in their EndpointSlice and DNS names, socat backends answering TCP and UDP, the light
/// kube-proxy serving cluster IPs (round-robin, ClientIP affinity, UDP flows), and the cluster DNS
/// at the kube-dns Service's address.
@Suite struct ClusterAddonsEastWestTests {
    static let quiet: Logger = {
        var logger = Logger(label: "cluster-addons-east-west-test")
        logger.logLevel = .critical
        return logger
    }()

    /// A member (index 9: its own ranges) with its add-ons running while `body` runs.
    static func withMember(_ body: @Sendable (KubeClient, ClusterAddons) async throws -> Void) async throws {
        let server = try APIServer(
            configuration: APIServerConfiguration(
                name: "member-9", port: 0, allowsAnonymous: true, authorizationEnabled: false,
                options: ServerOptions(serviceClusterIPRange: LocalClusters.serviceCIDR(member: 9), sharesServiceIPsInProcess: true)),
            logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quiet))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            _ = try await server.waitUntilListening()
            let client = try KubeClient(configuration: ClientConfiguration(server: try await server.url()), logger: quiet)
            let addons = ClusterAddons(clusterName: "member-9", index: 9, client: client, logger: quiet)
            let running = Task { await addons.run() }
            do {
                _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "work")))
                try await body(client, addons)
            } catch {
                Issue.record(error)
            }
            running.cancel()
            await running.value
            try await client.shutdown()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func socatTemplate(_ labels: [String: String]) -> PodTemplateSpec {
        let containers = [("tcp", "TCP"), ("udp", "UDP")].map { name, proto in
            var container = Container(name: name, image: "alpine/socat:1.7.4.4")
            container.ports = [ContainerPort(containerPort: 42, protocol: proto)]
            return container
        }
        return PodTemplateSpec(metadata: ObjectMeta(labels: labels), spec: PodSpec(containers: containers))
    }

    @Test func statefulSetPodsHaveHostnamesInTheirSliceAndInDNS() async throws {
        try await Self.withMember { client, addons in
            let labels = ["app": "db"]
            _ = try await client.api(Service.self, namespace: "work").create(
                Service(
                    metadata: ObjectMeta(name: "db", namespace: "work"),
                    spec: ServiceSpec(ports: [ServicePort(name: "tcp", protocol: "TCP", port: 42)], selector: labels, clusterIP: "None")))
            _ = try await client.api(StatefulSet.self, namespace: "work").create(
                StatefulSet(
                    metadata: ObjectMeta(name: "db", namespace: "work"),
                    spec: StatefulSetSpec(replicas: 2, selector: LabelSelector(matchLabels: labels), template: Self.socatTemplate(labels), serviceName: "db")))
            try await eventually("the StatefulSet has db-0 and db-1 ready, in order") {
                let set = try await client.api(StatefulSet.self, namespace: "work").get("db")
                let pods = try await client.api(Pod.self, namespace: "work").list(labelSelector: "app=db").items
                return set.status?.readyReplicas == 2 && Set(pods.compactMap(\.metadata.name)) == ["db-0", "db-1"]
                    && pods.allSatisfy { $0.spec?.hostname == $0.metadata.name && $0.spec?.subdomain == "db" }
            }
            let slice = try #require(
                try await client.api(EndpointSlice.self, namespace: "work").list(labelSelector: "kubernetes.io/service-name=db").items.first)
            #expect(Set(slice.endpoints.compactMap(\.hostname)) == ["db-0", "db-1"])

            let dns = try await addons.dnsAddress().split(separator: ":").map(String.init)
            let kubeDNS = try await client.api(Service.self, namespace: "kube-system").get("kube-dns")
            #expect(dns.first == kubeDNS.spec?.clusterIP && dns.first?.hasPrefix("127.109.") == true, "the kube-dns Service's address")
            let podIP = try #require(slice.endpoints.first { $0.hostname == "db-0" }?.addresses.first)
            let answer = try await DNSClient.query("db-0.db.work.svc.cluster.local", type: .a, server: dns[0], port: Int(dns[1])!)
            #expect(answer.answers.map(\.data) == [.a(podIP)])
            let all = try await DNSClient.query("db.work.svc.cluster.local", type: .a, server: dns[0], port: Int(dns[1])!)
            #expect(all.answers.count == 2)
            let missing = try await DNSClient.query("nope.work.svc.cluster.local", type: .a, server: dns[0], port: Int(dns[1])!)
            #expect(missing.responseCode == .nameError)

            // Scaling down removes the highest ordinal.
            try await retryOnConflict {
                var set = try await client.api(StatefulSet.self, namespace: "work").get("db")
                set.spec?.replicas = 1
                _ = try await client.api(StatefulSet.self, namespace: "work").replace(set)
            }
            try await eventually("db-1 goes, db-0 stays") {
                try await client.api(Pod.self, namespace: "work").list(labelSelector: "app=db").items.compactMap(\.metadata.name) == ["db-0"]
            }
        }
    }

    @Test func theKubeProxyServesClusterIPsOverTCPAndUDPWithClientIPAffinity() async throws {
        try await Self.withMember { client, _ in
            let labels = ["app": "echo"]
            _ = try await client.api(Deployment.self, namespace: "work").create(
                Deployment(
                    metadata: ObjectMeta(name: "echo", namespace: "work"),
                    spec: DeploymentSpec(replicas: 2, selector: LabelSelector(matchLabels: labels), template: Self.socatTemplate(labels))))
            for (name, affinity) in [("spread", "None"), ("sticky", "ClientIP")] {
                _ = try await client.api(Service.self, namespace: "work").create(
                    Service(
                        metadata: ObjectMeta(name: name, namespace: "work"),
                        spec: ServiceSpec(
                            ports: [ServicePort(name: "tcp", protocol: "TCP", port: 42), ServicePort(name: "udp", protocol: "UDP", port: 42)],
                            selector: labels, sessionAffinity: affinity)))
            }
            let pods = try await Self.readyPodIPs(client, labels: "app=echo", count: 2)
            let spread = try #require(try await client.api(Service.self, namespace: "work").get("spread").spec?.clusterIP)
            let sticky = try #require(try await client.api(Service.self, namespace: "work").get("sticky").spec?.clusterIP)
            #expect(spread.hasPrefix("127.109.") && sticky.hasPrefix("127.109."))
            try await eventually("the cluster IP answers over TCP") { await Self.tcpLine(to: spread) != nil }

            // Round-robin: one client reaches both pods over TCP and over UDP (a new flow per socket).
            var tcpAnswers = Set<String>()
            var udpAnswers = Set<String>()
            for _ in 0..<6 {
                if let line = await Self.tcpLine(to: spread) { tcpAnswers.insert(line) }
                if let line = await Self.udpLine(to: spread) { udpAnswers.insert(line) }
            }
            #expect(tcpAnswers == Set(pods.map { "pod ip \($0)" }))
            #expect(udpAnswers == Set(pods.map { "pod ip \($0)" }))

            // ClientIP affinity: one client sticks to one pod; another client may get the other.
            var stickyAnswers = Set<String>()
            for _ in 0..<6 { if let line = await Self.tcpLine(to: sticky) { stickyAnswers.insert(line) } }
            #expect(stickyAnswers.count == 1, "one client, one pod: \(stickyAnswers)")
        }
    }

    @Test("the member's DNS answers hostile packets with DNS errors and keeps serving")
    func theClusterDNSSurvivesHostilePackets() async throws {
        try await Self.withMember { client, addons in
            _ = try await client.api(Service.self, namespace: "work").create(
                Service(metadata: ObjectMeta(name: "web", namespace: "work"), spec: ServiceSpec(ports: [ServicePort(port: 80)])))
            let dns = try await addons.dnsAddress().split(separator: ":").map(String.init)
            let (host, port) = (dns[0], Int(dns[1])!)
            let valid = DNSMessage.query(id: 7, name: "web.work.svc.cluster.local", type: .a).serialized()
            var generator = SystemRandomNumberGenerator()
            var packets: [[UInt8]] = []
            for round in 0..<3000 {
                switch round % 3 {
                case 0:  // random bytes
                    packets.append((0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                case 1:  // a valid query with bits flipped
                    var packet = valid
                    for _ in 0..<3 { packet[Int.random(in: 0..<packet.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator) }
                    packets.append(packet)
                default:  // a valid query cut short, or a name longer than DNS allows
                    packets.append(
                        round % 2 == 0
                            ? Array(valid.prefix(Int.random(in: 12..<valid.count, using: &generator)))
                            : Array(valid.prefix(12)) + Array(repeating: [63] + Array(repeating: UInt8(ascii: "a"), count: 63), count: 5).flatMap { $0 }
                                + [0, 0, 1, 0, 1])
                }
            }
            // 100 in flight at a time; a packet the server drops (too short to answer) costs the timeout.
            var formatErrors = 0
            for start in stride(from: 0, to: packets.count, by: 100) {
                formatErrors += try await withThrowingTaskGroup(of: Int.self) { group in
                    for packet in packets[start..<min(start + 100, packets.count)] {
                        group.addTask {
                            guard let answer = try await DNSClient.sendRaw(packet, server: host, port: port, timeout: .milliseconds(200)),
                                let message = try? DNSMessage.parse(answer)
                            else { return 0 }
                            return message.responseCode == .formatError ? 1 : 0
                        }
                    }
                    return try await group.reduce(0, +)
                }
            }
            #expect(formatErrors > 100, "malformed queries get FORMERR (\(formatErrors) did)")
            // Still serving: on a loaded machine the flood may still be draining, so the query is
            // given 10 s and tried until 30 s have passed.
            let deadline = ContinuousClock.now + .seconds(30)
            var answer: DNSMessage?
            while answer == nil {
                do {
                    answer = try await DNSClient.query("web.work.svc.cluster.local", type: .a, server: host, port: port, timeout: .seconds(10))
                } catch where ContinuousClock.now < deadline {}
            }
            #expect(answer?.responseCode == .noError && answer?.answers.count == 1, "still serving: \(String(describing: answer))")
        }
    }

    @Test("kube-proxy's rule: a Service port is served by the slices' port of its name only, ready endpoints only")
    func backendsComeFromTheSlicePortOfTheSameName() {
        let slices = InformerStore<EndpointSlice>()
        func slice(_ name: String, ports: [EndpointPort], _ addresses: [(String, Bool)]) -> EndpointSlice {
            EndpointSlice(
                metadata: ObjectMeta(name: name, namespace: "work", labels: ["kubernetes.io/service-name": "web"]),
                endpoints: addresses.map { Endpoint(addresses: [$0.0], conditions: EndpointConditions(ready: $0.1)) }, ports: ports)
        }
        slices.replace(
            all: [
                slice("a", ports: [EndpointPort(name: "tcp", protocol: "TCP", port: 42)], [("127.11.0.1", true), ("127.11.0.2", false)]),
                slice("b", ports: [EndpointPort(name: "tcp2", protocol: "TCP", port: 42)], [("127.12.0.1", true)]),
                slice("c", ports: [], [("127.13.0.1", true)]),
                slice("d", ports: [EndpointPort(name: "tcp", protocol: "UDP", port: 42)], [("127.14.0.1", true)]),
            ], resourceVersion: "1")
        let key = ObjectKey(namespace: "work", name: "web")
        #expect(
            ServiceProxyReconciler.readyBackends(of: key, port: ServicePort(name: "tcp", protocol: "TCP", port: 80), in: slices)
                == [Backend(host: "127.11.0.1", port: 42)])
        #expect(
            ServiceProxyReconciler.readyBackends(of: key, port: ServicePort(name: "tcp2", protocol: "TCP", port: 4242), in: slices)
                == [Backend(host: "127.12.0.1", port: 42)])
        #expect(ServiceProxyReconciler.readyBackends(of: key, port: ServicePort(name: "other", protocol: "TCP", port: 1), in: slices).isEmpty)
    }

    static func readyPodIPs(_ client: KubeClient, labels: String, count: Int) async throws -> [String] {
        try await eventually("\(count) pods are ready") {
            try await client.api(Pod.self, namespace: "work").list(labelSelector: labels).items.filter {
                $0.status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true
            }.count == count
        }
        return try await client.api(Pod.self, namespace: "work").list(labelSelector: labels).items.compactMap { $0.status?.podIP }
    }

    /// The line a TCP connection to `host:42` answers (from 127.0.0.1).
    static func tcpLine(to host: String) async -> String? {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: host, port: 42) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            return try await channel.executeThenClose { inbound, _ in
                var text = ""
                for try await chunk in inbound {
                    text += String(buffer: chunk)
                    if text.contains("\n") { break }
                }
                return text.split(separator: "\n").first.map(String.init)
            }
        } catch {
            return nil
        }
    }

    /// The line a UDP datagram to `host:42` is answered with, from a new socket.
    static func udpLine(to host: String) async -> String? {
        do {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: host, port: 42), data: ByteBuffer(string: "hi")))
                return try await withThrowingTaskGroup(of: String?.self) { group in
                    group.addTask {
                        for try await datagram in inbound { return String(buffer: datagram.data).split(separator: "\n").first.map(String.init) }
                        return nil
                    }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
            }
        } catch {
            return nil
        }
    }
}
