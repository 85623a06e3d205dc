import Logging
import NIOCore
import NIOPosix
import Synchronization

/// A DNS server on UDP and TCP at the same address and port, answering with a `DNSQueryHandler`.
///
/// `start` binds UDP first, then TCP to the port UDP got; with port 0, a port that turns out to
/// be taken for TCP makes it try again with a new one, up to `bindAttempts` times. The server
/// serves until `stop()`, which closes both listeners and every open TCP connection, cancels the
/// handler calls in flight and returns once all of that is done: no channel or task outlives it.
/// A server must be stopped: one that is dropped without `stop()` keeps listening.
///
/// What each query gets is `DNSQueryTriage`'s decision (FORMERR, NOTIMP, REFUSED, the handler's
/// answer…); the UDP and TCP specifics are in `DNSUDPHandler` and `DNSTCPHandler`. No input can
/// crash the server or stop it serving: parsing is bounds-checked throughout and errors on one
/// connection or datagram stay there.
public final class DNSServer: Sendable {
    /// Limits of a server; the defaults suit a cluster's DNS.
    public struct Configuration: Sendable {
        /// A TCP connection that reads nothing for this long, while nothing is being answered, is
        /// closed.
        public var idleTimeout: Duration = .seconds(5)
        /// Handler calls in flight at once.
        public var maximumConcurrentQueries = 128
        /// Queries that may wait for a handler call beyond those.
        public var maximumQueuedQueries = 1024
        /// Open TCP connections; more are closed as soon as they are accepted.
        public var maximumConnections = 256

        public init() {}
    }

    public let host: String
    public let port: Int

    private let udpChannel: any Channel
    private let tcpChannel: any Channel
    private let connections: DNSConnectionRegistry
    private let workers: DNSQueryWorkers
    private let logger: Logger
    private let isStopped = Mutex(false)

    /// How often `start` tries a new port when the one UDP got is taken for TCP.
    static let bindAttempts = 5

    private init(
        host: String, port: Int, udpChannel: any Channel, tcpChannel: any Channel, connections: DNSConnectionRegistry,
        workers: DNSQueryWorkers, logger: Logger
    ) {
        self.host = host
        self.port = port
        self.udpChannel = udpChannel
        self.tcpChannel = tcpChannel
        self.connections = connections
        self.workers = workers
        self.logger = logger
    }

    /// Listens on UDP and TCP at `host` and `port` (0: a free port, the same for both) and serves
    /// until `stop()`. Throws `DNSServerError.cannotListen` when either cannot be bound.
    public static func start(
        host: String, port: Int, handler: some DNSQueryHandler, logger: Logger, configuration: Configuration = Configuration()
    ) async throws -> DNSServer {
        let workers = DNSQueryWorkers(
            handler: handler, maximumConcurrent: configuration.maximumConcurrentQueries, queueLimit: configuration.maximumQueuedQueries)
        let connections = DNSConnectionRegistry(limit: configuration.maximumConnections)
        let attempts = port == 0 ? bindAttempts : 1
        var attempt = 1
        while true {
            let udpChannel: any Channel
            do {
                udpChannel = try await bindUDP(host: host, port: port, workers: workers, logger: logger)
            } catch {
                await workers.stop()
                throw DNSServerError.cannotListen(host: host, port: port, transport: "UDP", cause: error)
            }
            let boundPort = udpChannel.localAddress?.port ?? port
            do {
                let tcpChannel = try await bindTCP(
                    host: host, port: boundPort, workers: workers, connections: connections, configuration: configuration, logger: logger)
                logger.debug("DNS server listening", metadata: ["host": "\(host)", "port": "\(boundPort)"])
                return DNSServer(
                    host: host, port: boundPort, udpChannel: udpChannel, tcpChannel: tcpChannel, connections: connections,
                    workers: workers, logger: logger)
            } catch {
                try? await udpChannel.close()
                guard attempt < attempts else {
                    await workers.stop()
                    throw DNSServerError.cannotListen(host: host, port: boundPort, transport: "TCP", cause: error)
                }
                attempt += 1
                logger.debug("DNS server: TCP port \(boundPort) is taken; trying another", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Stops serving: closes both listeners and all TCP connections, cancels the handler calls in
    /// flight, and returns when everything is closed. Later calls return at once.
    public func stop() async {
        let alreadyStopped = isStopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        try? await tcpChannel.close()
        try? await udpChannel.close()
        await connections.closeAll()
        await workers.stop()
        logger.debug("DNS server stopped", metadata: ["host": "\(host)", "port": "\(port)"])
    }

    /// Open TCP connections (for tests).
    var openConnectionCount: Int { connections.count }

    private static func bindUDP(host: String, port: Int, workers: DNSQueryWorkers, logger: Logger) async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            // Room for any query with EDNS; a longer datagram would arrive cut and get FORMERR.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 8192))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DNSUDPHandler(workers: workers, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
    }

    private static func bindTCP(
        host: String, port: Int, workers: DNSQueryWorkers, connections: DNSConnectionRegistry, configuration: Configuration,
        logger: Logger
    ) async throws -> any Channel {
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    logger.debug("DNS TCP connection refused: too many open", metadata: ["client": "\(channel.remoteAddress.map { "\($0)" } ?? "?")"])
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    // One whole message plus a read's worth of the next.
                    try operations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder(), maximumBufferSize: 4 * 65538))
                    try operations.addHandler(DNSTCPHandler(workers: workers, logger: logger))
                }
            }
            .bind(host: host, port: port).get()
    }
}

/// Why a DNS server could not start.
public enum DNSServerError: Error, CustomStringConvertible {
    /// Binding `transport` ("UDP" or "TCP") to `host`:`port` failed with `cause`.
    case cannotListen(host: String, port: Int, transport: String, cause: any Error)

    public var description: String {
        switch self {
        case .cannotListen(let host, let port, let transport, let cause):
            "cannot listen for DNS over \(transport) on \(host):\(port): \(cause)"
        }
    }
}
