import NIOCore
import NIOPosix

// An upstream that speaks first and hangs up: it writes a payload to each connection as soon as it
// is accepted, then closes it. Shows that what a server sent before closing is not lost at the
// proxy.

final class BurstServer: Sendable {
    let port: Int
    private let listener: any Channel

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
    }

    static func start(payload: [UInt8]) async throws -> BurstServer {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BurstHandler(payload: payload))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return BurstServer(port: listener.localAddress?.port ?? 0, listener: listener)
    }

    func stop() async {
        try? await listener.close()
    }
}

private final class BurstHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let payload: [UInt8]

    init(payload: [UInt8]) {
        self.payload = payload
    }

    func channelActive(context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: payload)), promise: written)
        context.fireChannelActive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
