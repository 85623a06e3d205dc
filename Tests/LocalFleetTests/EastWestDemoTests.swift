import ClusterDNS
import Foundation
import LocalFleet
import Logging
import Synchronization
import Testing

/// `fleetnet demo east-west` in-process on a fleet of three members: every step holds (member-3
/// imports by itself, resolves the clusterset name through its own DNS to its ClusterSetIP, HTTP
/// through it reaches both exporters, then only the one still exporting), and DIR/fleet.json lists
/// each member's addresses and a DNS server that answers.
@Suite struct EastWestDemoTests {
    @Test func theEastWestWalkHoldsAndFleetJSONNamesEveryMembersDNS() async throws {
        var logger = Logger(label: "east-west-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 3, directory: directory), logger: logger)
        let steps = Mutex<[DemoSteps.Step]>([])
        try await session.run { endpoints in
            var demo = EastWestDemo(endpoints: endpoints)
            demo.stepTimeout = .seconds(60)
            let held = await demo.run { step in steps.withLock { $0.append(step) } }
            #expect(held, "\(steps.withLock { $0.map { "\($0.held) \($0.title): \($0.observed)" } })")
            #expect(steps.withLock { $0.count } == 7)

            let file = try FleetFile.read(from: directory.appendingPathComponent("fleet.json"))
            #expect(file.hub.server == endpoints.servers.first?.url)
            #expect(file.members == endpoints.members)
            #expect(file.members.map(\.name) == ["member-1", "member-2", "member-3"])
            for (index, member) in file.members.enumerated() {
                #expect(member.podCIDR == "127.\(11 + index).0.0/16" && member.serviceCIDR == "127.\(101 + index).0.0/16")
                #expect(member.loadBalancerCIDR == "127.\(201 + index).0.0/16")
                let parts = member.dns.split(separator: ":")
                #expect(parts.first?.hasPrefix("127.\(101 + index).") == true, "\(member.name)'s DNS is in its Service range")
                let version = try await DNSClient.query(
                    "dns-version.clusterset.local", type: .txt, server: String(parts[0]), port: Int(parts[1]) ?? 0)
                #expect(version.answers.map(\.data) == [.txt(["1.0.0"])])
            }
            return false
        }
    }
}
