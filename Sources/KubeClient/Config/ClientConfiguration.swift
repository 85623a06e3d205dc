import Foundation
import KubeModel

// Everything a KubeClient needs to reach one API server, already resolved from a kubeconfig
// context or the in-cluster environment: where (server URL), whom to trust (TLS), who we are
// (authentication), plus headers, timeouts and retries. A value type, so tests and callers can
// build or adjust one directly.

/// The resolved settings of a connection to one API server (client-go's `rest.Config`).
public struct ClientConfiguration: Sendable {
    /// Base URL, e.g. `https://127.0.0.1:6443`; a path prefix is kept (`https://host/k8s/clusters/c1`).
    public var server: String
    /// Default namespace of the context (or the service account's), `default` when unset.
    public var namespace: String
    public var tls: TLSSettings
    public var authentication: Authentication
    /// Headers added to every request (e.g. the reference's `HUB_KUBE_HEADER`).
    public var extraHeaders: [Header]
    public var timeouts: Timeouts
    public var retry: RetryPolicy
    /// Upper bound of pooled HTTP/1.1 connections to the server; must exceed the number of watches
    /// held open at once, or further requests queue behind them.
    public var maximumConnections: Int
    public var userAgent: String

    public init(
        server: String, namespace: String = "default", tls: TLSSettings = TLSSettings(),
        authentication: Authentication = .none, extraHeaders: [Header] = [], timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = RetryPolicy(), maximumConnections: Int = 256, userAgent: String = "fleet-networking-swift"
    ) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.namespace = namespace
        self.tls = tls
        self.authentication = authentication
        self.extraHeaders = extraHeaders
        self.timeouts = timeouts
        self.retry = retry
        self.maximumConnections = maximumConnections
        self.userAgent = userAgent
    }

    /// How to verify the server and which certificate to present.
    public struct TLSSettings: Sendable, Hashable {
        /// PEM bytes of the trusted CAs; nil trusts the system roots.
        public var certificateAuthorityPEM: [UInt8]?
        /// Skips server verification entirely (`insecure-skip-tls-verify`).
        public var insecureSkipVerify: Bool
        /// Name the server certificate must carry, instead of the URL's host (`tls-server-name`).
        public var serverName: String?
        /// PEM client certificate (chain) and its private key (EC or RSA, PKCS#1/SEC1/PKCS#8).
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        /// Files the PEM data above came from (kubeconfig `certificate-authority`,
        /// `client-certificate`, `client-key`). A file named here is watched: when it changes on
        /// disk (checked at most once a second), new connections use its new content. The PEM
        /// fields hold the content read first.
        public var certificateAuthorityFile: String?
        public var clientCertificateFile: String?
        public var clientKeyFile: String?

        public init(
            certificateAuthorityPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil,
            clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
            certificateAuthorityFile: String? = nil, clientCertificateFile: String? = nil, clientKeyFile: String? = nil
        ) {
            self.certificateAuthorityPEM = certificateAuthorityPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.certificateAuthorityFile = certificateAuthorityFile
            self.clientCertificateFile = clientCertificateFile
            self.clientKeyFile = clientKeyFile
        }

        /// Whether any TLS material comes from a file that may be rotated.
        var hasFiles: Bool { certificateAuthorityFile != nil || clientCertificateFile != nil || clientKeyFile != nil }
    }

    /// How requests authenticate, besides a client certificate in `tls`.
    public enum Authentication: Sendable, Hashable {
        case none
        case bearerToken(String)
        /// A file holding the token, re-read when it changes (service account token rotation).
        case tokenFile(path: String)
        /// A credential plugin; its result is cached until it expires or the server answers 401.
        case exec(ExecConfig)
    }

    /// One extra request header.
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// Parses a header line `Name: value` (as in `HUB_KUBE_HEADER`).
        /// - Throws: ``KubeClientError`` (`.configuration`) when there is no name or no colon.
        public init(line: String) throws {
            guard let colon = line.firstIndex(of: ":") else {
                throw KubeClientError.configuration("header \"\(line)\": expected \"Name: value\"")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
                throw KubeClientError.configuration("header \"\(line)\": invalid header name")
            }
            self.name = name
            self.value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    /// Time limits. Watches are exempt from `request`: they end with `timeoutSeconds` or cancellation.
    public struct Timeouts: Sendable, Hashable {
        /// Establishing a connection (TCP + TLS).
        public var connect: Duration
        /// A whole non-watch request, from sending it to the last byte of the answer; nil for none.
        public var request: Duration?

        public init(connect: Duration = .seconds(10), request: Duration? = .seconds(60)) {
            self.connect = connect
            self.request = request
        }
    }
}

extension ClientConfiguration {
    /// The default service account directory mounted into pods.
    public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The in-cluster configuration (client-go `rest.InClusterConfig`): the server from
    /// `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the token file (re-read on rotation),
    /// CA and namespace from `serviceAccountDirectory`.
    public static func inCluster(
        serviceAccountDirectory directory: String = serviceAccountDirectory,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ClientConfiguration {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeClientError.configuration(
                "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")
        }
        let tokenPath = (directory as NSString).appendingPathComponent("token")
        guard FileManager.default.isReadableFile(atPath: tokenPath) else {
            throw KubeClientError.configuration("in-cluster configuration: cannot read token file \(tokenPath)")
        }
        let caPath = (directory as NSString).appendingPathComponent("ca.crt")
        guard let ca = FileManager.default.contents(atPath: caPath) else {
            throw KubeClientError.configuration("in-cluster configuration: cannot read CA file \(caPath)")
        }
        let namespacePath = (directory as NSString).appendingPathComponent("namespace")
        let namespace = (try? String(contentsOfFile: namespacePath, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return ClientConfiguration(
            server: "https://\(hostPart):\(port)",
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            tls: TLSSettings(certificateAuthorityPEM: Array(ca), certificateAuthorityFile: caPath),
            authentication: .tokenFile(path: tokenPath))
    }

    /// The configuration a controller finds by itself, in controller-runtime's order: an explicit
    /// kubeconfig path, else `KUBECONFIG`, else in-cluster, else `~/.kube/config`.
    /// - Parameters:
    ///   - kubeconfigPath: a `--kubeconfig` flag value; when given only that file is read.
    ///   - context: a context name; nil uses the current context.
    public static func automatic(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceAccountDirectory: String = serviceAccountDirectory
    ) throws -> ClientConfiguration {
        if let kubeconfigPath, !kubeconfigPath.isEmpty {
            return try KubeConfig(contentsOf: kubeconfigPath).clientConfiguration(context: context)
        }
        if let variable = environment["KUBECONFIG"], !variable.isEmpty {
            return try KubeConfig.load(environmentValue: variable).clientConfiguration(context: context)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(serviceAccountDirectory: serviceAccountDirectory, environment: environment)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try KubeConfig(contentsOf: home + "/.kube/config").clientConfiguration(context: context)
    }
}
