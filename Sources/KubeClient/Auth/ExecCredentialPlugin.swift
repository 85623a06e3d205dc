import Foundation
import KubeModel
import Synchronization

// Runs a client-go credential plugin (client.authentication.k8s.io v1/v1beta1): the command gets
// its args and env plus `KUBERNETES_EXEC_INFO` (an ExecCredential with `spec.interactive: false`
// and, when asked for, the cluster), and prints an ExecCredential whose status carries a token or
// a client certificate and key, optionally with an expiry.

/// What a credential plugin returned.
struct ExecCredential: Sendable, Hashable {
    var token: String?
    var clientCertificatePEM: [UInt8]?
    var clientKeyPEM: [UInt8]?
    /// When the credential stops being valid; nil means until the server rejects it.
    var expiration: Date?
}

struct ExecCredentialPlugin: Sendable {
    let config: ExecConfig
    /// The cluster as reported in `spec.cluster` when `provideClusterInfo` is set.
    let server: String
    let tls: ClientConfiguration.TLSSettings

    /// The `KUBERNETES_EXEC_INFO` document.
    func execInfo() -> JSONValue {
        var spec: JSONValue = ["interactive": false]
        if config.provideClusterInfo {
            var cluster: JSONValue = ["server": .string(server), "insecure-skip-tls-verify": .bool(tls.insecureSkipVerify)]
            if let name = tls.serverName { cluster["tls-server-name"] = .string(name) }
            if let ca = tls.certificateAuthorityPEM {
                cluster["certificate-authority-data"] = .string(Data(ca).base64EncodedString())
            }
            spec["cluster"] = cluster
        }
        return ["apiVersion": .string(config.apiVersion), "kind": "ExecCredential", "spec": spec]
    }

    /// Runs the plugin and parses its answer.
    func run() async throws -> ExecCredential {
        let process = Process()
        if config.command.contains("/") {
            process.executableURL = URL(fileURLWithPath: config.command)
            process.arguments = config.arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [config.command] + config.arguments
        }
        var environment = ProcessInfo.processInfo.environment
        for variable in config.environment { environment[variable.name] = variable.value }
        environment["KUBERNETES_EXEC_INFO"] = execInfo().jsonString
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            var message = "exec plugin \(config.command): cannot run"
            if let hint = config.installHint { message += " (\(hint))" }
            throw KubeClientError(kind: .credentials, message: message, underlying: error)
        }
        // Reading blocks until the plugin closes its pipes; do it off the cooperative pool, both
        // pipes at once so a chatty stderr cannot stall the plugin.
        let collected = PluginOutput()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for (pipe, isError) in [(output, false), (errors, true)] {
                DispatchQueue.global().async(group: group) {
                    let data = (try? pipe.fileHandleForReading.readToEnd()) ?? Data()
                    collected.store(data, isError: isError)
                }
            }
            group.notify(queue: .global()) {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        let (stdout, stderr) = collected.contents
        guard process.terminationStatus == 0 else {
            let detail = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw KubeClientError(
                kind: .credentials,
                message: "exec plugin \(config.command): exit status \(process.terminationStatus)" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return try parse(Array(stdout))
    }

    func parse(_ bytes: [UInt8]) throws -> ExecCredential {
        func failure(_ problem: String) -> KubeClientError {
            KubeClientError(kind: .credentials, message: "exec plugin \(config.command): \(problem)")
        }
        let document: JSONValue
        do {
            document = try JSONValue(parsing: bytes)
        } catch {
            throw failure("output is not an ExecCredential: \(error)")
        }
        guard document["kind"]?.stringValue == "ExecCredential" else { throw failure("output kind is not ExecCredential") }
        guard document["apiVersion"]?.stringValue == config.apiVersion else {
            throw failure("plugin returned apiVersion \"\(document["apiVersion"]?.stringValue ?? "")\", expected \"\(config.apiVersion)\"")
        }
        guard let status = document["status"], case .object = status else { throw failure("output has no status") }
        var credential = ExecCredential()
        credential.token = status["token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        credential.clientCertificatePEM = status["clientCertificateData"]?.stringValue.map { Array($0.utf8) }
        credential.clientKeyPEM = status["clientKeyData"]?.stringValue.map { Array($0.utf8) }
        if (credential.clientCertificatePEM == nil) != (credential.clientKeyPEM == nil) {
            throw failure("status must set both clientCertificateData and clientKeyData, or neither")
        }
        if credential.token == nil && credential.clientCertificatePEM == nil {
            throw failure("status has neither a token nor a client certificate")
        }
        if let text = status["expirationTimestamp"]?.stringValue {
            guard let date = Self.parseTimestamp(text) else { throw failure("invalid expirationTimestamp \"\(text)\"") }
            credential.expiration = date
        }
        return credential
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}

/// The plugin's stdout and stderr, filled by the reader threads.
private final class PluginOutput: Sendable {
    private let state = Mutex<(Data, Data)>((Data(), Data()))

    func store(_ data: Data, isError: Bool) {
        state.withLock { if isError { $0.1 = data } else { $0.0 = data } }
    }

    var contents: (Data, Data) { state.withLock { $0 } }
}
