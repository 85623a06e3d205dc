import NIOCore
import NIOPosix

/// One message out, one accepted message back, over a socket of its own: what `DNSClient` is
/// built on.
///
/// UDP uses a connected socket, so the kernel drops datagrams from anyone but the server and
/// reports ICMP errors (port unreachable) as errors. TCP frames messages with their length
/// (`DNSTCPFrameDecoder`). Every message received is offered to `accept`; the first it turns into
/// a value ends the exchange. The socket is closed before `exchange` returns, whatever happens;
/// cancelling the calling task ends the exchange with `CancellationError`.
enum DNSExchange {
    enum Outcome<Answer: Sendable>: Sendable {
        case answer(Answer)
        case timedOut
        /// The server closed the TCP connection before an accepted answer came.
        case closed
    }

    static func exchange<Answer: Sendable>(
        _ message: [UInt8], host: String, port: Int, transport: DNSClient.Transport, timeout: Duration,
        accept: @escaping @Sendable ([UInt8]) -> Answer?
    ) async throws -> Outcome<Answer> {
        let server = "\(host):\(port)"
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let outcome = eventLoop.makePromise(of: Outcome<Answer>.self)
        let failure: @Sendable (any Error) -> Void = { error in
            outcome.fail(DNSClientError.cannotReach(server: server, transport: transport, cause: error))
        }
        let channel: any Channel
        let request: ByteBuffer
        do {
            switch transport {
            case .udp:
                request = ByteBuffer(bytes: message)
                channel = try await DatagramBootstrap(group: eventLoop)
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65536))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let collector = DNSResponseCollector<AddressedEnvelope<ByteBuffer>, Answer>(
                                bytes: { Array($0.data.readableBytesView) }, accept: accept,
                                answered: { outcome.succeed(.answer($0)) }, failed: failure)
                            try channel.pipeline.syncOperations.addHandler(collector)
                        }
                    }
                    .connect(host: host, port: port).get()
            case .tcp:
                guard let framed = DNSTCPFrameDecoder.framed(message) else { throw DNSClientError.messageTooLong(length: message.count) }
                request = framed
                channel = try await ClientBootstrap(group: eventLoop)
                    .connectTimeout(TimeAmount(timeout))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let collector = DNSResponseCollector<ByteBuffer, Answer>(
                                bytes: { Array($0.readableBytesView) }, accept: accept,
                                answered: { outcome.succeed(.answer($0)) }, failed: failure)
                            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(DNSTCPFrameDecoder()))
                            try channel.pipeline.syncOperations.addHandler(collector)
                        }
                    }
                    .connect(host: host, port: port).get()
            }
        } catch let error as DNSClientError {
            outcome.fail(error)
            throw error
        } catch ChannelError.connectTimeout {
            outcome.succeed(.timedOut)
            return .timedOut
        } catch {
            failure(error)
            throw DNSClientError.cannotReach(server: server, transport: transport, cause: error)
        }

        let timer = eventLoop.scheduleTask(in: TimeAmount(timeout)) { outcome.succeed(.timedOut) }
        channel.closeFuture.whenComplete { _ in outcome.succeed(.closed) }
        channel.writeAndFlush(request).whenFailure(failure)
        defer { timer.cancel() }
        do {
            let result = try await withTaskCancellationHandler {
                try await outcome.futureResult.get()
            } onCancel: {
                outcome.fail(CancellationError())
            }
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }
}

/// Offers each message a channel receives to `accept`, and reports the first accepted one, or
/// the first error, once.
private final class DNSResponseCollector<Message, Answer: Sendable>: ChannelInboundHandler {
    typealias InboundIn = Message

    private let bytes: (Message) -> [UInt8]
    private let accept: @Sendable ([UInt8]) -> Answer?
    private let answered: (Answer) -> Void
    private let failed: (any Error) -> Void
    private var isDone = false

    init(
        bytes: @escaping (Message) -> [UInt8], accept: @escaping @Sendable ([UInt8]) -> Answer?,
        answered: @escaping (Answer) -> Void, failed: @escaping (any Error) -> Void
    ) {
        self.bytes = bytes
        self.accept = accept
        self.answered = answered
        self.failed = failed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !isDone, let answer = accept(bytes(unwrapInboundIn(data))) else { return }
        isDone = true
        answered(answer)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !isDone else { return }
        isDone = true
        failed(error)
    }
}
