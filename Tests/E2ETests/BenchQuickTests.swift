import Foundation
import Testing

// `fleetnet bench --quick --json FILE` as a user runs it: every fleet scenario (export, import,
// endpoints, stale, unexport, scale, memory with the manager binaries as processes) runs and reports sane,
// non-zero figures. Timings are not asserted; a benchmark is not a timed test.

@Suite(.serialized) struct BenchQuickTests {
    /// The directory holding the test bundle, where `swift build` puts the executables too.
    static func buildDirectory(holding executables: [String]) -> URL? {
        let argument0 = URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        var candidates = [argument0.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        return candidates.first { directory in
            executables.allSatisfy { FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent($0).path) }
        }
    }

    static let executables = ["fleetnet", "hub-net-controller-manager", "member-net-controller-manager", "mcs-controller-manager"]

    @Test(.enabled(if: buildDirectory(holding: executables) != nil, "fleetnet and the manager executables are not next to the test bundle (run `swift build` first)"))
    func quickBenchRunsEveryFleetScenarioAndReportsSaneFigures() async throws {
        let directory = try #require(Self.buildDirectory(holding: Self.executables))
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-bench-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: json) }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-bench-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        FileManager.default.createFile(atPath: log.path, contents: nil)

        let process = Process()
        let fleetnet = directory.appendingPathComponent("fleetnet")
        let arguments = ["bench", "--quick", "--json", json.path]
        // At a lower CPU priority (inherited by the managers it starts): a whole fleet on 2 cores
        // would otherwise starve the timing-sensitive tests running beside it.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/nice") {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
            process.arguments = ["-n", "10", fleetnet.path] + arguments
        } else {
            process.executableURL = fleetnet
            process.arguments = arguments
        }
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = ContinuousClock.now + .seconds(600)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let printed = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(process.terminationStatus == 0, "fleetnet bench --quick failed:\n\(printed.suffix(3000))")

        // The table names every scenario.
        for scenario in ["export", "import", "endpoints", "stale", "unexport", "eastwest", "scale", "memory"] {
            #expect(printed.contains("\n\(scenario)\n"), "the table has a \(scenario) section")
        }
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        for (scenario, minimum) in [("export", 40), ("import", 20), ("endpoints", 80), ("stale", 20), ("unexport", 20)] {
            let figures = try #require(results[scenario] as? [String: Double], "\(scenario) in the JSON")
            let (count, p50, p90, p99, max) = (figures["count"] ?? 0, figures["p50_ms"] ?? 0, figures["p90_ms"] ?? 0, figures["p99_ms"] ?? 0, figures["max_ms"] ?? 0)
            #expect(count == Double(minimum), "\(scenario): \(count) samples")
            #expect(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, "\(scenario): percentiles \(figures)")
            #expect(max < 60_000, "\(scenario): a latency under the 60 s give-up")
        }
        let eastWest = try #require(results["eastwest"] as? [String: [String: Double]], "eastwest in the JSON")
        let resolve = try #require(eastWest["resolve"], "eastwest.resolve")
        #expect(resolve["count"] == 10 && (resolve["p50_ms"] ?? 0) > 0 && (resolve["p50_ms"] ?? 0) <= (resolve["p99_ms"] ?? 0), "\(resolve)")
        let dns = try #require(eastWest["dns"], "eastwest.dns")
        #expect((dns["queries_per_second"] ?? 0) > 10 && (dns["count"] ?? 0) > 10, "\(dns)")
        let proxy = try #require(eastWest["proxy"], "eastwest.proxy")
        #expect(proxy["count"] == 100 && (proxy["clusterset_ip_p50_ms"] ?? 0) > 0 && (proxy["pod_ip_p50_ms"] ?? 0) > 0, "\(proxy)")

        let scale = try #require(results["scale"] as? [String: Double], "scale in the JSON")
        #expect(scale["members"] == 3 && scale["services"] == 40 && scale["endpoints"] == 4)
        let writes = scale["writes"] ?? 0
        #expect((scale["converge_s"] ?? 0) > 0)
        // At least the hub's InternalServiceExport per export was written by the controllers.
        #expect(writes >= 3 * 40 && (scale["requests"] ?? 0) >= writes, "scale: \(scale)")
        #expect((scale["hub_writes"] ?? 0) > 0 && (scale["member_writes_max"] ?? 0) > 0)
        #expect(scale["quiet_writes"] != nil && (scale["quiet_lease_writes"] ?? 0) > 0, "leases are renewed while quiet")

        let memory = try #require(results["memory"] as? [String: Any], "memory in the JSON")
        #expect(memory["processes"] as? Double == 7, "one hub manager and two agents per member")
        for binary in Self.executables.dropFirst() {
            let figures = try #require(memory[binary] as? [String: Double], "memory of \(binary)")
            let (idle, atScale) = (figures["idle_rss_mb"] ?? 0, figures["scale_rss_mb"] ?? 0)
            #expect(idle > 1 && idle < 4096 && atScale > 1 && atScale < 4096, "\(binary): \(figures)")
        }
    }
}
