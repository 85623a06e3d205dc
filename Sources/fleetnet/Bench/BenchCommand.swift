import ArgumentParser
import Foundation
import KubeModel

// `fleetnet bench [SCENARIO...]`: benchmarks in release builds, printed as a table and
// optionally written as JSON (one object per scenario, keyed by its name).

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run benchmarks (use a release build: swift run -c release fleetnet bench).")

    static let fleetScenarios = ["export", "import", "endpoints", "stale", "unexport", "eastwest", "scale", "memory"]
    static let componentScenarios = ["apiserver", "runtime"]
    /// Run only when named.
    static let longScenarios = ["soak"]

    @Argument(
        help: """
            Scenarios: export, import, endpoints, stale, unexport (propagation across a local fleet); eastwest (MCS API: \
            export to name resolvable, DNS queries per second, ClusterSetIP vs. pod IP); scale, memory (a fleet with the \
            managers as processes); apiserver, runtime (components); soak (random changes with faults for --minutes, \
            the managers as processes). Default: the eight fleet scenarios.
            """)
    var scenarios: [String] = []

    @Flag(name: .long, help: "Small sizes: every fleet scenario in well under a minute; figures are indicative only.")
    var quick = false

    @Option(name: .long, help: "Objects to create, get and list in the apiserver scenario.")
    var objects: Int = 10_000

    @Option(name: .long, help: "Concurrent watchers in the apiserver scenario.")
    var watchers: Int = 100

    @Option(name: .long, help: "Writes observed by every watcher in the apiserver scenario.")
    var fanoutWrites: Int = 200

    @Option(name: .long, help: "ConfigMaps cached by the informer in the runtime scenario.")
    var informerObjects: Int = 10_000

    @Option(name: .long, help: "Keys reconciled per worker count in the runtime scenario.")
    var keys: Int = 100_000

    @Option(name: .customLong("exports"), help: "Services exported in the export scenario (default 200; --quick 40).")
    var exportsOption: Int?

    @Option(
        name: .customLong("imports"),
        help: "Services imported in the import scenario, reused by endpoints, stale and unexport; at most 250 (default 100; --quick 20).")
    var importsOption: Int?

    @Option(name: .customLong("endpoint-changes"), help: "Endpoint changes in the endpoints scenario (default 1000; --quick 80).")
    var endpointChangesOption: Int?

    @Option(name: .long, help: "Changes in flight at once in the propagation scenarios.")
    var concurrency: Int = 8

    @Option(name: .long, help: "Members in the scale and memory fleet; all export, member-1 imports (default 10; --quick 3).")
    var members: Int?

    @Option(name: .long, help: "Services exported by every member in the scale and memory scenarios (default 1000; --quick 40).")
    var services: Int?

    @Option(name: .long, help: "Endpoints per exported service in the scale and memory scenarios (default 10; --quick 4).")
    var endpoints: Int?

    @Option(name: .long, help: "Seconds of quiet after convergence, during which writes are counted (default 60; --quick 5).")
    var quietSeconds: Int?

    @Option(
        name: .long,
        help: "Directory of the manager binaries for scale and memory, e.g. .build-static/release (default: beside fleetnet).")
    var managerBinaries: String?

    @Flag(
        name: .long,
        help: "With scale: create the whole workload before the managers start, and time the fleet from their start (a hub restart or members joining a busy fleet).")
    var coldStart = false

    @Flag(
        name: .long,
        help: "With scale: run it at several sizes (--sweep-sizes), each on a fresh fleet, and print the cost curve.")
    var sweep = false

    @Option(name: .long, help: "Sizes of the sweep, MEMBERSxSERVICES, comma-separated (default 2x100,5x200,10x500,10x1000,20x1000).")
    var sweepSizes: String?

    @Option(name: .long, help: "Write the results as JSON to this file.")
    var json: String?

    @Option(name: .long, help: "Minutes of changes and faults in the soak scenario (default 30; --quick 1).")
    var minutes: Double?

    /// The sizes in effect: explicit options win, then --quick's small defaults, then the full ones.
    struct Sizes {
        var exports, imports, endpointChanges, members, services, endpoints, quietSeconds: Int
        var clusterSetExports, dnsSeconds, exchanges: Int
    }

    var sizes: Sizes {
        let fallback =
            quick
            ? Sizes(
                exports: 40, imports: 20, endpointChanges: 80, members: 3, services: 40, endpoints: 4, quietSeconds: 5,
                clusterSetExports: 10, dnsSeconds: 1, exchanges: 100)
            : Sizes(
                exports: 200, imports: 100, endpointChanges: 1000, members: 10, services: 1000, endpoints: 10, quietSeconds: 60,
                clusterSetExports: 100, dnsSeconds: 5, exchanges: 1000)
        return Sizes(
            exports: exportsOption ?? fallback.exports, imports: importsOption ?? fallback.imports,
            endpointChanges: endpointChangesOption ?? fallback.endpointChanges, members: members ?? fallback.members,
            services: services ?? fallback.services, endpoints: endpoints ?? fallback.endpoints,
            quietSeconds: quietSeconds ?? fallback.quietSeconds, clusterSetExports: fallback.clusterSetExports,
            dnsSeconds: fallback.dnsSeconds, exchanges: fallback.exchanges)
    }

    var selectedScenarios: [String] { scenarios.isEmpty ? Self.fleetScenarios : scenarios }

    func validate() throws {
        let known = Self.fleetScenarios + Self.componentScenarios + Self.longScenarios
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
        for scenario in scenarios where !known.contains(scenario) {
            throw ValidationError("unknown scenario \"\(scenario)\"; known scenarios: \(known.joined(separator: ", "))")
        }
        let sizes = sizes
        guard (1...250).contains(sizes.imports) else { throw ValidationError("--imports must be between 1 and 250") }
        guard sizes.exports > 0, sizes.endpointChanges > 0, concurrency > 0 else {
            throw ValidationError("--exports, --endpoint-changes and --concurrency must be positive")
        }
        guard objects > 0, watchers > 0, fanoutWrites > 0, informerObjects > 0, keys > 0 else {
            throw ValidationError("--objects, --watchers, --fanout-writes, --informer-objects and --keys must be positive")
        }
        guard (1...50).contains(sizes.members) else { throw ValidationError("--members must be between 1 and 50") }
        guard sizes.services > 0, sizes.endpoints > 0, sizes.services * sizes.endpoints <= 62_500 else {
            throw ValidationError(
                "--services and --endpoints must be positive, and services × endpoints at most 62500 (distinct addresses per member)")
        }
        guard sizes.quietSeconds >= 0 else { throw ValidationError("--quiet-seconds must not be negative") }
        if sweep || sweepSizes != nil {
            guard sweep, scenarios == ["scale"] else {
                throw ValidationError("--sweep runs the scale scenario alone: fleetnet bench scale --sweep [--sweep-sizes 2x100,10x500]")
            }
            let sizes = try sweepSizes.map { try ScaleSweep.parse($0) } ?? ScaleSweep.defaultSizes
            for size in sizes where !(1...50).contains(size.members) || size.services * self.sizes.endpoints > 62_500 {
                throw ValidationError("--sweep-sizes: \(size) needs 1–50 members and services × endpoints at most 62500")
            }
        }
        if coldStart, !(scenarios.contains("scale") || scenarios.contains("memory")) {
            throw ValidationError("--cold-start applies to the scale scenario: fleetnet bench scale --cold-start")
        }
        if let managerBinaries {
            for binary in ManagerProcesses.binaries
            where !FileManager.default.isExecutableFile(atPath: URL(fileURLWithPath: managerBinaries).appendingPathComponent(binary).path) {
                throw ValidationError("--manager-binaries: no executable \(binary) in \(managerBinaries)")
            }
        }
    }

    func run() async throws {
        #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; figures are not representative (use -c release)\n".utf8))
        #endif
        let sizes = sizes
        let scenarios = selectedScenarios
        var results: [String: JSONValue] = [:]
        let propagation = scenarios.filter { ["export", "import", "endpoints", "stale", "unexport"].contains($0) }
        if !propagation.isEmpty {
            let benchmark = PropagationBenchmark(
                exports: sizes.exports, imports: sizes.imports, endpointChanges: sizes.endpointChanges, concurrency: concurrency)
            for (scenario, figures) in try await benchmark.run(propagation) { results[scenario] = Self.object(figures) }
        }
        if scenarios.contains("eastwest") {
            let benchmark = EastWestBenchmark(
                exports: sizes.clusterSetExports, concurrency: concurrency, dnsSeconds: sizes.dnsSeconds, exchanges: sizes.exchanges)
            results["eastwest"] = .object(try await benchmark.run().mapValues(Self.object))
        }
        if sweep {
            let benchmark = ScaleSweep(
                sizes: try sweepSizes.map { try ScaleSweep.parse($0) } ?? ScaleSweep.defaultSizes, endpoints: sizes.endpoints,
                quietSeconds: quietSeconds ?? 10, binaryDirectory: managerBinaries.map { URL(fileURLWithPath: $0) },
                coldStart: coldStart)
            let box = SweepBox()
            try await SignalHandling.untilInterrupted {
                box.rows = try await benchmark.run { FileHandle.standardError.write(Data("bench \($0)\n".utf8)) }
            }
            guard let rows = box.rows else { throw ExitCode(130) }
            print("\nscale sweep\n" + ScaleSweep.table(rows))
            results["sweep"] = .array(rows)
        } else if scenarios.contains("scale") || scenarios.contains("memory") {
            let benchmark = ScaleBenchmark(
                members: sizes.members, services: sizes.services, endpoints: sizes.endpoints, quietSeconds: sizes.quietSeconds,
                binaryDirectory: managerBinaries.map { URL(fileURLWithPath: $0) }, coldStart: coldStart)
            // Ctrl-C stops the manager processes it started before the bench exits.
            let box = OutcomeBox()
            try await SignalHandling.untilInterrupted { box.outcome = try await benchmark.run() }
            guard let outcome = box.outcome else { throw ExitCode(130) }
            if scenarios.contains("scale") { results["scale"] = .object(outcome.scale) }
            if scenarios.contains("memory") { results["memory"] = .object(outcome.memory) }
        }
        if scenarios.contains("soak") {
            let benchmark = SoakBenchmark(
                minutes: minutes ?? (quick ? 1 : 30), members: members ?? 3, services: services ?? 30,
                binaryDirectory: managerBinaries.map { URL(fileURLWithPath: $0) })
            let box = SoakBox()
            try await SignalHandling.untilInterrupted { box.figures = try await benchmark.run() }
            guard let figures = box.figures else { throw ExitCode(130) }
            results["soak"] = .object(figures)
        }
        for scenario in scenarios {
            switch scenario {
            case "apiserver":
                let benchmark = APIServerBenchmark(objectCount: objects, watcherCount: watchers, fanoutWrites: fanoutWrites)
                results[scenario] = Self.object(try await benchmark.run())
            case "runtime":
                results[scenario] = Self.object(try await RuntimeBenchmark(objectCount: informerObjects, keyCount: keys).run())
            default:
                break
            }
        }
        for scenario in scenarios {
            guard let figures = results[scenario] else { continue }
            print("\n\(scenario)")
            for (name, value) in Self.rows(figures) {
                print("  \(name.padding(toLength: 44, withPad: " ", startingAt: 0)) \(value)")
            }
        }
        if let json {
            let object = try JSONSerialization.jsonObject(with: Data(JSONValue.object(results).serialized()))
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    final class OutcomeBox: @unchecked Sendable {
        var outcome: ScaleBenchmark.Results?
    }

    final class SweepBox: @unchecked Sendable {
        var rows: [JSONValue]?
    }

    final class SoakBox: @unchecked Sendable {
        var figures: [String: JSONValue]?
    }

    static func object(_ figures: [String: Double]) -> JSONValue {
        .object(figures.mapValues { $0 == $0.rounded() && abs($0) < 1e15 ? .int(Int64($0)) : .double($0) })
    }

    /// Table rows of a scenario's figures; nested objects (memory per manager) as `outer.inner`.
    static func rows(_ value: JSONValue, prefix: String = "") -> [(String, String)] {
        guard case .object(let members) = value else { return [(prefix, cell(value))] }
        return members.keys.sorted().flatMap { key in
            rows(members[key]!, prefix: prefix.isEmpty ? key : "\(prefix).\(key)")
        }
    }

    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .int(let number): return String(number)
        case .double(let number): return format(number)
        case .string(let text): return text
        default: return "\(value)"
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
