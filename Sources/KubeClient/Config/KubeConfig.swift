import Foundation
import KubeModel
import Yams

// A kubeconfig (clientcmd's `Config`): named clusters, users and contexts plus the current
// context. Parsing keeps the path of every value it reads, so a malformed file produces an error
// naming the file and the key (`kubeconfig /path: users[0].user.client-key-data: invalid base64`).
// Relative file references are resolved against the directory of the file that contained them,
// as client-go does, so a merged config can mix files from several directories.

/// A parsed kubeconfig, possibly merged from several files (see ``load(paths:)``).
public struct KubeConfig: Sendable, Hashable {
    /// The context used when none is named; nil when no file set one.
    public var currentContext: String?
    public var clusters: [String: Cluster]
    public var users: [String: User]
    public var contexts: [String: Context]
    /// Files the config was read from, in merge order (for error messages).
    public var sources: [String]

    public init(
        currentContext: String? = nil, clusters: [String: Cluster] = [:], users: [String: User] = [:],
        contexts: [String: Context] = [:], sources: [String] = []
    ) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.sources = sources
    }

    /// A `clusters[].cluster` entry.
    public struct Cluster: Sendable, Hashable {
        /// Base URL of the API server, e.g. `https://127.0.0.1:6443`.
        public var server: String
        /// Absolute path of a PEM file of trusted CAs.
        public var certificateAuthority: String?
        /// PEM bytes of trusted CAs (decoded from base64).
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        /// Name to verify the server certificate against (and send as SNI) instead of the URL's host.
        public var tlsServerName: String?

        public init(
            server: String, certificateAuthority: String? = nil, certificateAuthorityData: [UInt8]? = nil,
            insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil
        ) {
            self.server = server
            self.certificateAuthority = certificateAuthority
            self.certificateAuthorityData = certificateAuthorityData
            self.insecureSkipTLSVerify = insecureSkipTLSVerify
            self.tlsServerName = tlsServerName
        }
    }

    /// A `users[].user` entry (clientcmd's `AuthInfo`).
    public struct User: Sendable, Hashable {
        public var token: String?
        /// Absolute path of a file holding a bearer token; re-read when it changes.
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var exec: ExecConfig?

        public init(
            token: String? = nil, tokenFile: String? = nil, clientCertificate: String? = nil,
            clientCertificateData: [UInt8]? = nil, clientKey: String? = nil, clientKeyData: [UInt8]? = nil,
            exec: ExecConfig? = nil
        ) {
            self.token = token
            self.tokenFile = tokenFile
            self.clientCertificate = clientCertificate
            self.clientCertificateData = clientCertificateData
            self.clientKey = clientKey
            self.clientKeyData = clientKeyData
            self.exec = exec
        }
    }

    /// A `contexts[].context` entry.
    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?

        public init(cluster: String, user: String, namespace: String? = nil) {
            self.cluster = cluster
            self.user = user
            self.namespace = namespace
        }
    }
}

/// The `exec` section of a user: a credential plugin (client.authentication.k8s.io).
public struct ExecConfig: Sendable, Hashable {
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// The program; a relative path containing `/` was resolved against the kubeconfig's directory,
    /// a bare name is looked up in `PATH`.
    public var command: String
    public var arguments: [String]
    /// Extra environment variables, in order.
    public var environment: [EnvironmentVariable]
    /// Whether `KUBERNETES_EXEC_INFO` carries the cluster (server, CA, TLS settings).
    public var provideClusterInfo: Bool
    public var installHint: String?

    public struct EnvironmentVariable: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        apiVersion: String = "client.authentication.k8s.io/v1", command: String, arguments: [String] = [],
        environment: [EnvironmentVariable] = [], provideClusterInfo: Bool = false, installHint: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.provideClusterInfo = provideClusterInfo
        self.installHint = installHint
    }

    static let supportedAPIVersions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
}

// MARK: - Parsing

