import Logging
import NIOCore

/// Splits a TCP byte stream into DNS messages, each sent after its length as two octets in
/// network order (RFC 1035 §4.2.2); so no message is over 65,535 bytes. A partial message when
/// the stream ends is dropped. Used by the server and the client.
struct DNSTCPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
            buffer.readableBytes >= 2 + Int(length)
        else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let message = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(message))
        return .continue
    }

    /// The bytes of `message` with its TCP length prefix; nil when it is over 65,535 bytes.
    static func framed(_ message: [UInt8]) -> ByteBuffer? {
        guard message.count <= Int(UInt16.max) else { return nil }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(message.count + 2)
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
        return buffer
    }
}

/// Serves DNS on one TCP connection (RFC 1035 §4.2.2, RFC 7766): queries are answered one at a
/// time, in the order they arrive, each response up to 65,535 bytes.
///
/// - Queries sent while one is being answered wait, up to `maximumWaiting`; a client that
///   pipelines more is closed. So is one that sends queries without reading the answers: no
///   query is answered while the socket cannot take more (NIO's writability), so its queries
///   pile up.
/// - A message shorter than a header closes the connection (there is no id to answer); other
///   queries get what `DNSQueryTriage` decides, and the connection stays open.
/// - After the client half-closes, waiting queries are still answered, then the connection
///   closes. An idle connection (no read for the idle timeout, nothing being answered) closes.
final class DNSTCPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumWaiting = 32

    private let workers: DNSQueryWorkers
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var waiting: [[UInt8]] = []
    private var isAnswering = false
    private var inputClosed = false

    init(workers: DNSQueryWorkers, logger: Logger) {
        self.workers = workers
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        waiting = []
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard waiting.count < Self.maximumWaiting else {
            logger.debug("DNS TCP client pipelines too many queries; closing", metadata: ["client": "\(client(context))"])
            context.close(promise: nil)
            return
        }
        waiting.append(Array(unwrapInboundIn(data).readableBytesView))
        answerWaiting()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .some(.read) = event as? IdleStateHandler.IdleStateEvent {
            if !isAnswering, waiting.isEmpty { context.close(promise: nil) }
        } else if case .some(.inputClosed) = event as? ChannelEvent {
            inputClosed = true
            answerWaiting()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        answerWaiting()
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("DNS TCP connection error; closing", metadata: ["client": "\(client(context))", "error": "\(error)"])
        context.close(promise: nil)
    }

    /// Answers waiting queries in order until one needs the handler; closes the connection when
    /// the client is done and nothing is left.
    private func answerWaiting() {
        guard let context else { return }
        while !isAnswering, !waiting.isEmpty, context.channel.isWritable {
            let bytes = waiting.removeFirst()
            switch DNSQueryTriage.triage(bytes) {
            case .ignore(let reason):
                logger.debug("DNS TCP message ignored", metadata: ["client": "\(client(context))", "reason": "\(reason)"])
                if bytes.count < DNSMessage.headerLength {
                    context.close(promise: nil)
                    return
                }
            case .reply(let response, let reason):
                logger.debug(
                    "DNS query rejected",
                    metadata: ["client": "\(client(context))", "reason": "\(reason)", "rcode": "\(response.responseCode)"])
                send(response.serialized(maxSize: 65535), context: context)
            case .ask(let question, let query):
                isAnswering = true
                let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
                let logger = self.logger
                let job = DNSQueryWorkers.Job(question: question, client: context.remoteAddress?.ipAddress) { answer in
                    let (response, invalid) = DNSQueryTriage.response(to: query, answer: answer)
                    if let invalid {
                        logger.error(
                            "DNS handler answered with a record that cannot be written; answering SERVFAIL",
                            metadata: [
                                "question": "\(question.name) \(question.type)", "record": "\(invalid.record)", "error": "\(invalid.error)",
                            ])
                    }
                    let bytes = response.serialized(maxSize: DNSQueryTriage.responseLimit(for: query, over: .tcp))
                    connection.eventLoop.execute { connection.value.answered(bytes) }
                }
                if !workers.submit(job) {
                    isAnswering = false
                    logger.debug("DNS query answered SERVFAIL: too many queries waiting", metadata: ["client": "\(client(context))"])
                    send(DNSQueryTriage.response(to: query, answer: .serverFailure).response.serialized(), context: context)
                }
            }
        }
        if inputClosed, !isAnswering, waiting.isEmpty {
            context.close(promise: nil)
        }
    }

    private func answered(_ response: [UInt8]) {
        isAnswering = false
        guard let context else { return }
        send(response, context: context)
        answerWaiting()
    }

    private func send(_ message: [UInt8], context: ChannelHandlerContext) {
        guard let framed = DNSTCPFrameDecoder.framed(message) else { return }
        context.writeAndFlush(wrapOutboundOut(framed), promise: nil)
    }

    private func client(_ context: ChannelHandlerContext) -> String {
        context.remoteAddress.map { "\($0)" } ?? "?"
    }
}
