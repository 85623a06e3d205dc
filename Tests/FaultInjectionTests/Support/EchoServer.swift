import NIOCore
import NIOPosix
import Synchronization

// The upstream of most FaultProxy tests: a TCP server on 127.0.0.1 that writes back what it reads
// and answers a half-close with its own once it has echoed everything; or, as a sink, one that
// accepts connections and never reads (to see back-pressure reach the sender).

final class EchoServer: Sendable {
    let port: Int
    private let listener: any Channel
    private let connections: Connections

    private init(port: Int, listener: any Channel, connections: Connections) {
        self.port = port
        self.listener = listener
        self.connections = connections
    }

    /// Starts on a free port; `reads: false` makes a sink that never reads what it is sent.
    static func start(reads: Bool = true) async throws -> EchoServer {
        let connections = Connections()
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: reads)
            .childChannelInitializer { channel in
                connections.add(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return EchoServer(port: listener.localAddress?.port ?? 0, listener: listener, connections: connections)
    }

    /// Connections accepted since the start.
    var acceptedConnections: Int { connections.accepted }
    /// Connections still open.
    var openConnections: Int { connections.open }

    /// Closes the listener and every connection, and waits until they are closed.
    func stop() async {
        try? await listener.close()
        await connections.closeAll()
    }
}

private final class Connections: Sendable {
    private struct Registry {
        var accepted = 0
        var open: [ObjectIdentifier: any Channel] = [:]
    }

    private let registry = Mutex(Registry())

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        registry.withLock {
            $0.accepted += 1
            $0.open[key] = channel
        }
        channel.closeFuture.whenComplete { _ in
            self.registry.withLock { _ = $0.open.removeValue(forKey: key) }
        }
    }

    var accepted: Int { registry.withLock { $0.accepted } }
    var open: Int { registry.withLock { $0.open.count } }

    func closeAll() async {
        let channels = registry.withLock { Array($0.open.values) }
        for channel in channels {
            try? await channel.close()
        }
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            // Everything read has been written: answer the FIN with ours.
            context.flush()
            context.close(mode: .output, promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
