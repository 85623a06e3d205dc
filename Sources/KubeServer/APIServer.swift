import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubeModel
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle
import Synchronization

// The embedded Kubernetes-compatible API server as a `Service`: storage, the built-in
// controllers, and an HTTP(S) listener. Start it under a ServiceGroup (or call `run()` in a
// task), then `try await server.waitUntilListening()` for the bound port.

public struct APIServerConfiguration: Sendable {
    public enum Transport: Sendable {
        case plainHTTP
        /// HTTPS with a server certificate issued by `authority`, which also verifies client certificates.
        case tls(authority: CertificateAuthority, serverCertificate: IssuedCertificate)
    }

    public var name: String
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    public var transport: Transport
    public var tokens: StaticTokenTable
    public var allowsAnonymous: Bool
    /// When false every authenticated request is allowed (no RBAC), as with `--authorization-mode=AlwaysAllow`.
    public var authorizationEnabled: Bool
    public var options: ServerOptions

    public init(
        name: String = "kube", host: String = "127.0.0.1", port: Int = 0, transport: Transport = .plainHTTP,
        tokens: StaticTokenTable = StaticTokenTable(), allowsAnonymous: Bool = false,
        authorizationEnabled: Bool = true, options: ServerOptions = ServerOptions()
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.transport = transport
        self.tokens = tokens
        self.allowsAnonymous = allowsAnonymous
        self.authorizationEnabled = authorizationEnabled
        self.options = options
    }

    /// HTTPS with a new CA and a server certificate for localhost/127.0.0.1.
    public static func selfSignedTLS(name: String) throws -> Transport {
        let authority = try CertificateAuthority.makeSelfSigned(name: name)
        let certificate = try authority.issueServerCertificate(commonName: name, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        return .tls(authority: authority, serverCertificate: certificate)
    }
}

public final class APIServer: ServiceLifecycle.Service, Sendable {
    public let configuration: APIServerConfiguration
    public let core: APIServerCore
    private let logger: Logger
    private let listening = Mutex<ListeningState>(.starting(waiters: []))
    private let denied = Mutex<[AuthorizationAttributes]>([])
    /// Every request received (authorized or not), by verb and resource.
    public let requests = RequestCounter()

    /// Every request authorization denied with 403 since the server started, oldest first (an
    /// audit trail for tests that run components with exactly the permissions they should need).
    public var deniedRequests: [AuthorizationAttributes] { denied.withLock { $0 } }

    public convenience init(configuration: APIServerConfiguration, logger: Logger? = nil) throws {
        self.init(configuration: configuration, core: try APIServerCore(options: configuration.options), logger: logger)
    }

    /// A server over existing storage: a restarted server (same `core`, same port in
    /// `configuration`) serves the same objects and resource versions, as an API server restarted
    /// against the same etcd does. Only one server may run over a core at a time.
    public init(configuration: APIServerConfiguration, core: APIServerCore, logger: Logger? = nil) {
        self.configuration = configuration
        self.core = core
        self.logger = logger ?? Logger(label: "kube-server.\(configuration.name)")
    }

    /// Base URL once listening, e.g. `https://127.0.0.1:43121`.
    public func url() async throws -> String {
        let port = try await waitUntilListening()
        let scheme: String
        switch configuration.transport {
        case .plainHTTP: scheme = "http"
        case .tls: scheme = "https"
        }
        return "\(scheme)://\(configuration.host):\(port)"
    }

    /// Suspends until the listener is bound; returns the port. Throws `APIServerError.notListening`
    /// when `run()` ends without having listened (the port is taken, the certificate is bad), so
    /// that nobody waits forever for a server that failed to start.
    public func waitUntilListening() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, APIServerError>? = listening.withLock { state in
                switch state {
                case .starting(var waiters):
                    waiters.append(continuation)
                    state = .starting(waiters: waiters)
                    return nil
                case .listening(let port): return .success(port)
                case .failed(let error): return .failure(error)
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func markListening(port: Int) {
        settle(.listening(port: port))
    }

    /// Ends the wait of everyone in `waitUntilListening()` if the server has not listened yet.
    private func markEnded(_ error: (any Error)?) {
        settle(.failed(APIServerError.notListening(name: configuration.name, host: configuration.host, port: configuration.port, cause: error.map { "\($0)" })))
    }

    private func settle(_ outcome: ListeningState) {
        let waiters: [CheckedContinuation<Int, any Error>] = listening.withLock { state in
            guard case .starting(let waiters) = state else { return [] }
            state = outcome
            return waiters
        }
        for waiter in waiters {
            switch outcome {
            case .listening(let port): waiter.resume(returning: port)
            case .failed(let error): waiter.resume(throwing: error)
            case .starting: break
            }
        }
    }

    public func run() async throws {
        do {
            try await serve()
            markEnded(nil)
        } catch {
            markEnded(error)
            throw error
        }
    }

    private func serve() async throws {
        let security = ServerSecurity(
            authenticator: Authenticator(tokens: configuration.tokens, allowsAnonymous: configuration.allowsAnonymous),
            authorizer: configuration.authorizationEnabled ? RBACAuthorizer(source: StoreRBACPolicySource(core: core)) : nil,
            onDenied: { [self] attributes in denied.withLock { $0.append(attributes) } })
        let responder = APIResponder(core: core, security: security, counter: requests)
        let serverBuilder: HTTPServerBuilder
        let http1 = HTTPServerBuilder.http1(configuration: .init(additionalChannelHandlers: [ClientHangUpHandler()]))
        switch configuration.transport {
        case .plainHTTP:
            serverBuilder = http1
        case .tls(let authority, let certificate):
            serverBuilder = try .tls(http1, tlsConfiguration: TLSConfiguration.kubeServer(serving: certificate, clientAuthority: authority))
        }
        let app = Application(
            responder: responder, server: serverBuilder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [weak self] channel in
                self?.markListening(port: channel.localAddress?.port ?? 0)
            },
            logger: logger)
        let controllers = ServerControllers(core: core, logger: logger)
        let store = core.store
        store.acceptWatches()
        // The HTTP server always stops gracefully, also when this task is cancelled: cancelling
        // NIO's serving task while an accepted connection is still buffered traps in NIOAsyncWriter
        // ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#3481). So it runs in
        // a service group of its own, in a task that does not inherit cancellation, and both a
        // graceful shutdown and a cancellation of `run()` trigger that group's graceful shutdown.
        let serving = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let server = Task { try await serving.run() }
        let stop: @Sendable () -> Void = {
            store.closeAllWatches()
            Task { await serving.triggerGracefulShutdown() }
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await controllers.run() }
                    defer {
                        group.cancelAll()
                        store.closeAllWatches()
                    }
                    try await server.value
                }
            } onGracefulShutdown: {
                stop()
            }
        } onCancel: {
            stop()
        }
    }
}

/// Whether the listener is bound yet, and who waits for it.
private enum ListeningState {
    case starting(waiters: [CheckedContinuation<Int, any Error>])
    case listening(port: Int)
    case failed(APIServerError)
}

public enum APIServerError: Error, CustomStringConvertible, Equatable {
    /// The server stopped before it listened.
    case notListening(name: String, host: String, port: Int, cause: String?)

    public var description: String {
        switch self {
        case .notListening(let name, let host, let port, let cause):
            let address = port == 0 ? "\(host) (any port)" : "\(host):\(port)"
            return "API server \(name) stopped before listening on \(address)" + (cause.map { ": \($0)" } ?? "")
        }
    }
}
