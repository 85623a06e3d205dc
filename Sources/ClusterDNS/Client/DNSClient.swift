/// A stub DNS client for tests, demos and benchmarks: one question to one server, no
/// recursion, no caching, no retries other than TCP after a truncated UDP answer.
///
/// Each query uses a fresh socket (so a fresh source port) and a random id, and sends the name in
/// the case it is given. An answer counts only if it is a response (QR) with the query's id and,
/// when it carries a question, the query's question (compared without regard to case); anything
/// else that arrives is ignored, as a late answer to someone else or a spoof
/// would be. An answer with the right id that cannot be parsed fails the query.
public enum DNSClient {
    public enum Transport: Sendable, Hashable, CustomStringConvertible {
        case udp, tcp

        public var description: String {
            switch self {
            case .udp: "UDP"
            case .tcp: "TCP"
            }
        }
    }

    /// Asks `host`:`port` for the `type` records of `name` (a final dot is allowed) and returns
    /// the whole response, whatever its response code. Over UDP, a truncated (TC) answer is asked
    /// again over TCP, with a new `timeout`. Throws `DNSClientError`.
    public static func query(
        _ name: String, type: DNSRecordType, server host: String, port: Int, timeout: Duration = .seconds(2),
        transport: Transport = .udp
    ) async throws -> DNSMessage {
        guard DNSName.isValid(name) else { throw DNSClientError.invalidName(name) }
        let name = DNSName.withoutFinalDot(name)
        let response = try await ask(name, type: type, host: host, port: port, timeout: timeout, transport: transport)
        if transport == .udp, response.isTruncated {
            return try await ask(name, type: type, host: host, port: port, timeout: timeout, transport: .tcp)
        }
        return response
    }

    /// Sends `bytes` as one message (a datagram, or a length-prefixed message over a new TCP
    /// connection) and returns the first message that comes back, whatever it is; nil when none
    /// comes within `timeout` or the server closes the connection first. For testing servers with
    /// bytes no well-behaved client would send. Throws when the server cannot be reached.
    public static func sendRaw(
        _ bytes: [UInt8], server host: String, port: Int, transport: Transport = .udp, timeout: Duration = .seconds(2)
    ) async throws -> [UInt8]? {
        let outcome = try await DNSExchange.exchange(bytes, host: host, port: port, transport: transport, timeout: timeout) { $0 }
        switch outcome {
        case .answer(let answer): return answer
        case .timedOut, .closed: return nil
        }
    }

    private static func ask(
        _ name: String, type: DNSRecordType, host: String, port: Int, timeout: Duration, transport: Transport
    ) async throws -> DNSMessage {
        let id = UInt16.random(in: .min ... .max)
        // Parsing lower-cases names: the question an answer echoes is compared in that form.
        let question = DNSQuestion(name: DNSName.text(of: DNSName.labels(of: name) ?? [], lowercased: true), type: type)
        let server = "\(host):\(port)"
        let outcome = try await DNSExchange.exchange(
            DNSMessage.query(id: id, name: name, type: type).serialized(), host: host, port: port, transport: transport, timeout: timeout
        ) { bytes -> Result<DNSMessage, DNSClientError>? in
            // Only the header is trusted before the id matches.
            guard bytes.count >= DNSMessage.headerLength, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id, bytes[2] & 0x80 != 0 else {
                return nil
            }
            do throws(DNSWireError) {
                let response = try DNSMessage.parse(bytes)
                guard response.questions.isEmpty || response.questions == [question] else { return nil }
                return .success(response)
            } catch {
                return .failure(.malformedResponse(server: server, error))
            }
        }
        switch outcome {
        case .answer(let result): return try result.get()
        case .timedOut: throw DNSClientError.timedOut(server: server, transport: transport, after: timeout)
        case .closed: throw DNSClientError.closedWithoutAnswer(server: server)
        }
    }
}
