/// Record data on the wire: checking it can be written, writing it, and decoding it from a
/// message (RFC 1035 §3.3, RFC 3596 §2.2, RFC 2782).
///
/// Names inside CNAME, NS, PTR and SOA data are compressed on write, as RFC 3597 §4 allows for
/// those types only; SRV targets are written whole (RFC 2782). On read, compression is followed
/// in all of them.
enum DNSRecordDataEncoding {
    /// Record data checked and turned into what the writer needs.
    enum Prepared {
        case bytes([UInt8])
        case name([[UInt8]], compressed: Bool)
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: [[UInt8]])
        case soa(mname: [[UInt8]], rname: [[UInt8]], numbers: [UInt32])
    }

    /// Checks `data` can be written as data of a `type` record and prepares it; throws what is
    /// wrong otherwise (see `DNSResourceRecord.validate()`).
    static func check(_ data: DNSRecordData, type: DNSRecordType) throws(DNSWireError) -> Prepared {
        if type == .opt { throw DNSWireError(.dataDoesNotMatchType(type)) }
        if let expected = data.expectedType, expected != type { throw DNSWireError(.dataDoesNotMatchType(type)) }
        func labels(_ name: String) throws(DNSWireError) -> [[UInt8]] {
            guard let labels = DNSName.labels(of: name) else { throw DNSWireError(.invalidName(name)) }
            return labels
        }
        switch data {
        case .a(let address):
            guard let bytes = IPAddressText.ipv4Bytes(address) else { throw DNSWireError(.invalidAddress(address)) }
            return .bytes(bytes)
        case .aaaa(let address):
            guard let bytes = IPAddressText.ipv6Bytes(address) else { throw DNSWireError(.invalidAddress(address)) }
            return .bytes(bytes)
        case .srv(let priority, let weight, let port, let target):
            return .srv(priority: priority, weight: weight, port: port, target: try labels(target))
        case .txt(let strings):
            var bytes: [UInt8] = []
            for string in strings {
                let utf8 = Array(string.utf8)
                guard utf8.count <= 255 else { throw DNSWireError(.textStringTooLong(length: utf8.count)) }
                bytes.append(UInt8(utf8.count))
                bytes += utf8
            }
            guard bytes.count <= 65535 else { throw DNSWireError(.recordDataTooLong(length: bytes.count)) }
            return .bytes(bytes)
        case .soa(let mname, let rname, let serial, let refresh, let retry, let expire, let minimum):
            return .soa(mname: try labels(mname), rname: try labels(rname), numbers: [serial, refresh, retry, expire, minimum])
        case .cname(let target), .ptr(let target), .ns(let target):
            return .name(try labels(target), compressed: true)
        case .raw(let bytes):
            guard bytes.count <= 65535 else { throw DNSWireError(.recordDataTooLong(length: bytes.count)) }
            return .bytes(bytes)
        }
    }

    /// Writes prepared data (without its RDLENGTH).
    static func write(_ data: Prepared, into writer: inout DNSWriter) {
        switch data {
        case .bytes(let bytes):
            writer.write(bytes: bytes)
        case .name(let labels, let compressed):
            writer.writeName(labels, compressed: compressed)
        case .srv(let priority, let weight, let port, let target):
            writer.write(priority)
            writer.write(weight)
            writer.write(port)
            writer.writeName(target, compressed: false)
        case .soa(let mname, let rname, let numbers):
            writer.writeName(mname, compressed: true)
            writer.writeName(rname, compressed: true)
            for number in numbers { writer.write(number) }
        }
    }

    /// Decodes the `length` bytes of record data at the reader's position, which must all belong
    /// to the data: data shorter or longer than its type needs is `badRecordData`. Types not
    /// decoded here, and TXT data that is not UTF-8, come back as `.raw`.
    static func read(type: DNSRecordType, length: Int, from reader: inout DNSReader) throws(DNSWireError) -> DNSRecordData {
        let start = reader.offset
        guard reader.remaining >= length else { throw DNSWireError(.truncated(what: "the data of a \(type) record"), at: start) }
        let end = start + length
        let outerLimit = reader.limit
        reader.limit = end
        defer { reader.limit = outerLimit }
        let bad = DNSWireError(.badRecordData(type: type, length: length), at: start)
        let data: DNSRecordData
        do throws(DNSWireError) {
            switch type {
            case .a:
                guard length == 4 else { throw bad }
                data = .a(IPAddressText.ipv4Text(try reader.readBytes(4, "an A address")) ?? "")
            case .aaaa:
                guard length == 16 else { throw bad }
                data = .aaaa(IPAddressText.ipv6Text(try reader.readBytes(16, "an AAAA address")) ?? "")
            case .srv:
                let priority = try reader.readUInt16("an SRV priority")
                let weight = try reader.readUInt16("an SRV weight")
                let port = try reader.readUInt16("an SRV port")
                data = .srv(priority: priority, weight: weight, port: port, target: try reader.readName("an SRV target"))
            case .cname:
                data = .cname(try reader.readName("a CNAME target"))
            case .ptr:
                data = .ptr(try reader.readName("a PTR target"))
            case .ns:
                data = .ns(try reader.readName("an NS target"))
            case .soa:
                let mname = try reader.readName("an SOA MNAME")
                let rname = try reader.readName("an SOA RNAME")
                let serial = try reader.readUInt32("an SOA serial")
                let refresh = try reader.readUInt32("an SOA refresh")
                let retry = try reader.readUInt32("an SOA retry")
                let expire = try reader.readUInt32("an SOA expire")
                let minimum = try reader.readUInt32("an SOA minimum")
                data = .soa(mname: mname, rname: rname, serial: serial, refresh: refresh, retry: retry, expire: expire, minimum: minimum)
            case .txt:
                var strings: [String] = []
                var isUTF8 = true
                while reader.remaining > 0 {
                    let count = Int(try reader.readUInt8("a TXT string length"))
                    let bytes = try reader.readBytes(count, "a TXT string")
                    if let string = String(validating: bytes, as: UTF8.self) { strings.append(string) } else { isUTF8 = false }
                }
                data = isUTF8 ? .txt(strings) : .raw(Array(reader.bytes[start..<end]))
            default:
                data = .raw(try reader.readBytes(length, "record data"))
            }
        } catch {
            // The data's length was there; running out inside it means its parts do not fit it.
            if case .truncated = error.reason { throw bad }
            throw error
        }
        guard reader.offset == end else { throw bad }
        return data
    }
}
