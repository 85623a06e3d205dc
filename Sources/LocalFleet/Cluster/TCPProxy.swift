import NIOCore
import NIOPosix
import Synchronization

// The local fleet's L4 relay for TCP: listens on `IP:port` (a LoadBalancer IP, or a ClusterIP for
// the light kube-proxy) and relays each accepted connection to the backend its chooser names at
// connect time — from whatever the EndpointSlice caches say then, local endpoints and endpoints
// imported from other member clusters alike. A connection with no backend is closed at once.

/// A backend address.
struct Backend: Sendable, Hashable {
    var host: String
    var port: Int
}

enum TCPProxy {

    /// Starts listening; `backends` is asked for the current ready endpoints on every connection,
    /// which go to them round-robin.
    static func start(host: String, port: Int, backends: @escaping @Sendable () -> [Backend]) async throws -> BoundListener {
        let turn = Atomic<Int>(0)
        return try await start(host: host, port: port) { _ in
            let candidates = backends()
            guard !candidates.isEmpty else { return nil }
            return candidates[turn.wrappingAdd(1, ordering: .relaxed).oldValue % candidates.count]
        }
    }

    /// Starts listening; `choose` names the backend of each connection from the client's IP (nil:
    /// refuse the connection).
    static func start(host: String, port: Int, choose: @escaping @Sendable (_ clientIP: String?) -> Backend?) async throws -> BoundListener {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { inbound in
                guard let target = choose(inbound.remoteAddress?.ipAddress) else {
                    return inbound.close()
                }
                // The backend's half of the relay is in place before the connection is up: a backend
                // that speaks first (socat, banners) is not lost.
                let (client, server) = RelayHandler.pair()
                let serverHalf = NIOLoopBound(server, eventLoop: inbound.eventLoop)
                return ClientBootstrap(group: inbound.eventLoop)
                    .connectTimeout(.seconds(5))
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture { try outbound.pipeline.syncOperations.addHandler(serverHalf.value) }
                    }
                    .connect(host: target.host, port: target.port)
                    .flatMapThrowing { _ in
                        try inbound.pipeline.syncOperations.addHandler(client)
                    }
                    .flatMapError { _ in inbound.close() }
            }
            .bind(host: host, port: port).get()
        return BoundListener(host: host, requestedPort: port, channel: channel)
    }
}

/// One side of a relayed connection: what it reads is written to its partner's channel, reads are
/// paused while the partner cannot write (back-pressure), a half-close (FIN) is passed on as one,
/// and a side whose both directions are done closes; an error or a full close of either side
/// closes both. Both sides live on the same event loop; what arrives for a partner not yet in its
/// pipeline (the backend answered before the client side was wired) waits for it.
private final class RelayHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    private var readPending = false
    /// Data for this side's channel that arrived before it was added.
    private var waiting: [NIOAny] = []
    private var closeWaiting = false
    private var shutdownWaiting = false
    private var inputClosed = false
    private var outputClosed = false

    static func pair() -> (RelayHandler, RelayHandler) {
        let first = RelayHandler()
        let second = RelayHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        for data in waiting { context.write(data, promise: nil) }
        if !waiting.isEmpty { context.flush() }
        waiting = []
        if closeWaiting {
            context.close(promise: nil)
        } else if shutdownWaiting {
            shutdownOutput()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.deliver(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closeWhenReady()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .some(ChannelEvent.inputClosed) = event as? ChannelEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The peer sent FIN: pass it on, and close once both directions are done.
        inputClosed = true
        partner?.shutdownOutputWhenReady()
        if outputClosed { context.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? true {
            context.read()
        } else {
            readPending = true
        }
    }

    private func deliver(_ data: NIOAny) {
        if let context { context.write(data, promise: nil) } else { waiting.append(data) }
    }

    private func closeWhenReady() {
        if let context { context.close(promise: nil) } else { closeWaiting = true }
    }

    private func shutdownOutputWhenReady() {
        if context != nil { shutdownOutput() } else { shutdownWaiting = true }
    }

    private func shutdownOutput() {
        guard let context, !outputClosed else { return }
        outputClosed = true
        context.flush()
        if inputClosed {
            context.close(promise: nil)
        } else {
            context.close(mode: .output, promise: nil)
        }
    }

    private func resumeReading() {
        guard readPending, let context else { return }
        readPending = false
        context.read()
    }
}
