/// The DNS server's decisions, without sockets: what to do with the bytes of a query, how large a
/// response may be, and the response to a handler's answer. The UDP and TCP handlers only carry
/// these out.
///
/// What a query gets, in the order it is checked:
/// 1. Fewer than 12 bytes (no whole header): nothing; there is no id to answer. Over TCP the
///    connection is closed.
/// 2. QR set (a response sent to the server): ignored, so that two servers cannot be made to
///    bounce errors at each other.
/// 3. An opcode other than QUERY: NOTIMP, echoing id, opcode and RD, without a question (the body
///    of other opcodes is not parsed).
/// 4. Bytes `DNSMessage.parse` rejects (bad names, pointer loops, counts beyond the data,
///    trailing bytes, …): FORMERR with the id, opcode and RD, no question and no OPT.
/// 5. Not exactly one question: FORMERR (the parsed questions are not echoed).
/// 6. QTYPE OPT: FORMERR (a pseudo-type, RFC 6891 §6.1.1). QTYPE AXFR or IXFR: NOTIMP (no zone
///    transfers).
/// 7. A class other than IN (1) or ANY (255): REFUSED; this server holds Internet records only,
///    and CHAOS queries such as `version.bind` get nothing.
/// 8. Otherwise the handler answers. Question names need no check of their own: the parser
///    accepts only names that are valid on the wire.
///
/// Responses (error responses from step 5 on too) copy the id, opcode, RD and question, set QR,
/// leave RA clear (no recursion), and carry an OPT record advertising 4,096 bytes when the query
/// had one (EDNS version and options are not looked at: every query is answered as version 0,
/// never BADVERS). The echoed question is the parsed one, so its name is lower-cased (DNS 0x20 case
/// randomisation is not preserved).
enum DNSQueryTriage {
    enum Outcome: Sendable, Equatable {
        /// Send nothing.
        case ignore(reason: String)
        /// Send this error response now, without asking the handler.
        case reply(DNSMessage, reason: String)
        /// Ask the handler about `question`, then build the response with `response(to:answer:)`.
        case ask(DNSQuestion, query: DNSMessage)
    }

    enum Transport: Sendable {
        case udp, tcp
    }

    /// The largest UDP payload this server accepts and offers through EDNS.
    static let maximumEDNSPayloadSize = 4096

    static func triage(_ bytes: [UInt8]) -> Outcome {
        guard bytes.count >= DNSMessage.headerLength else {
            return .ignore(reason: "\(bytes.count) bytes are shorter than a DNS header")
        }
        let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        let opcode = (bytes[2] >> 3) & 0x0F
        let recursionDesired = bytes[2] & 0x01 != 0
        if bytes[2] & 0x80 != 0 {
            return .ignore(reason: "a response (QR set), not a query")
        }
        let header = DNSMessage(id: id, isResponse: true, opcode: opcode, recursionDesired: recursionDesired)
        guard opcode == 0 else {
            var response = header
            response.responseCode = .notImplemented
            return .reply(response, reason: "opcode \(opcode) is not QUERY")
        }
        let query: DNSMessage
        do {
            query = try DNSMessage.parse(bytes)
        } catch {
            var response = header
            response.responseCode = .formatError
            return .reply(response, reason: "malformed query: \(error)")
        }
        guard query.questions.count == 1, let question = query.questions.first else {
            return .reply(
                errorResponse(to: query, code: .formatError, echoingQuestion: false),
                reason: "\(query.questions.count) questions, not 1")
        }
        switch question.type {
        case .opt:
            return .reply(errorResponse(to: query, code: .formatError), reason: "QTYPE OPT")
        case .axfr, .ixfr:
            return .reply(errorResponse(to: query, code: .notImplemented), reason: "zone transfer (\(question.type))")
        default:
            break
        }
        guard question.class == DNSClass.internet || question.class == DNSClass.any else {
            return .reply(errorResponse(to: query, code: .refused), reason: "class \(question.class)")
        }
        return .ask(question, query: query)
    }

    /// The response to `query` carrying `answer`; SERVFAIL instead when a record of the answer
    /// cannot be written (`invalid` then says which and why).
    static func response(
        to query: DNSMessage, answer: DNSAnswer
    ) -> (response: DNSMessage, invalid: (record: DNSResourceRecord, error: DNSWireError)?) {
        for record in answer.answers + answer.authorities + answer.additionals {
            do {
                try record.validate()
            } catch {
                return (errorResponse(to: query, code: .serverFailure), (record, error))
            }
        }
        var response = errorResponse(to: query, code: answer.responseCode)
        response.isAuthoritative = answer.isAuthoritative
        response.answers = answer.answers
        response.authorities = answer.authorities
        response.additionals = answer.additionals
        return (response, nil)
    }

    /// The largest response to `query` over `transport`: 65,535 bytes over TCP; over UDP, 512,
    /// or the query's EDNS payload size (at least 512, at most 4,096).
    static func responseLimit(for query: DNSMessage?, over transport: Transport) -> Int {
        switch transport {
        case .tcp:
            return 65535
        case .udp:
            guard let advertised = query?.ednsUDPPayloadSize else { return DNSMessage.classicUDPPayloadSize }
            return min(max(Int(advertised), DNSMessage.classicUDPPayloadSize), maximumEDNSPayloadSize)
        }
    }

    private static func errorResponse(to query: DNSMessage, code: DNSResponseCode, echoingQuestion: Bool = true) -> DNSMessage {
        DNSMessage(
            id: query.id, isResponse: true, opcode: query.opcode, recursionDesired: query.recursionDesired,
            responseCode: code, questions: echoingQuestion ? query.questions : [],
            ednsUDPPayloadSize: query.ednsUDPPayloadSize == nil ? nil : UInt16(maximumEDNSPayloadSize))
    }
}
