import Logging
import NIOCore
import NIOPosix

// A TCP proxy on 127.0.0.1 that tests put between a client and a server to inject network faults:
// latency, a throttled link, a partition, refused connections, resets. It relays bytes and knows
// nothing of what they carry (TLS passes through).

/// A TCP proxy that relays each accepted connection to an upstream `host:port` under a settable
/// `FaultMode`.
///
/// ```swift
/// let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: serverPort, logger: logger)
/// let client = try KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:\(proxy.port)"))
/// proxy.mode = .blackhole   // partition the client from the server
/// proxy.mode = .pass        // heal (connections that lost data are reset)
/// await proxy.resetAll()    // RST every open connection
/// await proxy.stop()
/// ```
///
/// Each connection gets its own socket to the upstream, opened when the client's is accepted
/// (data the client sends meanwhile waits). Half-closes (FIN) are passed on in order; a side that
/// closes gets its partner closed once what was in flight for it has been written. Reading
/// follows the slower side (back-pressure), so nothing is buffered without bound. What each mode
/// does, to new and to open connections, is documented on `FaultMode`.
///
/// A proxy must be stopped: one that is dropped without `stop()` keeps listening.
public final class FaultProxy: Sendable {
    /// Where connections are relayed to.
    public struct Upstream: Sendable, Hashable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    /// The address the proxy listens on.
    public let host = "127.0.0.1"
    /// The port the proxy listens on.
    public let port: Int

    private let listener: any Channel
    private let state: FaultProxyState
    private let logger: Logger

    private init(port: Int, listener: any Channel, state: FaultProxyState, logger: Logger) {
        self.port = port
        self.listener = listener
        self.state = state
        self.logger = logger
    }

    /// Listens on 127.0.0.1 at `port` (0: a free port) and relays every connection to
    /// `upstreamHost`:`upstreamPort` in mode `.pass` until `stop()`. Throws when the port cannot
    /// be bound.
    public static func start(
        upstreamHost: String, upstreamPort: Int, port: Int = 0, logger: Logger = Logger(label: "fault-proxy")
    ) async throws -> FaultProxy {
        let state = FaultProxyState(upstream: Upstream(host: upstreamHost, port: upstreamPort))
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                accept(channel, state: state, logger: logger)
            }
            .bind(host: "127.0.0.1", port: port).get()
        let boundPort = listener.localAddress?.port ?? port
        logger.debug(
            "fault proxy listening", metadata: ["port": "\(boundPort)", "upstream": "\(upstreamHost):\(upstreamPort)"])
        return FaultProxy(port: boundPort, listener: listener, state: state, logger: logger)
    }

    /// The fault applied from now on, to new connections and to open ones (see `FaultMode`).
    /// `.throttle` needs a positive rate.
    public var mode: FaultMode {
        get { state.mode }
        set {
            if case .throttle(let bytesPerSecond) = newValue {
                precondition(bytesPerSecond > 0, "FaultMode.throttle needs a positive rate, not \(bytesPerSecond)")
            }
            logger.debug("fault proxy mode", metadata: ["port": "\(port)", "mode": "\(newValue)"])
            for registered in state.setMode(newValue) {
                registered.eventLoop.execute { registered.connection.value.modeChanged() }
            }
        }
    }

    /// Where new connections go (a restarted server on another port, say); open connections stay
    /// with the upstream they were connected to.
    public var upstream: Upstream {
        get { state.upstream }
        set { state.upstream = newValue }
    }

    /// The counters now.
    public var statistics: FaultProxyStatistics {
        FaultProxyStatistics(
            acceptedConnections: state.acceptedCount.load(ordering: .relaxed),
            refusedConnections: state.refusedCount.load(ordering: .relaxed),
            openConnections: state.openCount,
            bytesToUpstream: state.bytesToUpstream.load(ordering: .relaxed),
            bytesToClient: state.bytesToClient.load(ordering: .relaxed))
    }

    /// Aborts every open connection with a TCP RST (SO_LINGER 0, then close) on both sides, the
    /// client's and the upstream's, dropping what was in flight; returns once their sockets are
    /// closed. The listener goes on accepting.
    public func resetAll() async {
        let connections = state.connections
        logger.debug("fault proxy: resetting every connection", metadata: ["port": "\(port)", "count": "\(connections.count)"])
        for registered in connections {
            registered.eventLoop.execute { registered.connection.value.reset() }
        }
        for registered in connections {
            try? await registered.closed.get()
        }
    }

    /// Stops: closes the listener and every connection (both sockets), and returns once all of
    /// them are closed. Later calls return at once.
    public func stop() async {
        let connections = state.markStopped()
        try? await listener.close()
        for registered in connections {
            registered.eventLoop.execute { registered.connection.value.close() }
        }
        await state.waitUntilEmpty()
        logger.debug("fault proxy stopped", metadata: ["port": "\(port)"])
    }

    /// Sets up an accepted connection, on its event loop.
    private static func accept(_ channel: any Channel, state: FaultProxyState, logger: Logger) -> EventLoopFuture<Void> {
        switch state.admit() {
        case .close:
            return channel.close()
        case .refuse:
            logger.debug("fault proxy: refusing a connection")
            return channel.closeWithReset()
        case .relay(let id):
            return channel.eventLoop.makeCompletedFuture {
                let connection = FaultConnection(id: id, clientChannel: channel, state: state, logger: logger)
                do {
                    try channel.pipeline.syncOperations.addHandler(FaultRelayHandler(connection: connection, side: .client))
                } catch {
                    state.remove(id: id)
                    throw error
                }
                let registered = RegisteredConnection(
                    eventLoop: channel.eventLoop, connection: NIOLoopBound(connection, eventLoop: channel.eventLoop),
                    closed: connection.closed)
                guard let mode = state.attach(registered, id: id) else {
                    connection.close()
                    return
                }
                connection.start(mode: mode)
            }
        }
    }
}