extension KubeConfig {
    /// Parses one kubeconfig document. Relative paths resolve against `path`'s directory.
    /// - Throws: ``KubeClientError`` of kind `.configuration` naming `path` and the offending key.
    public init(yaml: String, path: String) throws {
        let document: JSONValue
        do {
            document = try Self.jsonValue(fromYAML: yaml)
        } catch {
            throw KubeClientError.configuration("kubeconfig \(path): invalid YAML: \(error)")
        }
        var reader = ConfigReader(path: path)
        self = try reader.config(document)
    }

    /// Reads and parses one file.
    public init(contentsOf path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KubeClientError(kind: .configuration, message: "kubeconfig \(path): cannot read file", underlying: error)
        }
        try self.init(yaml: text, path: path)
    }

    static func jsonValue(fromYAML yaml: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: yaml) else { return .emptyObject }
        return try jsonValue(node)
    }

    private static func jsonValue(_ node: Yams.Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            // Quoted scalars are strings; plain ones take the YAML 1.1 core types, as sigs.k8s.io/yaml does.
            if scalar.style != .plain { return .string(scalar.string) }
            if let bool = Bool.construct(from: scalar) { return .bool(bool) }
            if let int = Int.construct(from: scalar) { return .int(Int64(int)) }
            if let double = Double.construct(from: scalar), scalar.string.contains(where: { $0 == "." || $0 == "e" }) {
                return .double(double)
            }
            if ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return .null }
            return .string(scalar.string)
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                members[key.string ?? "\(key)"] = try jsonValue(value)
            }
            return .object(members)
        case .sequence(let sequence):
            return .array(try sequence.map { try jsonValue($0) })
        case .alias:
            return .null
        }
    }
}

/// Reads the JSON form of one kubeconfig file, tracking the key path for errors.
private struct ConfigReader {
    let path: String
    let directory: String

    init(path: String) {
        self.path = path
        self.directory = (path as NSString).deletingLastPathComponent
    }

    func error(_ key: String, _ problem: String) -> KubeClientError {
        .configuration("kubeconfig \(path): \(key): \(problem)")
    }

    mutating func config(_ document: JSONValue) throws -> KubeConfig {
        guard case .object = document else {
            throw KubeClientError.configuration("kubeconfig \(path): expected a mapping at the top level, found \(document.typeName)")
        }
        var config = KubeConfig(sources: [path])
        config.currentContext = try string(document, "current-context", at: "current-context").flatMap { $0.isEmpty ? nil : $0 }
        for (index, entry, name) in try namedEntries(document, "clusters") {
            let key = "clusters[\(index)].cluster"
            guard let body = entry["cluster"], case .object = body else { throw error(key, "missing") }
            guard let server = try string(body, "server", at: key + ".server"), !server.isEmpty else {
                throw error(key + ".server", "missing")
            }
            if config.clusters[name] != nil { continue }
            config.clusters[name] = KubeConfig.Cluster(
                server: server,
                certificateAuthority: try string(body, "certificate-authority", at: key + ".certificate-authority").map(resolve),
                certificateAuthorityData: try base64(body, "certificate-authority-data", at: key + ".certificate-authority-data"),
                insecureSkipTLSVerify: try bool(body, "insecure-skip-tls-verify", at: key + ".insecure-skip-tls-verify") ?? false,
                tlsServerName: try string(body, "tls-server-name", at: key + ".tls-server-name"))
        }
        for (index, entry, name) in try namedEntries(document, "users") {
            let key = "users[\(index)].user"
            let body = entry["user"] ?? .emptyObject
            guard case .object = body else { throw error(key, "expected a mapping, found \(body.typeName)") }
            if config.users[name] != nil { continue }
            var user = KubeConfig.User()
            user.token = try string(body, "token", at: key + ".token")
            user.tokenFile = try string(body, "tokenFile", at: key + ".tokenFile").map(resolve)
            user.clientCertificate = try string(body, "client-certificate", at: key + ".client-certificate").map(resolve)
            user.clientCertificateData = try base64(body, "client-certificate-data", at: key + ".client-certificate-data")
            user.clientKey = try string(body, "client-key", at: key + ".client-key").map(resolve)
            user.clientKeyData = try base64(body, "client-key-data", at: key + ".client-key-data")
            if let exec = body["exec"], !exec.isNull { user.exec = try execConfig(exec, at: key + ".exec") }
            config.users[name] = user
        }
        for (index, entry, name) in try namedEntries(document, "contexts") {
            let key = "contexts[\(index)].context"
            guard let body = entry["context"], case .object = body else { throw error(key, "missing") }
            if config.contexts[name] != nil { continue }
            config.contexts[name] = KubeConfig.Context(
                cluster: try string(body, "cluster", at: key + ".cluster") ?? "",
                user: try string(body, "user", at: key + ".user") ?? "",
                namespace: try string(body, "namespace", at: key + ".namespace").flatMap { $0.isEmpty ? nil : $0 })
        }
        return config
    }

