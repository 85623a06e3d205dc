/// What a DNS server asks for the answer to each well-formed query: the part that knows what
/// names mean.
///
/// The server calls `answer` only for a standard query (opcode QUERY) with exactly one question of
/// class IN or ANY; everything else is answered (or dropped) before a handler sees it. Calls run
/// concurrently, one per query in flight; a call should not take long, as a TCP client waits for
/// each answer in turn and a UDP client gives up after a second or two.
public protocol DNSQueryHandler: Sendable {
    /// The answer to `question`; `client` is the asking client's IP address, if known.
    func answer(_ question: DNSQuestion, from client: String?) async -> DNSAnswer
}

/// A handler's answer: the response code, the AA flag and the records of the three sections.
///
/// Every record must pass `DNSResourceRecord.validate()`: if one does not, the server answers
/// SERVFAIL instead (and logs the record at error level), as a half-written answer would mislead.
public struct DNSAnswer: Sendable, Hashable {
    public var responseCode: DNSResponseCode
    public var isAuthoritative: Bool
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    public var additionals: [DNSResourceRecord]

    public init(
        responseCode: DNSResponseCode = .noError,
        isAuthoritative: Bool = true,
        answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [],
        additionals: [DNSResourceRecord] = []
    ) {
        self.responseCode = responseCode
        self.isAuthoritative = isAuthoritative
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// An authoritative NOERROR answer with `records`.
    public static func records(_ records: [DNSResourceRecord], additionals: [DNSResourceRecord] = []) -> DNSAnswer {
        DNSAnswer(answers: records, additionals: additionals)
    }

    /// Authoritative NOERROR without records (NODATA: the name exists, not with this type); the
    /// zone's SOA in `authority` lets resolvers cache that (RFC 2308).
    public static func noData(authority: DNSResourceRecord?) -> DNSAnswer {
        DNSAnswer(authorities: authority.map { [$0] } ?? [])
    }

    /// Authoritative NXDOMAIN (the name does not exist), with the zone's SOA in `authority`.
    public static func nameError(authority: DNSResourceRecord?) -> DNSAnswer {
        DNSAnswer(responseCode: .nameError, authorities: authority.map { [$0] } ?? [])
    }

    /// REFUSED, not authoritative: the name is in no zone this server answers for.
    public static let refused = DNSAnswer(responseCode: .refused, isAuthoritative: false)

    /// SERVFAIL, not authoritative: the handler could not find out.
    public static let serverFailure = DNSAnswer(responseCode: .serverFailure, isAuthoritative: false)
}
