import ARMServer
import ClusterDNS
@testable import LocalFleet
import KubeModel
import KubeTestSupport
import Logging
import Testing

// The local Traffic Manager's answers: the weighted choice (proportions over many draws with a
// seeded generator, degraded endpoints left out unless all are, disabled and unresolvable ones
// never; reproducible with a seeded generator), and the DNS server's responses for profiles, targets and other names, over UDP.

@Suite struct TrafficManagerDNSTests {
    static let quiet: Logger = {
        var logger = Logger(label: "tm-dns-test")
        logger.logLevel = .critical
        return logger
    }()
    static let subscription = "sub"
    static let group = "rg"

    /// A store with profile `p` (`relative.trafficmanager.net`) and endpoints to public IPs
    /// `ip-<name>` (`<name>.east.cloudapp.azure.com`, 127.1.0.<n>), weights as given.
    static func store(_ endpoints: [(name: String, weight: Int, status: String)], properties: [String: JSONValue] = [:]) throws -> ARMStore {
        let store = ARMStore()
        store.addResourceGroup(group, subscription: subscription)
        try store.seedProfile("p", relativeName: "relative", group: group, subscription: subscription, properties: properties)
        for (index, endpoint) in endpoints.enumerated() {
            store.putPublicIP(
                .init(name: "ip-\(endpoint.name)", ipAddress: "127.1.0.\(index + 1)", dnsLabel: endpoint.name, location: "east"),
                group: group, subscription: subscription)
            try store.seedEndpoint(
                endpoint.name, targetResourceID: ARMStore.publicIPID(subscription: subscription, group: group, name: "ip-\(endpoint.name)"),
                weight: endpoint.weight, status: endpoint.status, profile: "p", group: group, subscription: subscription)
        }
        return store
    }

    static func draws(_ store: ARMStore, degraded: Set<String> = [], count: Int = 4_000) -> [String: Int] {
        let profile = store.profiles[0]
        var generator = SplitMix64(seed: 42)
        var counts: [String: Int] = [:]
        var addresses: [String: String] = [:]
        for endpoint in profile.endpoints { addresses[endpoint.name] = store.publicIP(withID: endpoint.targetResourceID)?.ipAddress }
        for _ in 0..<count {
            let choice = TrafficManagerRouting.choose(
                in: profile, address: { addresses[$0.name] }, isDegraded: { degraded.contains($0.name) }, using: &generator)
            counts[choice?.endpoint.name ?? "none", default: 0] += 1
        }
        return counts
    }

    @Test func choicesFollowWeightsAmongHealthyEnabledEndpoints() throws {
        let store = try Self.store([("a", 1, "Enabled"), ("b", 3, "Enabled"), ("c", 6, "Enabled"), ("off", 500, "Disabled")])
        let counts = Self.draws(store)
        #expect(counts["off"] == nil)
        // Expected 10%, 30%, 60% of 4,000 (the seed makes the draws the same every run; the bounds
        // are five standard deviations, so another seed would pass too).
        #expect(abs(counts["a", default: 0] - 400) < 95, "\(counts)")
        #expect(abs(counts["b", default: 0] - 1_200) < 145, "\(counts)")
        #expect(abs(counts["c", default: 0] - 2_400) < 155, "\(counts)")

        // A degraded endpoint is left out; the others keep their ratio.
        let withoutC = Self.draws(store, degraded: ["c"])
        #expect(withoutC["c"] == nil)
        #expect(abs(withoutC["a", default: 0] - 1_000) < 140, "\(withoutC)")
        // All degraded: all answered, as Azure does.
        let allDegraded = Self.draws(store, degraded: ["a", "b", "c"])
        #expect(Set(allDegraded.keys) == ["a", "b", "c"])
        // A target that no longer resolves is never answered; no endpoint at all gives no choice.
        store.deletePublicIP("ip-c", group: Self.group, subscription: Self.subscription)
        #expect(Self.draws(store, count: 1_000)["c"] == nil)
        #expect(Self.draws(try Self.store([]), count: 10) == ["none": 10])
    }

    @Test func dnsAnswersProfilesTargetsAndRefusesOtherNames() async throws {
        let store = try Self.store([("only", 1, "Enabled")])
        let handler = TrafficManagerDNSHandler(store: store, prober: TrafficManagerProber(store: store, logger: Self.quiet))
        let server = try await DNSServer.start(host: "127.0.0.1", port: 0, handler: handler, logger: Self.quiet)
        do {
            try await Self.checkAnswers(store: store, port: server.port)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    static func checkAnswers(store: ARMStore, port: Int) async throws {
        func ask(_ name: String, _ type: DNSRecordType = .a) async throws -> DNSMessage {
            try await DNSClient.query(name, type: type, server: "127.0.0.1", port: port, timeout: .seconds(10))
        }

        let answer = try await ask("RELATIVE.trafficmanager.net")
        #expect(answer.responseCode == .noError && answer.isAuthoritative)
        #expect(
            answer.answers == [
                .cname(name: "relative.trafficmanager.net", target: "only.east.cloudapp.azure.com", ttl: 60),
                .a(name: "only.east.cloudapp.azure.com", address: "127.1.0.1", ttl: 10),
            ])
        // Another type: the CNAME only.
        #expect(try await ask("relative.trafficmanager.net", .aaaa).answers.map(\.type) == [.cname])
        // The target's own name.
        #expect(try await ask("only.east.cloudapp.azure.com").answers == [.a(name: "only.east.cloudapp.azure.com", address: "127.1.0.1", ttl: 10)])
        // Unknown names in both zones: NXDOMAIN with the zone's SOA; other zones: REFUSED.
        let missing = try await ask("nobody.trafficmanager.net")
        #expect(missing.responseCode == .nameError && missing.authorities.map(\.type) == [.soa])
        #expect(try await ask("nobody.east.cloudapp.azure.com").responseCode == .nameError)
        #expect(try await ask("example.com").responseCode == .refused)

        // A profile without endpoints: NODATA. A disabled one: NXDOMAIN.
        try store.seedProfile("empty", relativeName: "empty", group: Self.group, subscription: Self.subscription)
        let empty = try await ask("empty.trafficmanager.net")
        #expect(empty.responseCode == .noError && empty.answers.isEmpty)
        try store.seedProfile(
            "off", relativeName: "off", group: Self.group, subscription: Self.subscription, properties: ["profileStatus": "Disabled"])
        #expect(try await ask("off.trafficmanager.net").responseCode == .nameError)
    }
}
