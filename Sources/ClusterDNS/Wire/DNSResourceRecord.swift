/// A question: which records of which name a query asks for (RFC 1035 §4.1.2).
public struct DNSQuestion: Sendable, Hashable {
    /// Dotted, without a final dot; the root is "". Parsed names are lower-cased (see `DNSName`).
    public var name: String
    public var type: DNSRecordType
    /// QCLASS: 1 (IN) in practice, 255 for any class.
    public var `class`: UInt16

    public init(name: String, type: DNSRecordType, class: UInt16 = DNSClass.internet) {
        self.name = name
        self.type = type
        self.class = `class`
    }

    /// Throws when the question cannot be written: its name is not a valid DNS name.
    public func validate() throws(DNSWireError) {
        guard DNSName.isValid(name) else { throw DNSWireError(.invalidName(name)) }
    }
}

/// A resource record (RFC 1035 §4.1.3).
///
/// The initialisers do not check anything, so that building answers stays cheap; `validate()`
/// says whether a record can be written. `DNSMessage.serialized(maxSize:)` leaves out records
/// that fail it (and the DNS server answers SERVFAIL when its handler returns one).
public struct DNSResourceRecord: Sendable, Hashable {
    /// The owner: dotted, without a final dot; the root is "". Parsed names are lower-cased.
    public var name: String
    public var type: DNSRecordType
    /// 1 (IN) in practice.
    public var `class`: UInt16
    /// Seconds the record may be cached.
    public var ttl: UInt32
    public var data: DNSRecordData

    public init(name: String, type: DNSRecordType, class: UInt16 = DNSClass.internet, ttl: UInt32, data: DNSRecordData) {
        self.name = name
        self.type = type
        self.class = `class`
        self.ttl = ttl
        self.data = data
    }

    /// An A record; `address` is dotted IPv4 text.
    public static func a(name: String, address: String, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .a, ttl: ttl, data: .a(address))
    }

    /// An AAAA record; `address` is IPv6 text in any valid form.
    public static func aaaa(name: String, address: String, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .aaaa, ttl: ttl, data: .aaaa(address))
    }

    /// An SRV record (RFC 2782): `target` offers the service at `port`.
    public static func srv(
        name: String, priority: UInt16, weight: UInt16, port: UInt16, target: String, ttl: UInt32
    ) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .srv, ttl: ttl, data: .srv(priority: priority, weight: weight, port: port, target: target))
    }

    /// A TXT record of one or more character-strings (each at most 255 UTF-8 octets).
    public static func txt(name: String, strings: [String], ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .txt, ttl: ttl, data: .txt(strings))
    }

    /// An SOA record; `rname` is the mailbox as a name (`hostmaster.example` for
    /// hostmaster@example).
    public static func soa(
        name: String, mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32,
        minimum: UInt32, ttl: UInt32
    ) -> DNSResourceRecord {
        DNSResourceRecord(
            name: name, type: .soa, ttl: ttl,
            data: .soa(mname: mname, rname: rname, serial: serial, refresh: refresh, retry: retry, expire: expire, minimum: minimum))
    }

    /// A CNAME record: `name` is an alias of `target`.
    public static func cname(name: String, target: String, ttl: UInt32) -> DNSResourceRecord {
        DNSResourceRecord(name: name, type: .cname, ttl: ttl, data: .cname(target))
    }

    /// Throws when the record cannot be written: an invalid owner or target name, an address that
    /// is not of the record's family, a TXT string over 255 octets, data over 65,535 octets, data
    /// of another type's shape, or an OPT record (EDNS is `DNSMessage.ednsUDPPayloadSize`).
    public func validate() throws(DNSWireError) {
        guard DNSName.isValid(name) else { throw DNSWireError(.invalidName(name)) }
        _ = try DNSRecordDataEncoding.check(data, type: type)
    }
}

/// The data of a resource record, decoded for the types this module knows.
///
/// Names are dotted text without a final dot, as record owners are. `raw` holds the data of any
/// other type as it was sent, and TXT data whose strings are not UTF-8; names compressed inside
/// raw data are not expanded (RFC 3597 allows compression only in the types decoded here).
public enum DNSRecordData: Sendable, Hashable {
    /// Dotted IPv4 text.
    case a(String)
    /// IPv6 text; parsed data is RFC 5952 canonical text.
    case aaaa(String)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case txt([String])
    case soa(mname: String, rname: String, serial: UInt32, refresh: UInt32, retry: UInt32, expire: UInt32, minimum: UInt32)
    case cname(String)
    case ptr(String)
    case ns(String)
    case raw([UInt8])

    /// The record type this data belongs to; nil for raw data, which fits any type.
    var expectedType: DNSRecordType? {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .srv: .srv
        case .txt: .txt
        case .soa: .soa
        case .cname: .cname
        case .ptr: .ptr
        case .ns: .ns
        case .raw: nil
        }
    }
}
