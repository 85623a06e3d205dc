import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// An ARM-compatible server over an `ARMStore`: the Azure Resource Manager routes the Traffic
/// Manager controllers call (traffic-manager spec §1–§2), stateful and strict, on
/// `host:port` (port 0: any free port; `port()` says which). Plain HTTP for now; our own ARM
/// client may talk to it so in tests and on the local fleet.
public final class ARMServer: Service, Sendable {
    public let store: ARMStore
    public let faults: ARMFaults
    public let identities: ARMIdentities
    /// The token audience the cloud metadata names (scope `<audience>.default`).
    public static let audience = "https://management.local/"
    private let host: String
    private let requestedPort: Int
    private let pageSize: Int
    private let logger: Logger
    private let listening = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, any Error>])>((nil, []))

    public init(
        store: ARMStore = ARMStore(), faults: ARMFaults = ARMFaults(), identities: ARMIdentities = ARMIdentities(),
        host: String = "127.0.0.1", port: Int = 0, pageSize: Int = 50, logger: Logger
    ) {
        self.store = store
        self.faults = faults
        self.identities = identities
        self.host = host
        self.requestedPort = port
        self.pageSize = pageSize
        self.logger = logger
    }

    /// The port the server listens on, once it does.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let port = listening.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// `http://host:port`, once listening.
    public func url() async throws -> String { "http://\(host):\(try await port())" }

    private func markListening(port: Int) {
        let waiters = listening.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    public func run() async throws {
        let app = Application(
            responder: ARMResponder(store: store, faults: faults, identities: identities, pageSize: max(1, pageSize)),
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { [weak self] channel in self?.markListening(port: channel.localAddress?.port ?? 0) },
            logger: logger)
        // As the embedded API server does: the HTTP server always stops gracefully, also when this
        // task is cancelled. Cancelling NIO's serving task while an accepted connection is still
        // buffered traps in NIOAsyncWriter (apple/swift-nio#3481), so it runs in a service group
        // of its own, in a task that does not inherit cancellation, and a graceful shutdown or a
        // cancellation of `run()` asks that group to shut down gracefully.
        let serving = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let server = Task { try await serving.run() }
        let stop: @Sendable () -> Void = { Task { await serving.triggerGracefulShutdown() } }
        do {
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await server.value
                } onGracefulShutdown: {
                    stop()
                }
            } onCancel: {
                stop()
            }
        } catch {
            let waiters = listening.withLock { state in
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume(throwing: error) }
            throw error
        }
    }
}
