/// What was wrong with a DNS message, and where.
///
/// Thrown by `DNSMessage.parse(_:)` for bytes that are not a well-formed message (`offset` is
/// then the position in the message where the problem was found), and by
/// `DNSResourceRecord.validate()` / `DNSQuestion.validate()` for values that cannot be written
/// (`offset` is then nil).
public struct DNSWireError: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: Reason
    /// The byte offset in the message where parsing stopped; nil for values to be written.
    public var offset: Int?

    public init(_ reason: Reason, at offset: Int? = nil) {
        self.reason = reason
        self.offset = offset
    }

    public enum Reason: Sendable, Hashable {
        // Parsing.
        /// The message ends inside `what` ("the header", "a record's data", …).
        case truncated(what: String)
        /// A name is over 255 octets in wire form (after following compression pointers).
        case nameTooLong
        /// A label type other than a plain label (00) or a pointer (11): the extended (01) and
        /// reserved (10) types are not supported (RFC 6891 §5). A length octet of 64–191 is one
        /// of these, so no label on the wire can be over 63 octets.
        case unsupportedLabelType(UInt8)
        /// A compression pointer does not point strictly before the name, or part of a name, that
        /// it is in (forward pointers and loops).
        case pointerNotBackwards(target: Int)
        /// More compression pointers in one name than any real message needs.
        case tooManyPointers
        /// A section's count is more than the rest of the message could hold.
        case countTooLarge(section: DNSMessage.Section, count: Int)
        /// A record's data does not have the length its type requires, or its parts do not add up
        /// to its RDLENGTH.
        case badRecordData(type: DNSRecordType, length: Int)
        /// Bytes follow the last record the header counts.
        case trailingBytes(count: Int)
        /// An OPT record outside the additional section, or a second one (RFC 6891 §6.1.1).
        case misplacedOPT
        /// An OPT record whose owner is not the root.
        case optOwnerNotRoot

        // Values to write.
        /// Not a valid DNS name: an empty label, a label over 63 octets or a name over 255 octets.
        case invalidName(String)
        /// Not the text form of an address of the record's family.
        case invalidAddress(String)
        /// A TXT character-string over 255 octets.
        case textStringTooLong(length: Int)
        /// Record data over 65,535 octets.
        case recordDataTooLong(length: Int)
        /// The data's case does not belong to the record's type (`.a` data in an AAAA record), or
        /// the record is an OPT record, which belongs in `DNSMessage.ednsUDPPayloadSize`.
        case dataDoesNotMatchType(DNSRecordType)
    }

    public var description: String {
        let what: String
        switch reason {
        case .truncated(let part): what = "message ends inside \(part)"
        case .nameTooLong: what = "name over 255 octets"
        case .unsupportedLabelType(let byte): what = "unsupported label type 0x\(String(byte, radix: 16))"
        case .pointerNotBackwards(let target): what = "compression pointer to \(target) does not point backwards"
        case .tooManyPointers: what = "too many compression pointers in one name"
        case .countTooLarge(let section, let count): what = "\(section) count \(count) is more than the message holds"
        case .badRecordData(let type, let length): what = "\(type) record data of \(length) octets is malformed"
        case .trailingBytes(let count): what = "\(count) bytes after the last record"
        case .misplacedOPT: what = "OPT record outside the additional section or repeated"
        case .optOwnerNotRoot: what = "OPT record owner is not the root"
        case .invalidName(let name): what = "invalid DNS name \"\(name)\""
        case .invalidAddress(let address): what = "invalid address \"\(address)\""
        case .textStringTooLong(let length): what = "TXT string of \(length) octets (at most 255)"
        case .recordDataTooLong(let length): what = "record data of \(length) octets (at most 65535)"
        case .dataDoesNotMatchType(let type): what = "record data does not match type \(type)"
        }
        guard let offset else { return what }
        return "\(what) at offset \(offset)"
    }
}
