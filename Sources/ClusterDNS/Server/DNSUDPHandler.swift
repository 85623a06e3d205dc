import Logging
import NIOCore

/// Serves DNS over UDP: each datagram is one query (RFC 1035 §4.2.1), decided by
/// `DNSQueryTriage`, answered in one datagram of at most 512 bytes (or the query's EDNS size, up
/// to 4,096). Datagrams that get no answer are logged at debug level; so is a query dropped
/// because the handler queue is full (the client will retry). Nothing a client sends closes the
/// channel.
final class DNSUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let workers: DNSQueryWorkers
    private let logger: Logger

    init(workers: DNSQueryWorkers, logger: Logger) {
        self.workers = workers
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let client = envelope.remoteAddress
        let bytes = Array(envelope.data.readableBytesView)
        switch DNSQueryTriage.triage(bytes) {
        case .ignore(let reason):
            logger.debug("DNS datagram ignored", metadata: ["client": "\(client)", "reason": "\(reason)"])
        case .reply(let response, let reason):
            logger.debug("DNS query rejected", metadata: ["client": "\(client)", "reason": "\(reason)", "rcode": "\(response.responseCode)"])
            // An error response is a header, at most one question and an OPT record: it fits 512.
            let bytes = response.serialized(maxSize: DNSMessage.classicUDPPayloadSize)
            let reply = AddressedEnvelope(remoteAddress: client, data: ByteBuffer(bytes: bytes))
            context.writeAndFlush(wrapOutboundOut(reply), promise: nil)
        case .ask(let question, let query):
            let channel = context.channel
            let logger = self.logger
            let job = DNSQueryWorkers.Job(question: question, client: client.ipAddress) { answer in
                let (response, invalid) = DNSQueryTriage.response(to: query, answer: answer)
                if let invalid {
                    logger.error(
                        "DNS handler answered with a record that cannot be written; answering SERVFAIL",
                        metadata: ["question": "\(question.name) \(question.type)", "record": "\(invalid.record)", "error": "\(invalid.error)"])
                }
                let bytes = response.serialized(maxSize: DNSQueryTriage.responseLimit(for: query, over: .udp))
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: client, data: ByteBuffer(bytes: bytes)), promise: nil)
            }
            if !workers.submit(job) {
                logger.debug("DNS query dropped: too many queries waiting", metadata: ["client": "\(client)"])
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Read errors of a UDP socket (an ICMP error for an earlier reply, a datagram too large)
        // concern one datagram: keep serving.
        logger.debug("DNS UDP error", metadata: ["error": "\(error)"])
    }
}
