/// A DNS message (RFC 1035 §4.1): a query or a response, header flags and the four sections.
///
/// EDNS (RFC 6891) is one field, `ednsUDPPayloadSize`: parsing takes it from the OPT
/// pseudo-record in the additional section (which then is not among `additionals`), and writing
/// adds an OPT record when it is set. The OPT record's version, DO flag and options are not kept,
/// and are written as zero. The header's Z, AD and CD bits are not kept either and are written as
/// zero.
///
/// Wire format: `parse(_:)` in DNSMessage+Parsing.swift, `serialized(maxSize:)` in
/// DNSMessage+Serialization.swift.
public struct DNSMessage: Sendable, Hashable {
    public var id: UInt16
    /// QR: a response (true) or a query.
    public var isResponse: Bool
    /// OPCODE (4 bits): 0 is a standard query (QUERY).
    public var opcode: UInt8
    /// AA: the responding server is an authority for the question's name.
    public var isAuthoritative: Bool
    /// TC: the message was cut to fit the transport; ask again over TCP for all of it.
    public var isTruncated: Bool
    /// RD: the client asks for recursion (copied into the response).
    public var recursionDesired: Bool
    /// RA: the server offers recursion.
    public var recursionAvailable: Bool
    /// RCODE; with EDNS, the OPT record's extended bits are folded in when the whole code fits
    /// a byte.
    public var responseCode: DNSResponseCode
    public var questions: [DNSQuestion]
    public var answers: [DNSResourceRecord]
    public var authorities: [DNSResourceRecord]
    /// Additional records, never the OPT record (see `ednsUDPPayloadSize`).
    public var additionals: [DNSResourceRecord]
    /// EDNS: the largest UDP payload the sender can receive, from or for an OPT record; nil for
    /// a message without one.
    public var ednsUDPPayloadSize: UInt16?

    public init(
        id: UInt16,
        isResponse: Bool = false,
        opcode: UInt8 = 0,
        isAuthoritative: Bool = false,
        isTruncated: Bool = false,
        recursionDesired: Bool = false,
        recursionAvailable: Bool = false,
        responseCode: DNSResponseCode = .noError,
        questions: [DNSQuestion] = [],
        answers: [DNSResourceRecord] = [],
        authorities: [DNSResourceRecord] = [],
        additionals: [DNSResourceRecord] = [],
        ednsUDPPayloadSize: UInt16? = nil
    ) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
        self.isAuthoritative = isAuthoritative
        self.isTruncated = isTruncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
        self.ednsUDPPayloadSize = ednsUDPPayloadSize
    }

    /// A standard query (opcode QUERY, RD set) for one question.
    public static func query(id: UInt16, name: String, type: DNSRecordType, ednsUDPPayloadSize: UInt16? = nil) -> DNSMessage {
        DNSMessage(
            id: id, recursionDesired: true, questions: [DNSQuestion(name: name, type: type)], ednsUDPPayloadSize: ednsUDPPayloadSize)
    }

    /// The sections of a message, as errors name them.
    public enum Section: Sendable, Hashable, CustomStringConvertible {
        case question, answer, authority, additional

        public var description: String {
            switch self {
            case .question: "question"
            case .answer: "answer"
            case .authority: "authority"
            case .additional: "additional"
            }
        }
    }

    /// The size of the fixed header.
    public static let headerLength = 12
}
