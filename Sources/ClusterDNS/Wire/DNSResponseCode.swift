/// The RCODE of a DNS response (RFC 1035 §4.1.1).
///
/// The header carries 4 bits; with EDNS (RFC 6891) the OPT record adds 8 more. Values that fit in
/// a byte are representable, named or not. A response code above 15 is only written when the
/// message carries EDNS (`DNSMessage.ednsUDPPayloadSize`); without it only the low 4 bits go out.
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// NOERROR: the query was answered (possibly with no records: NODATA).
    public static let noError = DNSResponseCode(rawValue: 0)
    /// FORMERR: the server could not make sense of the query.
    public static let formatError = DNSResponseCode(rawValue: 1)
    /// SERVFAIL: the server could not answer because of a problem of its own.
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    /// NXDOMAIN: the name does not exist (only meaningful from an authoritative server).
    public static let nameError = DNSResponseCode(rawValue: 3)
    /// NOTIMP: the server does not support this kind of query (its opcode, for example).
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    /// REFUSED: the server will not answer this query (not its zone, not its class).
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        default: "RCODE\(rawValue)"
        }
    }
}
