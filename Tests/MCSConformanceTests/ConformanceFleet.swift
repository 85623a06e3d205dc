import FleetAPI
import Foundation
import KubeClient
import KubeModel
import LocalFleet
import Logging
import KubeTestSupport
import Testing

// The fleet the conformance specs run on: one local fleet (hub and two members, as the upstream
// suite's `--contexts=c1,c2`), started once for the whole suite by the `.localFleet` trait and
// shared by the specs, each in a namespace of its own (`mcs-conformance-<uint32>`, created in
// every member and not on the hub, as the upstream suite does: it never sees the hub).

/// A started local fleet, as the specs see it.
struct ConformanceFleet: Sendable {
    /// Admin clients of the member clusters, in context order (c0, c1).
    let clusters: [KubeClient]
    let names: [String]
    /// Each member's cluster DNS (the resolver its pods use): host and port.
    let dns: [(host: String, port: Int)]

    @TaskLocal static var current: ConformanceFleet?

    /// The fleet of the running suite.
    static var shared: ConformanceFleet {
        get throws { try #require(current, "the suite runs on the .localFleet trait") }
    }
}

/// Runs a suite on a local fleet with `members` members, started before its first test and stopped
/// after its last.
struct LocalFleetTrait: SuiteTrait, TestScoping {
    let members: Int

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        var logger = Logger(label: "mcs-conformance")
        logger.logLevel = ProcessInfo.processInfo.environment["FLEET_TEST_LOG"] != nil ? .debug : .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-conformance-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: members, directory: directory), logger: logger)
        let names = session.memberNames
        // `run` returns only after its closure did: the suite never outlives this scope.
        try await withoutActuallyEscaping(function) { suite in
            try await session.run { endpoints in
                let dns = endpoints.members.map { member -> (host: String, port: Int) in
                    let parts = member.dns.split(separator: ":")
                    return (String(parts.first ?? ""), Int(parts.last ?? "") ?? 53)
                }
                let fleet = ConformanceFleet(clusters: names.map { endpoints.clients[$0]! }, names: names, dns: dns)
                try await ConformanceFleet.$current.withValue(fleet) { try await suite() }
                return false
            }
        }
    }
}

extension Trait where Self == LocalFleetTrait {
    /// A local fleet of `members` members for the whole suite.
    static func localFleet(members: Int = 2) -> Self { LocalFleetTrait(members: members) }
}

// MARK: Timing, as the upstream suite's

/// Polls `condition` every 100 ms until it holds; fails the test after 20 s (the suite's API waits).
func eventually(
    _ description: String, timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    try await KubeTestSupport.eventually(description, timeout: timeout, poll: .milliseconds(100), condition, sourceLocation: sourceLocation)
}

/// Checks that `condition` keeps holding for 5 s (the suite's "consistently").
func consistently(
    _ description: String, _ condition: @Sendable () async throws -> Bool, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    try await KubeTestSupport.consistently(
        description, for: .seconds(5), poll: .milliseconds(100), condition, sourceLocation: sourceLocation)
}
