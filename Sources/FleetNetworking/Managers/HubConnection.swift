import Foundation
import KubeClient

// How a member binary reaches the hub (reference-api §3.4): from the environment, as in a real
// member cluster, or from a kubeconfig (`--hub-kubeconfig`) when running outside a cluster.
//
//   HUB_SERVER_URL             required: the hub API server URL
//   CONFIG_PATH                required: a bearer-token file (re-read when it changes)
//   HUB_CERTIFICATE_AUTHORITY  optional: base64 PEM CA bundle; ignored with --tls-insecure
//   HUB_KUBE_HEADER            optional: extra headers, MIME `Key: value` lines
//   MEMBER_CLUSTER_NAME        required: the member's cluster ID
//
// As in the reference, a variable is missing only when unset (an empty value is accepted).

/// A start-up configuration problem; the message names the variable or flag at fault.
public struct ManagerConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

public enum HubConnection {
    public static let hubServerURL = "HUB_SERVER_URL"
    public static let configPath = "CONFIG_PATH"
    public static let hubCertificateAuthority = "HUB_CERTIFICATE_AUTHORITY"
    public static let hubKubeHeader = "HUB_KUBE_HEADER"
    public static let memberClusterName = "MEMBER_CLUSTER_NAME"

    /// The value of `name`, or an error naming it when unset.
    public static func required(_ name: String, in environment: [String: String]) throws(ManagerConfigurationError) -> String {
        guard let value = environment[name] else {
            throw ManagerConfigurationError("environment variable \(name) is required but not set")
        }
        return value
    }

    /// The member's cluster name (`MEMBER_CLUSTER_NAME`), which must be usable in a namespace name.
    public static func memberClusterName(in environment: [String: String]) throws(ManagerConfigurationError) -> String {
        let name = try required(memberClusterName, in: environment)
        guard !name.isEmpty else {
            throw ManagerConfigurationError("environment variable \(memberClusterName) must not be empty")
        }
        return name
    }

    /// The hub client configuration from the environment.
    /// - Parameters:
    ///   - tlsInsecure: `--tls-insecure`: skip verifying the hub's certificate.
    ///   - fileExists: checks the token file (retried 5 times, 10 ms apart, as the reference does).
    public static func fromEnvironment(
        _ environment: [String: String], tlsInsecure: Bool,
        fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) },
        retryDelay: () -> Void = { usleep(10_000) }
    ) throws(ManagerConfigurationError) -> ClientConfiguration {
        let server = try required(hubServerURL, in: environment)
        guard let url = URL(string: server), let scheme = url.scheme, scheme == "https" || scheme == "http", url.host != nil else {
            throw ManagerConfigurationError("environment variable \(hubServerURL) is not an http(s) URL: \"\(server)\"")
        }
        let tokenPath = try required(configPath, in: environment)
        var found = false
        for attempt in 0..<5 {
            if fileExists(tokenPath) {
                found = true
                break
            }
            if attempt < 4 { retryDelay() }
        }
        guard found else {
            throw ManagerConfigurationError("environment variable \(configPath): token file \"\(tokenPath)\" does not exist")
        }
        var tls = ClientConfiguration.TLSSettings(insecureSkipVerify: tlsInsecure)
        if !tlsInsecure, let encoded = environment[hubCertificateAuthority], !encoded.isEmpty {
            tls.certificateAuthorityPEM = try decodeCertificateAuthority(encoded)
        }
        var headers: [ClientConfiguration.Header] = []
        if let text = environment[hubKubeHeader] { headers = try parseHeaders(text) }
        return ClientConfiguration(
            server: server, tls: tls, authentication: .tokenFile(path: tokenPath), extraHeaders: headers)
    }

    /// `HUB_CERTIFICATE_AUTHORITY`: base64 of a PEM bundle.
    public static func decodeCertificateAuthority(_ encoded: String) throws(ManagerConfigurationError) -> [UInt8] {
        let compact = encoded.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw ManagerConfigurationError("environment variable \(hubCertificateAuthority) is not valid base64")
        }
        guard String(decoding: data, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw ManagerConfigurationError("environment variable \(hubCertificateAuthority) does not hold a PEM certificate")
        }
        return Array(data)
    }

    /// `HUB_KUBE_HEADER`: MIME header lines (`Key: value`, continuation lines starting with
    /// white space, blank lines ignored). A header may repeat; a header the client sets itself
    /// (Authorization, Content-Type, …) may not be overridden.
    public static func parseHeaders(_ text: String) throws(ManagerConfigurationError) -> [ClientConfiguration.Header] {
        var headers: [ClientConfiguration.Header] = []
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for raw in lines {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if let first = line.first, first == " " || first == "\t" {
                guard !headers.isEmpty else {
                    throw ManagerConfigurationError("environment variable \(hubKubeHeader): continuation line before any header: \"\(line)\"")
                }
                headers[headers.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
                continue
            }
            do {
                headers.append(try ClientConfiguration.Header(line: line))
            } catch {
                throw ManagerConfigurationError("environment variable \(hubKubeHeader): malformed header line \"\(line)\"")
            }
        }
        let reserved: Set<String> = ["authorization", "content-type", "accept", "user-agent", "host", "content-length"]
        if let clash = headers.first(where: { reserved.contains($0.name.lowercased()) }) {
            throw ManagerConfigurationError("environment variable \(hubKubeHeader): custom header \"\(clash.name)\" can't override other header")
        }
        return headers
    }

    /// The hub from a kubeconfig (`--hub-kubeconfig`), for running outside a cluster.
    public static func fromKubeconfig(_ path: String, tlsInsecure: Bool) throws(ManagerConfigurationError) -> ClientConfiguration {
        do {
            var configuration = try KubeConfig(contentsOf: path).clientConfiguration()
            if tlsInsecure { configuration.tls.insecureSkipVerify = true }
            return configuration
        } catch {
            throw ManagerConfigurationError("flag --hub-kubeconfig: cannot load \"\(path)\": \(error)")
        }
    }
}
