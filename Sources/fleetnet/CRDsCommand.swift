import ArgumentParser
import FleetAPI
import Foundation

/// `fleetnet crds`: writes the CRD manifests and docs/api.md generated from Sources/FleetAPI.
struct CRDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Generate the CRD manifests (config/crd) and docs/api.md from the Swift API definitions."
    )

    @Option(name: .long, help: "Repository root to write into.")
    var root: String = "."

    @Flag(name: .long, help: "Only check that the files on disk are up to date; exit 1 if not.")
    var check = false

    func run() throws {
        let rootURL = URL(fileURLWithPath: root, isDirectory: true)
        var stale: [String] = []
        for file in try GeneratedFiles.all() {
            let url = rootURL.appendingPathComponent(file.path)
            let existing = try? String(contentsOf: url, encoding: .utf8)
            if existing == file.contents { continue }
            if check {
                stale.append(file.path)
                continue
            }
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try file.contents.write(to: url, atomically: true, encoding: .utf8)
            print("wrote \(file.path)")
        }
        if check, !stale.isEmpty {
            print("out of date (run `swift run fleetnet crds`): " + stale.joined(separator: ", "))
            throw ExitCode(1)
        }
    }
}
