import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A test's TCP client: sends bytes, keeps every byte received, and records how the connection
// ended (the peer's FIN, a reset, a close), so that tests wait for what they observe. A
// connection the peer ends is closed, so nothing outlives the proxy or server it talked to.

final class TestConnection: Sendable {
    private let channel: any Channel
    private let recorder: Recorder

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.recorder = recorder
    }

    /// Connects to 127.0.0.1:`port`. With `reading: false` nothing is read until
    /// `startReading()`, and the socket's receive buffer is small: what the peer sends piles up
    /// at the sender.
    static func connect(port: Int, reading: Bool = true) async throws -> TestConnection {
        let recorder = Recorder()
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(5))
            // The peer's FIN is seen as such, apart from a close or a reset.
            .channelOption(.allowRemoteHalfClosure, value: true)
        if !reading {
            bootstrap = bootstrap.channelOption(.autoRead, value: false).channelOption(.socketOption(.so_rcvbuf), value: 4096)
        }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RecordingHandler(recorder: recorder))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return TestConnection(channel: channel, recorder: recorder)
    }

    /// Whether a new connection to `port` is reset at once, while connecting or right after,
    /// without receiving anything.
    static func isReset(connectingTo port: Int) async -> Bool {
        let connection: TestConnection
        do {
            connection = try await connect(port: port)
        } catch let error as NIOConnectionError {
            return error.connectionErrors.contains { ($0.error as? IOError)?.errnoCode == ECONNRESET }
        } catch {
            return false
        }
        return await connection.waitUntilClosed() && connection.wasReset && connection.received.isEmpty
    }

    /// Starts reading (after `connect(port:reading: false)`).
    func startReading() async throws {
        try await channel.setOption(.autoRead, value: true).get()
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    /// Writes without waiting for the bytes to leave (they wait in the channel meanwhile).
    func sendWithoutWaiting(_ bytes: [UInt8]) {
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
    }

    /// Half-closes: sends a FIN and goes on reading.
    func finishSending() async throws {
        try await channel.close(mode: .output)
    }

    func close() async {
        try? await channel.close()
    }

    /// Everything received so far.
    var received: [UInt8] { recorder.state.withLock { $0.bytes } }
    var receivedText: String { String(decoding: received, as: UTF8.self) }
    /// Whether the peer sent a FIN.
    var sawEndOfStream: Bool { recorder.state.withLock { $0.sawEndOfStream } }
    /// Whether the connection was reset (ECONNRESET).
    var wasReset: Bool { recorder.state.withLock { $0.wasReset } }
    var isClosed: Bool { recorder.state.withLock { $0.isClosed } }

    /// Waits until at least `count` bytes have arrived; false if they have not after `timeout`.
    func waitUntilReceived(count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout: timeout) { $0.bytes.count >= count }
    }

    /// Waits until the connection is closed; false if it is still open after `timeout`.
    func waitUntilClosed(timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout: timeout) { $0.isClosed }
    }

    /// Waits until the peer has ended the connection, with a FIN, a close or a reset; false if
    /// it has not after `timeout`.
    func waitUntilEnded(timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout: timeout) { $0.sawEndOfStream || $0.isClosed }
    }

    /// Waits until the peer's FIN has arrived; false if it has not after `timeout`.
    func waitUntilEndOfStream(timeout: Duration = .seconds(10)) async -> Bool {
        await waitUntil(timeout: timeout) { $0.sawEndOfStream }
    }

    private func waitUntil(timeout: Duration, _ condition: (Recorder.Observed) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if recorder.state.withLock({ condition($0) }) { return true }
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

private final class Recorder: Sendable {
    struct Observed {
        var bytes: [UInt8] = []
        var sawEndOfStream = false
        var wasReset = false
        var isClosed = false
    }

    let state = Mutex(Observed())
}

private final class RecordingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let recorder: Recorder

    init(recorder: Recorder) {
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data).readableBytesView
        recorder.state.withLock { $0.bytes += bytes }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.inputClosed) = event as? ChannelEvent {
            recorder.state.withLock { $0.sawEndOfStream = true }
            // No test sends after the peer has finished: closing here means that every
            // connection a proxy or server ends is gone, not left half-open.
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == ECONNRESET {
            recorder.state.withLock { $0.wasReset = true }
        }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        recorder.state.withLock { $0.isClosed = true }
        context.fireChannelInactive()
    }
}
