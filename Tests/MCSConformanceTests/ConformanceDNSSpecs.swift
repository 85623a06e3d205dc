import ClusterDNS
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import Testing

// The conformance specs that use DNS (mcs-api `conformance/`, specs 16, 17 and 22–27 of
// ../shared/spec/mcs-api.md §10): real queries to each member's cluster DNS (the resolver its pods
// use), and for 16–17 connections to what they resolve from each member's request Pod, instead of
// `nslookup` and `nc` run with `kubectl exec`.

extension ConformanceAPISpecs {
    // MARK: Connectivity through DNS

    @Test("16: a service that is not exported is not reachable through clusterset.local", .tags(.required))
    func unexportedServiceIsUnreachable() async throws {
        try await withFixture(exported: false) { fixture in
            for index in 0..<fixture.clusterCount {
                let source = try await fixture.requestPodIP(in: index)
                for _ in 0..<20 {
                    let addresses = (try? await fixture.addresses(of: fixture.clusterSetName, in: index)) ?? []
                    for address in addresses {
                        let reply = await Probe.tcp(from: source, to: address, port: 42)
                        #expect(Self.answeringPod(reply) == nil, "cluster \(index) reached \(address): \(reply ?? "")")
                    }
                    #expect(addresses.isEmpty, "cluster \(index) resolves the unexported name to \(addresses)")
                }
            }
        }
    }

    @Test("17: an exported ClusterIP service is reachable through clusterset.local from every cluster", .tags(.optional))
    func exportedServiceIsReachableByName() async throws {
        try await withFixture { fixture in
            let pods = try await Self.readyPodIPs(fixture, in: 0)
            for index in 0..<fixture.clusterCount {
                let source = try await fixture.requestPodIP(in: index)
                try await eventually("cluster \(index) resolves the name and reaches a hello pod over TCP and UDP") {
                    guard let address = try await fixture.addresses(of: fixture.clusterSetName, in: index).first else { return false }
                    let tcp = Self.answeringPod(await Probe.tcp(from: source, to: address, port: 42))
                    let udp = Self.answeringPod(await Probe.udp(from: source, to: address, port: 42))
                    return tcp.map(pods.contains) == true && udp.map(pods.contains) == true
                }
            }
        }
    }

    // MARK: ClusterSetIP services

