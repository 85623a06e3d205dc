import NIOCore
import NIOPosix
import Synchronization

// The local fleet's L4 load balancer: listens on `LoadBalancerIP:port` and relays each accepted
// connection to one of the Service's ready endpoints, chosen round-robin at connect time from
// whatever the EndpointSlice caches say then — local endpoints and endpoints imported from other
// member clusters alike. A connection with no ready endpoint is closed at once.

/// A backend address.
struct Backend: Sendable, Hashable {
    var host: String
    var port: Int
}

final class TCPProxy: Sendable {
    let host: String
    let port: Int
    private let channel: any Channel

    private init(host: String, port: Int, channel: any Channel) {
        self.host = host
        self.port = port
        self.channel = channel
    }

    /// Starts listening; `backends` is asked for the current ready endpoints on every connection.
    static func start(host: String, port: Int, backends: @escaping @Sendable () -> [Backend]) async throws -> TCPProxy {
        let turn = Atomic<Int>(0)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                let candidates = backends()
                guard !candidates.isEmpty else {
                    return inbound.close()
                }
                let target = candidates[turn.wrappingAdd(1, ordering: .relaxed).oldValue % candidates.count]
                return ClientBootstrap(group: inbound.eventLoop)
                    .connectTimeout(.seconds(5))
                    .connect(host: target.host, port: target.port)
                    .flatMapThrowing { outbound in
                        let (client, server) = RelayHandler.pair()
                        try inbound.pipeline.syncOperations.addHandler(client)
                        try outbound.pipeline.syncOperations.addHandler(server)
                    }
                    .flatMapError { _ in inbound.close() }
            }
            .bind(host: host, port: port).get()
        return TCPProxy(host: host, port: channel.localAddress?.port ?? port, channel: channel)
    }

    func stop() async {
        try? await channel.close()
    }
}

/// One side of a relayed connection: what it reads is written to its partner's channel, reads are
/// paused while the partner cannot write (back-pressure), and closing either side closes both.
/// Both sides live on the same event loop.
private final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false

    static func pair() -> (RelayHandler, RelayHandler) {
        let first = RelayHandler()
        let second = RelayHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }

    private func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }
}
