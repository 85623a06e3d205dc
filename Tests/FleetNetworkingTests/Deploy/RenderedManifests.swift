import Foundation
import KubeModel
import KubeServer

// The deployment manifests under config/, rendered the way an operator renders them
// (`kubectl kustomize`), as JSON documents. The overlays' inputs (member name, hub URL, hub CA)
// are written into a scratch copy of config/, so the repository is never modified.

struct RenderedManifests: Sendable {
    let documents: [JSONValue]

    /// The repository root (the directory holding Package.swift).
    static let repositoryRoot: URL = {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) { return directory }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// kubectl from PATH, or nil (the tests that need it are skipped with a message).
    static let kubectl: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("kubectl")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// The manifests a kind defines, e.g. `ofKind("ClusterRole")`.
    func ofKind(_ kind: String) -> [JSONValue] {
        documents.filter { $0["kind"]?.stringValue == kind }
    }

    /// The one document of `kind` named `name`.
    func object(_ kind: String, _ name: String) -> JSONValue? {
        ofKind(kind).first { $0[path: ["metadata", "name"]]?.stringValue == name }
    }

    /// The user each Deployment's pods authenticate as (its ServiceAccount), by Deployment name.
    var serviceAccountUsers: [String: String] {
        var users: [String: String] = [:]
        for deployment in ofKind("Deployment") {
            guard let name = deployment[path: ["metadata", "name"]]?.stringValue,
                let namespace = deployment[path: ["metadata", "namespace"]]?.stringValue,
                let account = deployment[path: ["spec", "template", "spec", "serviceAccountName"]]?.stringValue
            else { continue }
            users[name] = "system:serviceaccount:\(namespace):\(account)"
        }
        return users
    }

    /// Renders the kustomization at `path` (relative to config/) after writing `inputs`
    /// (file name relative to config/ → contents) into a scratch copy of config/.
    static func render(_ path: String, inputs: [String: String] = [:]) throws -> RenderedManifests {
        guard let kubectl else { throw RenderError(message: "kubectl is not installed") }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("config")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("config"), to: config)
        for (file, contents) in inputs {
            try contents.write(to: config.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = kubectl
        process.arguments = ["kustomize", config.appendingPathComponent(path).path]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: the output is larger than a pipe's buffer.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RenderError(message: "kubectl kustomize \(path) failed: \(String(decoding: errorData, as: UTF8.self))")
        }
        return try RenderedManifests(yaml: String(decoding: data, as: UTF8.self))
    }

    init(yaml: String) throws {
        var documents: [JSONValue] = []
        var current: [Substring] = []
        func flush() throws {
            let text = current.joined(separator: "\n")
            current = []
            guard !text.allSatisfy(\.isWhitespace) else { return }
            let value = try YAMLDocument.parse(Array(text.utf8))
            if !value.isNull { documents.append(value) }
        }
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "---" {
                try flush()
            } else {
                current.append(line)
            }
        }
        try flush()
        self.documents = documents
    }

    struct RenderError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// One RBAC rule flattened to what it grants: (API group, resource[/subresource], verb).
struct Grant: Hashable, Comparable, CustomStringConvertible {
    let group: String
    let resource: String
    let verb: String

    static func < (a: Grant, b: Grant) -> Bool { a.description < b.description }
    var description: String { "\(group.isEmpty ? "core" : group) \(resource) \(verb)" }

    static func of(_ rules: [PolicyRule]) -> Set<Grant> {
        var grants: Set<Grant> = []
        for rule in rules {
            for group in rule.apiGroups ?? [] {
                for resource in rule.resources ?? [] {
                    for verb in rule.verbs { grants.insert(Grant(group: group, resource: resource, verb: verb)) }
                }
            }
        }
        return grants
    }
}
