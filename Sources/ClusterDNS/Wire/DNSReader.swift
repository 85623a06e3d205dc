/// Bounds-checked reading of a DNS message, position by position.
///
/// Every read checks the bytes are there against `limit` (the end of the message, or of the
/// record data being read) and throws `truncated` naming the part being read otherwise; nothing
/// here can trap on any input. Names follow compression pointers (RFC 1035 §4.1.4) under three
/// rules that make every name terminate: a pointer must point strictly before the start of the
/// name part that holds it (so each jump goes further back than the last: no loops, no forward
/// references), a name may take at most `maximumPointers` jumps, and its uncompressed wire form
/// may not exceed 255 octets.
struct DNSReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    /// Reads past this offset fail; names reached through a pointer may lie anywhere before it.
    var limit: Int

    /// More jumps than any honest message needs (a name has at most 127 labels).
    static let maximumPointers = 128

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.offset = 0
        self.limit = bytes.count
    }

    var remaining: Int { limit - offset }

    mutating func readUInt8(_ what: String) throws(DNSWireError) -> UInt8 {
        guard offset < limit else { throw DNSWireError(.truncated(what: what), at: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt16(_ what: String) throws(DNSWireError) -> UInt16 {
        guard remaining >= 2 else { throw DNSWireError(.truncated(what: what), at: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func readUInt32(_ what: String) throws(DNSWireError) -> UInt32 {
        guard remaining >= 4 else { throw DNSWireError(.truncated(what: what), at: offset) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(DNSWireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw DNSWireError(.truncated(what: what), at: offset) }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a possibly compressed name and returns its labels (as sent, not lower-cased). The
    /// reader ends up after the name's first pointer, or after its root label if it has none.
    mutating func readNameLabels(_ what: String) throws(DNSWireError) -> [[UInt8]] {
        var labels: [[UInt8]] = []
        var wireLength = 1
        var position = offset
        // Where the name part being read starts: pointers must point before it.
        var partStart = offset
        var bound = limit
        var resumeAt: Int?
        var jumps = 0
        while true {
            guard position < bound else { throw DNSWireError(.truncated(what: what), at: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? position + 1
                    return labels
                }
                let count = Int(length)
                guard bound - position - 1 >= count else { throw DNSWireError(.truncated(what: what), at: position) }
                wireLength += count + 1
                guard wireLength <= DNSName.maximumWireLength else { throw DNSWireError(.nameTooLong, at: position) }
                labels.append(Array(bytes[position + 1...position + count]))
                position += count + 1
            case 0xC0:
                guard bound - position >= 2 else { throw DNSWireError(.truncated(what: what), at: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                guard target < partStart else { throw DNSWireError(.pointerNotBackwards(target: target), at: position) }
                jumps += 1
                guard jumps <= Self.maximumPointers else { throw DNSWireError(.tooManyPointers, at: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                // What a pointer reaches was sent earlier, maybe outside the record being read.
                bound = bytes.count
                partStart = target
                position = target
            default:
                throw DNSWireError(.unsupportedLabelType(length & 0xC0), at: position)
            }
        }
    }

    /// Reads a name as dotted, lower-cased text (see `DNSName`).
    mutating func readName(_ what: String) throws(DNSWireError) -> String {
        DNSName.text(of: try readNameLabels(what), lowercased: true)
    }
}
