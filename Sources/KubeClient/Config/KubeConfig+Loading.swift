import Foundation

// Loading several kubeconfig files as one, with clientcmd's merge rules, and turning a context
// into a ClientConfiguration.

extension KubeConfig {
    /// Merges files in order with client-go's rules: for clusters, users and contexts the first
    /// file that defines a name wins; `current-context` comes from the first file that sets it.
    /// Empty and repeated paths are skipped, and so are missing files, as client-go does for
    /// `KUBECONFIG` lists; a file that exists but does not parse is an error.
    public static func load(paths: [String]) throws -> KubeConfig {
        var merged = KubeConfig()
        var seen: Set<String> = []
        for path in paths where !path.isEmpty && seen.insert(path).inserted {
            guard FileManager.default.fileExists(atPath: path) else { continue }
            merged.merge(try KubeConfig(contentsOf: path))
        }
        if merged.sources.isEmpty {
            throw KubeClientError.configuration("kubeconfig: none of the files exist: \(paths.joined(separator: ":"))")
        }
        return merged
    }

    /// Loads a `KUBECONFIG` value: paths separated by `:`.
    public static func load(environmentValue: String) throws -> KubeConfig {
        try load(paths: environmentValue.split(separator: ":", omittingEmptySubsequences: true).map(String.init))
    }

    /// Adds `other`'s entries where this config has none (this config takes precedence).
    public mutating func merge(_ other: KubeConfig) {
        if currentContext == nil { currentContext = other.currentContext }
        clusters.merge(other.clusters) { mine, _ in mine }
        users.merge(other.users) { mine, _ in mine }
        contexts.merge(other.contexts) { mine, _ in mine }
        sources += other.sources
    }

    private var sourceDescription: String { sources.isEmpty ? "<memory>" : sources.joined(separator: ":") }

    private func failure(_ problem: String) -> KubeClientError {
        .configuration("kubeconfig \(sourceDescription): \(problem)")
    }

    /// The configuration of a context (the current one when `context` is nil). Certificate files
    /// are read now (and watched for rotation by the client); token files and exec plugins are
    /// used per request.
    /// - Throws: ``KubeClientError`` (`.configuration`) naming the files and the missing or unreadable entry.
    public func clientConfiguration(context contextName: String? = nil) throws -> ClientConfiguration {
        guard let name = contextName ?? currentContext, !name.isEmpty else {
            throw failure("current-context is not set and no context was given")
        }
        guard let context = contexts[name] else { throw failure("context \"\(name)\" not found") }
        guard !context.cluster.isEmpty else { throw failure("context \"\(name)\" has no cluster") }
        guard let cluster = clusters[context.cluster] else { throw failure("cluster \"\(context.cluster)\" not found") }
        var tls = ClientConfiguration.TLSSettings(
            insecureSkipVerify: cluster.insecureSkipTLSVerify, serverName: cluster.tlsServerName)
        if let data = cluster.certificateAuthorityData {
            tls.certificateAuthorityPEM = data
        } else if let file = cluster.certificateAuthority {
            tls.certificateAuthorityPEM = try read(file, for: "cluster \"\(context.cluster)\" certificate-authority")
            tls.certificateAuthorityFile = file
        }
        var authentication = ClientConfiguration.Authentication.none
        if !context.user.isEmpty {
            guard let user = users[context.user] else { throw failure("user \"\(context.user)\" not found") }
            if let data = user.clientCertificateData {
                tls.clientCertificatePEM = data
            } else if let file = user.clientCertificate {
                tls.clientCertificatePEM = try read(file, for: "user \"\(context.user)\" client-certificate")
                tls.clientCertificateFile = file
            }
            if let data = user.clientKeyData {
                tls.clientKeyPEM = data
            } else if let file = user.clientKey {
                tls.clientKeyPEM = try read(file, for: "user \"\(context.user)\" client-key")
                tls.clientKeyFile = file
            }
            if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
                throw failure("user \"\(context.user)\" has a client certificate without a key or a key without a certificate")
            }
            if let token = user.token, !token.isEmpty {
                authentication = .bearerToken(token)
            } else if let file = user.tokenFile, !file.isEmpty {
                authentication = .tokenFile(path: file)
            } else if let exec = user.exec {
                authentication = .exec(exec)
            }
        }
        return ClientConfiguration(
            server: cluster.server, namespace: context.namespace ?? "default", tls: tls, authentication: authentication)
    }

    private func read(_ file: String, for what: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw failure("\(what): cannot read \(file)")
        }
        return Array(data)
    }
}