    private func execConfig(_ value: JSONValue, at key: String) throws -> ExecConfig {
        guard case .object = value else { throw error(key, "expected a mapping, found \(value.typeName)") }
        guard let apiVersion = try string(value, "apiVersion", at: key + ".apiVersion") else {
            throw error(key + ".apiVersion", "missing")
        }
        guard ExecConfig.supportedAPIVersions.contains(apiVersion) else {
            throw error(key + ".apiVersion", "unsupported exec credential API version \"\(apiVersion)\"")
        }
        guard var command = try string(value, "command", at: key + ".command"), !command.isEmpty else {
            throw error(key + ".command", "missing")
        }
        if command.contains("/") { command = resolve(command) }
        var arguments: [String] = []
        for (index, argument) in try array(value, "args", at: key + ".args").enumerated() {
            guard let text = argument.stringValue else { throw error("\(key).args[\(index)]", "expected a string") }
            arguments.append(text)
        }
        var environment: [ExecConfig.EnvironmentVariable] = []
        for (index, variable) in try array(value, "env", at: key + ".env").enumerated() {
            let variableKey = "\(key).env[\(index)]"
            guard let name = try string(variable, "name", at: variableKey + ".name") else { throw error(variableKey + ".name", "missing") }
            environment.append(.init(name: name, value: try string(variable, "value", at: variableKey + ".value") ?? ""))
        }
        return ExecConfig(
            apiVersion: apiVersion, command: command, arguments: arguments, environment: environment,
            provideClusterInfo: try bool(value, "provideClusterInfo", at: key + ".provideClusterInfo") ?? false,
            installHint: try string(value, "installHint", at: key + ".installHint"))
    }

    /// The `[{name, <kind>}]` entries of a list, with their index; a missing list is empty.
    private func namedEntries(_ document: JSONValue, _ list: String) throws -> [(Int, JSONValue, String)] {
        try array(document, list, at: list).enumerated().map { index, entry in
            guard case .object = entry else { throw error("\(list)[\(index)]", "expected a mapping, found \(entry.typeName)") }
            guard let name = try string(entry, "name", at: "\(list)[\(index)].name"), !name.isEmpty else {
                throw error("\(list)[\(index)].name", "missing")
            }
            return (index, entry, name)
        }
    }

    private func array(_ object: JSONValue, _ member: String, at key: String) throws -> [JSONValue] {
        switch object[member] {
        case nil, .null?: return []
        case .array(let elements)?: return elements
        case let other?: throw error(key, "expected a list, found \(other.typeName)")
        }
    }

    private func string(_ object: JSONValue, _ member: String, at key: String) throws -> String? {
        switch object[member] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        // Plain YAML scalars such as `v1` parse as strings; numbers and booleans only when written as such.
        case .int(let number)?: return String(number)
        case let other?: throw error(key, "expected a string, found \(other.typeName)")
        }
    }

    private func bool(_ object: JSONValue, _ member: String, at key: String) throws -> Bool? {
        switch object[member] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw error(key, "expected a boolean, found \(other.typeName)")
        }
    }

    private func base64(_ object: JSONValue, _ member: String, at key: String) throws -> [UInt8]? {
        guard let text = try string(object, member, at: key), !text.isEmpty else { return nil }
        let compact = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else { throw error(key, "invalid base64") }
        return Array(data)
    }

    private func resolve(_ file: String) -> String {
        if file.isEmpty || file.hasPrefix("/") { return file }
        if file.hasPrefix("~/") { return NSHomeDirectory() + String(file.dropFirst(1)) }
        return ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(file)
    }
}
