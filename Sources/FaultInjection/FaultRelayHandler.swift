import NIOCore

// The handler on each of a relayed connection's two sockets: it passes what happens on its
// socket to the FaultConnection, which decides, and carries out what the connection tells it.

/// The only handler of one socket of a `FaultConnection`. Reads go through the connection, which
/// may hold them back (back-pressure, see `FaultConnection.allowsRead(from:)`).
final class FaultRelayHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var connection: FaultConnection?
    private let side: FaultConnection.Side
    private var context: ChannelHandlerContext?
    /// Completes when the latest write has gone out (or failed).
    private var lastWrite: EventLoopFuture<Void>?

    init(connection: FaultConnection, side: FaultConnection.Side) {
        self.connection = connection
        self.side = side
    }

    var isActive: Bool { context?.channel.isActive ?? false }
    var isWritable: Bool { context?.channel.isWritable ?? false }

    // MARK: Events, passed to the connection

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        connection?.attach(self, side: side)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        connection = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        connection?.activated(side)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection?.closed(side)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        connection?.received(unwrapInboundIn(data), from: side)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            connection?.inputEnded(side)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { connection?.becameWritable(side) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset or a failed write: this socket is done; its partner is closed once what is
        // queued for it has been written (`FaultConnection.closed(_:)`).
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        if connection?.allowsRead(from: side) ?? true {
            context.read()
        }
    }

    // MARK: Commands, from the connection

    func write(_ buffer: ByteBuffer) {
        guard let context else { return }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.write(wrapOutboundOut(buffer), promise: written)
        lastWrite = written.futureResult
    }

    func flush() {
        context?.flush()
    }

    /// Asks for the read the connection held back.
    func read() {
        context?.read()
    }

    /// Shuts the output (`.output`: a FIN, reading goes on) or closes (`.all`) once everything
    /// written so far has gone out. Closing at once would drop writes still waiting in the
    /// channel, and NIO turns an output shutdown into a full close when the input is already
    /// shut.
    func close(afterWrites mode: CloseMode) {
        guard let context else { return }
        guard let pending = lastWrite else {
            context.close(mode: mode, promise: nil)
            return
        }
        // Kept: a full close asked for after an output shutdown waits for the same writes.
        pending.assumeIsolated().whenComplete { _ in
            self.context?.close(mode: mode, promise: nil)
        }
    }

    /// Closes at once, dropping writes still waiting.
    func close() {
        context?.close(promise: nil)
    }

    /// Aborts the connection with a TCP RST.
    func reset() {
        context?.channel.closeWithReset().whenComplete { _ in }
    }
}
