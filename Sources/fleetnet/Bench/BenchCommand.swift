import ArgumentParser
import Foundation

// `fleetnet bench [SCENARIO...]`: benchmarks in release builds, printed as a table and
// optionally written as JSON (one object per scenario, keyed by its name).

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Run benchmarks (use a release build: swift run -c release fleetnet bench).")

    @Argument(help: "Scenarios to run: export, import, endpoints, stale (propagation on a local fleet), apiserver, runtime.")
    var scenarios: [String] = ["apiserver"]

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

    @Option(name: .long, help: "Services exported in the export scenario.")
    var exports: Int = 200

    @Option(name: .long, help: "Services imported in the import scenario (also used by endpoints and stale; at most 250).")
    var imports: Int = 100

    @Option(name: .long, help: "Endpoint changes in the endpoints scenario.")
    var endpointChanges: Int = 1000

    @Option(name: .long, help: "Changes in flight at once in the propagation scenarios.")
    var concurrency: Int = 8

    @Option(name: .long, help: "Write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        let known = ["export", "import", "endpoints", "stale", "apiserver", "runtime"]
        for scenario in scenarios where !known.contains(scenario) {
            throw ValidationError("unknown scenario \"\(scenario)\"; known scenarios: \(known.joined(separator: ", "))")
        }
        guard (1...250).contains(imports) else { throw ValidationError("--imports must be between 1 and 250") }
        guard exports > 0, endpointChanges > 0, concurrency > 0 else {
            throw ValidationError("--exports, --endpoint-changes and --concurrency must be positive")
        }
        guard objects > 0, watchers > 0, fanoutWrites > 0, informerObjects > 0, keys > 0 else {
            throw ValidationError("--objects, --watchers, --fanout-writes, --informer-objects and --keys must be positive")
        }
    }

    func run() async throws {
        #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; figures are not representative (use -c release)\n".utf8))
        #endif
        var results: [String: [String: Double]] = [:]
        let propagation = scenarios.filter { ["export", "import", "endpoints", "stale"].contains($0) }
        if !propagation.isEmpty {
            let benchmark = PropagationBenchmark(
                exports: exports, imports: imports, endpointChanges: endpointChanges, concurrency: concurrency)
            results.merge(try await benchmark.run(propagation)) { $1 }
        }
        for scenario in scenarios {
            switch scenario {
            case "apiserver":
                let benchmark = APIServerBenchmark(objectCount: objects, watcherCount: watchers, fanoutWrites: fanoutWrites)
                results[scenario] = try await benchmark.run()
            case "runtime":
                results[scenario] = try await RuntimeBenchmark(objectCount: informerObjects, keyCount: keys).run()
            default:
                break
            }
        }
        for (scenario, figures) in results.sorted(by: { $0.key < $1.key }) {
            print("\n\(scenario)")
            for (name, value) in figures.sorted(by: { $0.key < $1.key }) {
                print("  \(name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(Self.format(value))")
            }
        }
        if let json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: json))
        }
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
