import Foundation
import KubeServer
import Synchronization
import Testing

// Drives the real kubectl binary against a TestServer: a private directory per test holds the
// kubeconfig (CA and the superuser's client certificate embedded), kubectl's discovery/OpenAPI
// cache and the manifests a test writes, so no state leaks between tests or from the user's ~/.kube.

/// What one kubectl invocation printed and how it ended.
struct KubectlResult: Sendable, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    var stdout: String
    var stderr: String

    var succeeded: Bool { status == 0 }

    /// Lines kubectl or the server flagged as warnings: `Warning: …` (server `Warning` headers),
    /// kubectl's own `warning: …` lines and klog's `W0102 …` / `E0102 …` lines (informational
    /// `I0102 …` lines, printed with `-v`, never count).
    var warnings: [String] {
        stderr.split(separator: "\n").map(String.init).filter { line in
            line.lowercased().hasPrefix("warning:") || line.firstMatch(of: #/^[WE]\d{4} /#) != nil
        }
    }

    /// Non-empty stdout lines, each split on runs of blanks: one array of cells per table row.
    var rows: [[String]] {
        stdout.split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
            .filter { !$0.isEmpty }
    }

    var description: String {
        "kubectl \(arguments.joined(separator: " ")) → exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)---"
    }
}

/// A kubectl bound to one test server, with its own kubeconfig and cache directory.
struct Kubectl: Sendable {
    /// The kubectl found on PATH, or nil: tests that need it are skipped, never failed.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/kubectl"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static var isInstalled: Bool { executable != nil }

    let directory: URL
    private let executable: String

    /// Writes a kubeconfig for `server` (context `test`, superuser by client certificate).
    init(server: TestServer) throws {
        guard let executable = Self.executable else { throw KubectlUnavailable() }
        guard let authority = server.authority, let admin = server.adminCertificate else {
            throw KubectlNeedsTLS()
        }
        self.executable = executable
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kubectl-e2e-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("cache"), withIntermediateDirectories: true)
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let kubeconfig = """
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: \(server.baseURL)
                certificate-authority-data: \(base64(try authority.certificatePEM))
            users:
            - name: test-admin
              user:
                client-certificate-data: \(base64(try admin.certificatePEM))
                client-key-data: \(base64(admin.privateKeyPEM))
            contexts:
            - name: test
              context:
                cluster: test
                user: test-admin
                namespace: default

            """
        try Data(kubeconfig.utf8).write(to: directory.appendingPathComponent("kubeconfig"))
    }

    /// Removes the directory (kubeconfig, cache, manifests).
    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `contents` to a file in the test directory and returns its path (for `-f`).
    func manifest(_ name: String, _ contents: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url.path
    }

    /// Runs kubectl to completion (killed after `timeout` seconds).
    func run(_ arguments: [String], timeout: Double = 60) async throws -> KubectlResult {
        let process = try start(arguments)
        return await process.finish(timeout: timeout)
    }

    /// Starts kubectl in the background (for `get -w`, `wait`).
    func start(_ arguments: [String]) throws -> KubectlProcess {
        let id = UUID().uuidString
        let stdoutURL = directory.appendingPathComponent("\(id).out")
        let stderrURL = directory.appendingPathComponent("\(id).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [
            "--kubeconfig", directory.appendingPathComponent("kubeconfig").path,
            "--cache-dir", directory.appendingPathComponent("cache").path,
        ] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = nil
        environment["HOME"] = directory.path
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let exited = ExitSignal()
        process.terminationHandler = { finished in exited.signal(finished.terminationStatus) }
        try process.run()
        return KubectlProcess(
            arguments: arguments, process: process, exited: exited, stdoutURL: stdoutURL, stderrURL: stderrURL)
    }

    // MARK: Expectations

    /// Runs kubectl, expecting success with nothing on stderr.
    @discardableResult
    func expectSuccess(
        _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> KubectlResult {
        let result = try await run(arguments)
        #expect(result.succeeded && result.stderr.isEmpty, "\(result)", sourceLocation: sourceLocation)
        return result
    }

    /// Runs kubectl, expecting it to fail with `message` on stderr and no warnings.
    @discardableResult
    func expectFailure(
        _ arguments: [String], printing message: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> KubectlResult {
        let result = try await run(arguments)
        #expect(!result.succeeded, "\(result)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "expected on stderr: \(message)\n\(result)", sourceLocation: sourceLocation)
        #expect(result.warnings.isEmpty, "\(result)", sourceLocation: sourceLocation)
        return result
    }
}

/// A kubectl process started in the background.
struct KubectlProcess: Sendable {
    let arguments: [String]
    fileprivate let process: Process
    fileprivate let exited: ExitSignal
    fileprivate let stdoutURL: URL
    fileprivate let stderrURL: URL

    /// What kubectl printed on stdout so far.
    var stdoutSoFar: String {
        (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    }

    /// What kubectl printed on stderr so far (with `-v=6`, a line per request it made).
    var stderrSoFar: String {
        (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    }

    /// Polls stdout until `predicate` holds or `timeout` seconds pass; returns whether it held.
    func waitForOutput(timeout: Double = 20, _ predicate: (String) -> Bool) async -> Bool {
        await poll(timeout: timeout) { predicate($0.stdoutSoFar) }
    }

    /// Polls stderr until `predicate` holds or `timeout` seconds pass; returns whether it held.
    func waitForErrorOutput(timeout: Double = 20, _ predicate: (String) -> Bool) async -> Bool {
        await poll(timeout: timeout) { predicate($0.stderrSoFar) }
    }

    private func poll(timeout: Double, _ holds: (KubectlProcess) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if holds(self) { return true }
            if exited.status != nil { return holds(self) }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Waits for kubectl to exit by itself, killing it after `timeout` seconds.
    func finish(timeout: Double) async -> KubectlResult {
        let deadline = Date().addingTimeInterval(timeout)
        while exited.status == nil, Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exited.status == nil { return await stop() }
        return result()
    }

    /// Stops kubectl (SIGTERM) and returns what it printed.
    func stop() async -> KubectlResult {
        if process.isRunning { process.terminate() }
        while exited.status == nil { try? await Task.sleep(for: .milliseconds(20)) }
        return result()
    }

    private func result() -> KubectlResult {
        KubectlResult(arguments: arguments, status: exited.status ?? -1, stdout: stdoutSoFar, stderr: stderrSoFar)
    }
}

/// The exit status, set once from Process's termination handler (another thread).
private final class ExitSignal: Sendable {
    private let state = Mutex<Int32?>(nil)
    var status: Int32? { state.withLock { $0 } }
    func signal(_ status: Int32) { state.withLock { $0 = status } }
}

struct KubectlUnavailable: Error, CustomStringConvertible {
    var description: String { "kubectl is not on PATH" }
}

struct KubectlNeedsTLS: Error, CustomStringConvertible {
    var description: String { "the kubectl tests need a TestServer with TLS (a CA and an admin certificate)" }
}
