import NIOCore
import NIOPosix
import Synchronization

// Sockets for saying what no DNSClient would: datagrams sent without waiting for an answer, and
// TCP streams written byte by byte. What comes back is collected for the test to look at.

/// A UDP socket connected to a server: sends datagrams and keeps every datagram received.
final class RawUDPClient: Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(port: Int) async throws -> RawUDPClient {
        let inbox = Inbox()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
            .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector<AddressedEnvelope<ByteBuffer>>(inbox: inbox) {
                        Array($0.data.readableBytesView)
                    })
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawUDPClient(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The datagrams received so far.
    var received: [[UInt8]] { inbox.messages }

    func close() async {
        try? await channel.close()
    }
}

/// A TCP connection: sends raw bytes (length prefixes are the test's business) and keeps the
/// length-prefixed messages received.
final class RawTCPClient: Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    static func connect(port: Int) async throws -> RawTCPClient {
        let inbox = Inbox()
        // Without remote half-closure, the server's FIN closes the channel: `isClosed` sees it.
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LengthPrefixedMessages()))
                    try channel.pipeline.syncOperations.addHandler(Collector<ByteBuffer>(inbox: inbox) { Array($0.readableBytesView) })
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawTCPClient(channel: channel, inbox: inbox)
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Sends `message` with its length prefix.
    func send(message: [UInt8]) async throws {
        try await send([UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message)
    }

    /// Half-closes: the server sees the end of the stream and may still answer.
    func finishSending() async throws {
        try await channel.close(mode: .output)
    }

    /// The messages received so far.
    var received: [[UInt8]] { inbox.messages }

    /// Whether the connection is closed (by either side).
    var isClosed: Bool { !channel.isActive }

    func close() async {
        try? await channel.close()
    }
}

private final class Inbox: Sendable {
    private let stored = Mutex<[[UInt8]]>([])

    func append(_ message: [UInt8]) {
        stored.withLock { $0.append(message) }
    }

    var messages: [[UInt8]] { stored.withLock { $0 } }
}

private final class Collector<Message>: ChannelInboundHandler {
    typealias InboundIn = Message

    private let inbox: Inbox
    private let bytes: (Message) -> [UInt8]

    init(inbox: Inbox, bytes: @escaping (Message) -> [UInt8]) {
        self.inbox = inbox
        self.bytes = bytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.append(bytes(unwrapInboundIn(data)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {}
}

/// The tests' own reading of RFC 1035 §4.2.2 framing, independent of the server's.
private struct LengthPrefixedMessages: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self), buffer.readableBytes >= Int(length) + 2,
            let message = buffer.getSlice(at: buffer.readerIndex + 2, length: Int(length))
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: Int(length) + 2)
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }
}
