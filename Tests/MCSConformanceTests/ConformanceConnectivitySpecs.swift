import FleetAPI
import Foundation
import KubeClient
import KubeModel
import Testing

// The conformance specs that send traffic (mcs-api `conformance/`, specs 16–20 of
// ../shared/spec/mcs-api.md §10): probes from each member's request Pod (its IP on the member's pod
// network) to the ClusterSetIP over real TCP and UDP, through the member's light kube-proxy, with
// the suite's repetition counts (n consecutive answers, checked every second, within 20·n s).

extension ConformanceAPISpecs {
    /// Waits until `check` holds `count` times in a row, checked every second (the suite's
    /// "consistently n times" for commands), within 20·count seconds.
    static func consecutively(_ count: Int, _ description: String, _ check: @Sendable () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60 + 3 * count)
        var streak = 0
        while ContinuousClock.now < deadline {
            streak = (try? await check()) == true ? streak + 1 : 0
            if streak >= count { return }
            try await Task.sleep(for: .seconds(1))
        }
        Issue.record("never \(count) consecutive times: \(description)")
    }

    /// The pod IP in the answer `pod ip <ip>`.
    static func answeringPod(_ reply: String?) -> String? {
        guard let reply, reply.hasPrefix("pod ip ") else { return nil }
        return String(reply.dropFirst("pod ip ".count)).trimmingCharacters(in: .whitespaces)
    }

    @Test("18: a service deployed in two clusters and exported from one is served by that one only", .tags(.optional))
    func exportedFromOneOfTwo() async throws {
        try await withFixture { fixture in
            try await fixture.deploy(in: 1)
            let exporter = try await Self.readyPodIPs(fixture, in: 0)
            for index in 0..<fixture.clusterCount {
                let source = try await fixture.requestPodIP(in: index)
                let ip = try await Self.clusterSetIP(fixture, in: index)
                try await Self.consecutively(10, "cluster \(index): TCP :42 answered by cluster 0's pod") {
                    Self.answeringPod(await Probe.tcp(from: source, to: ip, port: 42)).map(exporter.contains) == true
                }
            }
        }
    }

    @Test("19: a port whose number differs in another cluster reaches only the oldest export's pods", .tags(.optional))
    func samePortNameOtherNumberRouting() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster(service: {
                $0.spec?.ports = [ServicePort(name: "tcp", protocol: "TCP", port: 4242, targetPort: .int(42))]
            })
            let oldest = try await Self.readyPodIPs(fixture, in: 0)
            for index in 0..<fixture.clusterCount {
                let source = try await fixture.requestPodIP(in: index)
                let ip = try await Self.clusterSetIP(fixture, in: index)
                try await Self.consecutively(10, "cluster \(index): TCP :42 answered by cluster 0's pod only") {
                    Self.answeringPod(await Probe.tcp(from: source, to: ip, port: 42)).map(oldest.contains) == true
                }
            }
        }
    }

    @Test("20: ports of different names reach the pods of the clusters exposing each", .tags(.optional))
    func differentPortNamesRouting() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster(service: {
                $0.spec?.ports = [ServicePort(name: "tcp2", protocol: "TCP", port: 4242, targetPort: .int(42))]
            })
            let first = try await Self.readyPodIPs(fixture, in: 0)
            let second = try await Self.readyPodIPs(fixture, in: 1)
            for index in 0..<fixture.clusterCount {
                let source = try await fixture.requestPodIP(in: index)
                try await eventually("cluster \(index)'s import has ports 42 and 4242") {
                    Set(try await fixture.serviceImport(in: index)?.spec.ports.map(\.port) ?? []).isSuperset(of: [42, 4242])
                }
                let ip = try await Self.clusterSetIP(fixture, in: index)
                try await Self.consecutively(10, "cluster \(index): TCP :42 answered by cluster 0's pod only") {
                    Self.answeringPod(await Probe.tcp(from: source, to: ip, port: 42)).map(first.contains) == true
                }
                try await Self.consecutively(10, "cluster \(index): TCP :4242 answered by cluster 1's pod only") {
                    Self.answeringPod(await Probe.tcp(from: source, to: ip, port: 4242)).map(second.contains) == true
                }
            }
        }
    }

    /// The ClusterSetIP of the import in cluster `index`, once it has one.
    static func clusterSetIP(_ fixture: ConformanceFixture, in index: Int) async throws -> String {
        try await eventually("cluster \(index)'s import has a ClusterSetIP") {
            !(try await fixture.serviceImport(in: index)?.spec.ips ?? []).isEmpty
        }
        return try #require(try await fixture.serviceImport(in: index)?.spec.ips?.first)
    }

    /// The IPs of cluster `index`'s `hello` pods, once one is there.
    static func readyPodIPs(_ fixture: ConformanceFixture, in index: Int) async throws -> Set<String> {
        try await eventually("cluster \(index) runs a hello pod", timeout: .seconds(60)) {
            !(try await fixture.helloPodIPs(in: index)).isEmpty
        }
        return try await fixture.helloPodIPs(in: index)
    }
}