    @Test("22: the ClusterSetIP service's name resolves to its IPs in every cluster", .tags(.optional))
    func clusterSetIPAddressRecords() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                let ips = try await Self.clusterSetIPs(fixture, in: index)
                try await eventually("cluster \(index) resolves \(fixture.clusterSetName) to \(ips)") {
                    Set(try await fixture.addresses(of: fixture.clusterSetName, in: index)).isSuperset(of: ips.filter { !$0.contains(":") })
                }
            }
        }
    }

    @Test("23: the ClusterSetIP service's SRV record names the service and port 42", .tags(.optional))
    func clusterSetIPServiceRecords() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                _ = try await Self.clusterSetIPs(fixture, in: index)
                try await eventually("cluster \(index)'s bare-name SRV is exactly {42, \(fixture.clusterSetName)}") {
                    let records = try await Self.serviceRecords(fixture.clusterSetName, fixture: fixture, in: index)
                    return records.count == 1 && records.first?.port == 42
                        && records.first.map { Self.sameName($0.target, fixture.clusterSetName) } == true
                }
            }
        }
    }

    @Test("24: cluster.local keeps answering the local service", .tags(.optional))
    func clusterLocalStaysLocal() async throws {
        try await withFixture { fixture in
            let local = try await fixture.fleet.clusters[0].api(Service.self, namespace: fixture.namespace).get(ConformanceFixture.name)
            let clusterIP = try #require(local.spec?.clusterIP)
            _ = try await Self.clusterSetIPs(fixture, in: 0)
            try await eventually("cluster 0 resolves hello.<ns>.svc.cluster.local to its own cluster IP") {
                try await fixture.addresses(of: "\(ConformanceFixture.name).\(fixture.namespace).svc.cluster.local.", in: 0) == [clusterIP]
            }
        }
    }

    // MARK: Headless services

    @Test("25: a headless service's name resolves to the ready endpoints in every cluster", .tags(.optional))
    func headlessAddressRecords() async throws {
        try await withFixture(replicas: 2, service: Self.headless) { fixture in
            let expected = try await Self.readyLocalAddresses(fixture, count: 2)
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) resolves \(fixture.clusterSetName) to \(expected)") {
                    try await fixture.addresses(of: fixture.clusterSetName, in: index).sorted() == expected
                }
            }
        }
    }

    @Test("26: a StatefulSet's pods resolve by <hostname>.<cluster>.<service> in every cluster", .tags(.optional))
    func statefulSetPodNames() async throws {
        try await withFixture(exported: false, service: {
            $0.spec?.clusterIP = "None"
            $0.spec?.selector = ["app": "hello-ss"]
        }) { fixture in
            let labels = ["app": "hello-ss"]
            _ = try await fixture.fleet.clusters[0].api(StatefulSet.self, namespace: fixture.namespace).create(
                StatefulSet(
                    metadata: ObjectMeta(name: "hello-ss", namespace: fixture.namespace),
                    spec: StatefulSetSpec(
                        replicas: 2, selector: LabelSelector(matchLabels: labels),
                        template: ConformanceFixture.helloTemplate(labels: labels), serviceName: ConformanceFixture.name)))
            try await fixture.export(in: 0)
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) has an MCS slice with 2 ready endpoints with hostnames", timeout: .seconds(60)) {
                    try await fixture.importedSlices(in: index).contains { slice in
                        slice.endpoints.filter { $0.conditions?.ready == true && $0.hostname != nil }.count == 2
                    }
                }
                let slice = try #require(
                    try await fixture.importedSlices(in: index).first { $0.endpoints.contains { $0.hostname != nil } })
                let cluster = try #require(slice.metadata.labels?[MCSLabels.sourceCluster])
                for endpoint in slice.endpoints {
                    let hostname = try #require(endpoint.hostname)
                    let name = "\(hostname).\(cluster).\(fixture.clusterSetName)"
                    try await eventually("cluster \(index) resolves \(name) to \(endpoint.addresses)") {
                        try await fixture.addresses(of: name, in: index).sorted() == endpoint.addresses.sorted()
                    }
                }
            }
        }
    }

    @Test("27: a headless service's SRV records name each ready endpoint", .tags(.optional))
    func headlessServiceRecords() async throws {
        try await withFixture(replicas: 2, service: Self.headless) { fixture in
            let addresses = try await Self.readyLocalAddresses(fixture, count: 2)
            let prefixes = addresses.map { $0.replacingOccurrences(of: ".", with: "-") }
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s bare-name SRV has one record per endpoint on port 42") {
                    let records = try await Self.serviceRecords(fixture.clusterSetName, fixture: fixture, in: index)
                    let targets = records.map(\.target)
                    return records.count == 2 && records.allSatisfy { $0.port == 42 }
                        && prefixes.allSatisfy { prefix in targets.contains { $0.hasPrefix(prefix + ".") } }
                }
            }
        }
    }

    // MARK: Helpers

    /// The import's IPs in cluster `index`, once it has them.
    static func clusterSetIPs(_ fixture: ConformanceFixture, in index: Int) async throws -> [String] {
        try await eventually("cluster \(index)'s import has its IPs") {
            !(try await fixture.serviceImport(in: index)?.spec.ips ?? []).isEmpty
        }
        return try await fixture.serviceImport(in: index)?.spec.ips ?? []
    }

    /// The SRV records answered for `name` in cluster `index`.
    static func serviceRecords(
        _ name: String, fixture: ConformanceFixture, in index: Int
    ) async throws -> [(port: UInt16, target: String)] {
        try await fixture.lookup(name, .srv, in: index).answers.compactMap { record in
            if case .srv(_, _, let port, let target) = record.data { return (port, target) }
            return nil
        }
    }

    /// The sorted ready addresses of cluster 0's own EndpointSlices of `hello`, once `count` are.
    static func readyLocalAddresses(_ fixture: ConformanceFixture, count: Int) async throws -> [String] {
        let api = fixture.fleet.clusters[0].api(EndpointSlice.self, namespace: fixture.namespace)
        let selector = "kubernetes.io/service-name=\(ConformanceFixture.name)"
        try await eventually("cluster 0 has \(count) ready endpoints", timeout: .seconds(60)) {
            try await api.list(labelSelector: selector).items.flatMap(\.endpoints).filter { $0.conditions?.ready == true }.count == count
        }
        return try await api.list(labelSelector: selector).items.flatMap(\.endpoints).filter { $0.conditions?.ready == true }
            .flatMap(\.addresses).sorted()
    }

    /// Whether two DNS names are the same, ignoring case and a final dot.
    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        func normal(_ name: String) -> String { (name.hasSuffix(".") ? String(name.dropLast()) : name).lowercased() }
        return normal(lhs) == normal(rhs)
    }
}
