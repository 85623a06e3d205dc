/// Why a `DNSClient` call failed; every case names the server (`host:port`) it was talking to.
public enum DNSClientError: Error, CustomStringConvertible {
    /// The name to look up is not a valid DNS name.
    case invalidName(String)
    /// The message to send is over 65,535 bytes, the most a TCP length prefix can say.
    case messageTooLong(length: Int)
    /// No answer came within the timeout.
    case timedOut(server: String, transport: DNSClient.Transport, after: Duration)
    /// The server could not be reached: connection refused, ICMP port unreachable, …
    case cannotReach(server: String, transport: DNSClient.Transport, cause: any Error)
    /// The server closed the TCP connection without answering.
    case closedWithoutAnswer(server: String)
    /// The answer carrying the query's id could not be parsed.
    case malformedResponse(server: String, DNSWireError)

    public var description: String {
        switch self {
        case .invalidName(let name):
            "not a valid DNS name: \"\(name)\""
        case .messageTooLong(let length):
            "a DNS message of \(length) bytes is too long to send"
        case .timedOut(let server, let transport, let timeout):
            "no answer from DNS server \(server) over \(transport) within \(timeout)"
        case .cannotReach(let server, let transport, let cause):
            "cannot reach DNS server \(server) over \(transport): \(cause)"
        case .closedWithoutAnswer(let server):
            "DNS server \(server) closed the TCP connection without answering"
        case .malformedResponse(let server, let error):
            "malformed answer from DNS server \(server): \(error)"
        }
    }
}
