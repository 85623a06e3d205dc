import Foundation
import NIOSSL

// Supplies each request with its credentials: an Authorization header and a per-request TLS
// configuration when it differs from the client's own — for exec plugins that return a client
// certificate, and for certificate files that may have been rotated. Static tokens and inline
// certificates are constant; token files and certificate files are checked per request; exec plugin results are cached until they
// expire and dropped after a 401, with one plugin run shared by all requests waiting for it.

/// The credentials for one request.
struct Credentials: Sendable {
    var authorization: String?
    /// Replaces the client's TLS configuration (a plugin-issued client certificate).
    var tlsConfiguration: TLSConfiguration?
    /// Identifies the credential, so a 401 invalidates only the one that was rejected.
    var generation: Int
}

actor RequestCredentials {
    private enum Source {
        case none
        case token(String)
        case tokenFile(TokenFile)
        case exec(ExecCredentialPlugin, baseTLS: TLSConfiguration)
    }

    private enum ExecState {
        case empty
        case running([CheckedContinuation<Result<Credentials, any Error>, Never>])
        case cached(Credentials, expiration: Date?)
    }

    private let source: Source
    /// Certificate material read from files, checked for rotation.
    private let tlsFiles: TLSCredentialFiles?
    private var execState = ExecState.empty
    private var generation = 0
    /// Number of plugin runs, for tests and diagnostics.
    private(set) var pluginRuns = 0

    init(configuration: ClientConfiguration, baseTLS: TLSConfiguration, tlsFiles: TLSCredentialFiles? = nil) {
        self.tlsFiles = tlsFiles
        switch configuration.authentication {
        case .none: source = .none
        case .bearerToken(let token): source = .token(token)
        case .tokenFile(let path): source = .tokenFile(TokenFile(path: path))
        case .exec(let config):
            source = .exec(ExecCredentialPlugin(config: config, server: configuration.server, tls: configuration.tls), baseTLS: baseTLS)
        }
    }

    /// Whether a 401 may be cured by fetching the credentials again.
    var isRefreshable: Bool {
        switch source {
        case .tokenFile, .exec: return true
        case .none, .token: return false
        }
    }

    func current() async throws -> Credentials {
        var credentials = try await sourceCredentials()
        if credentials.tlsConfiguration == nil, let tlsFiles { credentials.tlsConfiguration = tlsFiles.current() }
        return credentials
    }

    private func sourceCredentials() async throws -> Credentials {
        switch source {
        case .none:
            return Credentials(generation: 0)
        case .token(let token):
            return Credentials(authorization: "Bearer \(token)", generation: 0)
        case .tokenFile(let file):
            return Credentials(authorization: "Bearer \(try file.token())", generation: 0)
        case .exec(let plugin, let baseTLS):
            return try await execCredentials(plugin: plugin, baseTLS: baseTLS)
        }
    }

    /// Called after the server answered 401 to `used`.
    func invalidate(_ used: Credentials) {
        switch source {
        case .tokenFile(let file):
            file.invalidate()
        case .exec:
            if case .cached(let cached, _) = execState, cached.generation == used.generation { execState = .empty }
        case .none, .token:
            break
        }
    }

    private func execCredentials(plugin: ExecCredentialPlugin, baseTLS: TLSConfiguration) async throws -> Credentials {
        switch execState {
        case .cached(let credentials, let expiration):
            if expiration.map({ $0 > Date() }) ?? true { return credentials }
        case .running:
            let result = await withCheckedContinuation { continuation in
                if case .running(var waiters) = execState {
                    waiters.append(continuation)
                    execState = .running(waiters)
                }
            }
            return try result.get()
        case .empty:
            break
        }
        execState = .running([])
        pluginRuns += 1
        let result: Result<Credentials, any Error>
        do {
            let credential = try await plugin.run()
            generation += 1
            var credentials = Credentials(authorization: credential.token.map { "Bearer \($0)" }, generation: generation)
            if let certificate = credential.clientCertificatePEM, let key = credential.clientKeyPEM {
                credentials.tlsConfiguration = try TLSSettingsBuilder.withClientCertificate(
                    baseTLS, certificatePEM: certificate, keyPEM: key, origin: "exec plugin \(plugin.config.command)")
            }
            result = .success(credentials)
            let waiters = takeWaiters()
            execState = .cached(credentials, expiration: credential.expiration)
            for waiter in waiters { waiter.resume(returning: result) }
        } catch {
            result = .failure(error)
            let waiters = takeWaiters()
            execState = .empty
            for waiter in waiters { waiter.resume(returning: result) }
        }
        return try result.get()
    }

    private func takeWaiters() -> [CheckedContinuation<Result<Credentials, any Error>, Never>] {
        if case .running(let waiters) = execState { return waiters }
        return []
    }
}
