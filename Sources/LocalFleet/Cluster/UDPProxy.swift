import NIOCore
import NIOPosix

// The light kube-proxy's UDP relay: listens on `ClusterIP:port`; each client address is a flow
// whose datagrams go to the backend its chooser named when the flow began (kube-proxy's conntrack
// entry), through a socket of the flow's own, and whose replies come back from `ClusterIP:port`.
// A flow idle for `flowTimeout` is forgotten (its next datagram chooses again).

enum UDPProxy {

    /// How long a flow without traffic keeps its backend.
    static let flowTimeout: TimeAmount = .seconds(30)

    /// Starts listening; `choose` names the backend of each new flow from the client's IP (nil:
    /// drop the datagram).
    static func start(host: String, port: Int, choose: @escaping @Sendable (_ clientIP: String?) -> Backend?) async throws -> BoundListener {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FlowTable(choose: choose))
                }
            }
            .bind(host: host, port: port).get()
        return BoundListener(host: host, requestedPort: port, channel: channel)
    }
}

/// The flows of one listening socket; lives on its event loop.
private final class FlowTable: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private struct Flow {
        var upstream: (any Channel)?
        var backend: SocketAddress
        /// Datagrams that arrived before the flow's socket was bound.
        var pending: [ByteBuffer] = []
    }

    private let choose: @Sendable (String?) -> Backend?
    private var flows: [SocketAddress: Flow] = [:]

    init(choose: @escaping @Sendable (String?) -> Backend?) {
        self.choose = choose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        if var flow = flows[client] {
            if let upstream = flow.upstream {
                upstream.writeAndFlush(AddressedEnvelope(remoteAddress: flow.backend, data: envelope.data), promise: nil)
            } else {
                flow.pending.append(envelope.data)
                flows[client] = flow
            }
            return
        }
        guard let target = choose(client.ipAddress),
            let backend = try? SocketAddress(ipAddress: target.host, port: target.port)
        else { return }
        flows[client] = Flow(upstream: nil, backend: backend, pending: [envelope.data])
        let listener = NIOLoopBound(context, eventLoop: context.eventLoop)
        let table = NIOLoopBound(self, eventLoop: context.eventLoop)
        DatagramBootstrap(group: context.eventLoop)
            .channelInitializer { upstream in
                upstream.eventLoop.makeCompletedFuture {
                    try upstream.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: UDPProxy.flowTimeout))
                    try upstream.pipeline.syncOperations.addHandler(
                        ReplyRelay(client: client, listener: listener, onClose: { table.value.forget(client) }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .whenComplete { result in
                let table = table.value
                switch result {
                case .success(let upstream):
                    guard var flow = table.flows[client] else {
                        upstream.close(promise: nil)
                        return
                    }
                    flow.upstream = upstream
                    for datagram in flow.pending {
                        upstream.write(AddressedEnvelope(remoteAddress: flow.backend, data: datagram), promise: nil)
                    }
                    flow.pending = []
                    upstream.flush()
                    table.flows[client] = flow
                case .failure:
                    table.flows[client] = nil
                }
            }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for flow in flows.values { flow.upstream?.close(promise: nil) }
        flows = [:]
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}

    func forget(_ client: SocketAddress) {
        flows[client] = nil
    }
}

/// Relays a flow's replies from the backend to the client through the listening socket, and
/// closes the flow when it has been idle.
private final class ReplyRelay: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let client: SocketAddress
    let listener: NIOLoopBound<ChannelHandlerContext>
    let onClose: () -> Void

    init(client: SocketAddress, listener: NIOLoopBound<ChannelHandlerContext>, onClose: @escaping () -> Void) {
        self.client = client
        self.listener = listener
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        let listener = listener.value
        listener.writeAndFlush(NIOAny(AddressedEnvelope(remoteAddress: client, data: reply.data)), promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}
