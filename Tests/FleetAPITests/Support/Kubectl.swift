import Foundation
import KubeTestSupport
import Synchronization

// The real kubectl against a FleetServer: a private directory per test holds the kubeconfig,
// kubectl's cache and the manifests a test writes, so nothing leaks from or into ~/.kube.

struct KubectlResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    var succeeded: Bool { status == 0 }

    /// Non-empty stdout lines, each split on runs of blanks.
    var rows: [[String]] {
        stdout.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            .filter { !$0.isEmpty }
    }

    var description: String {
        "kubectl \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)---"
    }
}

struct Kubectl: Sendable {
    /// The kubectl on PATH, or nil (the tests are then skipped with a printed reason).
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    let directory: URL
    private let executable: String

    init?(server: FleetServer) throws {
        guard let executable = Self.executable else { return nil }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("fleet-kubectl-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("cache"), withIntermediateDirectories: true)
        try Data(try server.kubeconfig().utf8).write(to: directory.appendingPathComponent("kubeconfig"))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `contents` to a file in the test directory and returns its path.
    func manifest(_ name: String, _ contents: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    /// Runs kubectl to completion (terminated after `timeout` seconds).
    func run(_ arguments: [String], timeout: Double = 90) async throws -> KubectlResult {
        let id = UUID().uuidString
        let stdoutURL = directory.appendingPathComponent("\(id).out")
        let stderrURL = directory.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        environment["HOME"] = directory.path
        // posix_spawn, not Foundation's Process (see SpawnedProcess).
        let process = try SpawnedProcess.spawn(
            executable,
            arguments: [
                "--kubeconfig", directory.appendingPathComponent("kubeconfig").path,
                "--cache-dir", directory.appendingPathComponent("cache").path,
            ] + arguments,
            environment: environment, stdoutPath: stdoutURL.path, stderrPath: stderrURL.path)
        var status = process.exitStatus()
        let deadline = Date().addingTimeInterval(timeout)
        while status == nil, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
            status = process.exitStatus()
        }
        if status == nil {
            process.terminate()
            while status == nil {
                try? await Task.sleep(for: .milliseconds(20))
                status = process.exitStatus()
            }
        }
        return KubectlResult(
            arguments: arguments, status: status ?? -1,
            stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }
}

