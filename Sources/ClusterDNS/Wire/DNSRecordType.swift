/// The TYPE of a resource record or QTYPE of a question (RFC 1035 §3.2.2, RFC 3596, RFC 2782,
/// RFC 6891). Every 16-bit value is representable; the ones this module decodes have names.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let ptr = DNSRecordType(rawValue: 12)
    public static let txt = DNSRecordType(rawValue: 16)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    /// The EDNS pseudo-record; `DNSMessage` reads and writes it as `ednsUDPPayloadSize`.
    public static let opt = DNSRecordType(rawValue: 41)
    /// Incremental and full zone transfers (QTYPEs only); the server does not implement them.
    public static let ixfr = DNSRecordType(rawValue: 251)
    public static let axfr = DNSRecordType(rawValue: 252)
    /// QTYPE `*`: all records of the name.
    public static let any = DNSRecordType(rawValue: 255)

    /// The mnemonic ("A", "AAAA", "SRV"), or RFC 3597's "TYPE<n>" for types without one here.
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .ixfr: "IXFR"
        case .axfr: "AXFR"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// The CLASS values this module names (RFC 1035 §3.2.4); classes are plain `UInt16`s elsewhere.
public enum DNSClass {
    /// The Internet.
    public static let internet: UInt16 = 1
    /// QCLASS `*`: any class.
    public static let any: UInt16 = 255
}
