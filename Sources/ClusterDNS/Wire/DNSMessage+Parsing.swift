extension DNSMessage {
    /// Parses a whole DNS message, strictly, from untrusted bytes.
    ///
    /// - Every read is bounds-checked; counts that promise more questions or records than the
    ///   remaining bytes could hold fail at once (`countTooLarge`) before anything is allocated
    ///   for them.
    /// - Names: see `DNSReader` (pointers strictly backwards, at most 128 jumps, labels of at most
    ///   63 octets, at most 255 octets uncompressed); they come back lower-cased (`DNSName`).
    /// - Record data must have exactly the length its type needs (`DNSRecordDataEncoding.read`).
    /// - At most one OPT record, in the additional section, owned by the root (RFC 6891 §6.1.1).
    /// - Trailing bytes after the last record the header counts are rejected (`trailingBytes`):
    ///   what parses is exactly what was sent, and a server answers FORMERR to such a query.
    public static func parse(_ bytes: [UInt8]) throws(DNSWireError) -> DNSMessage {
        var reader = DNSReader(bytes)
        guard bytes.count >= headerLength else { throw DNSWireError(.truncated(what: "the header"), at: 0) }
        let id = try reader.readUInt16("the header")
        let flags = try reader.readUInt16("the header")
        let questionCount = Int(try reader.readUInt16("the header"))
        let answerCount = Int(try reader.readUInt16("the header"))
        let authorityCount = Int(try reader.readUInt16("the header"))
        let additionalCount = Int(try reader.readUInt16("the header"))

        var message = DNSMessage(
            id: id,
            isResponse: flags & 0x8000 != 0,
            opcode: UInt8((flags >> 11) & 0x0F),
            isAuthoritative: flags & 0x0400 != 0,
            isTruncated: flags & 0x0200 != 0,
            recursionDesired: flags & 0x0100 != 0,
            recursionAvailable: flags & 0x0080 != 0,
            responseCode: DNSResponseCode(rawValue: UInt8(flags & 0x000F)))

        // A question takes at least 5 octets (root name, type, class); a record at least 11.
        try checkCount(questionCount, minimumLength: 5, section: .question, reader)
        message.questions.reserveCapacity(questionCount)
        for _ in 0..<questionCount {
            let name = try reader.readName("a question name")
            let type = DNSRecordType(rawValue: try reader.readUInt16("a question type"))
            let `class` = try reader.readUInt16("a question class")
            message.questions.append(DNSQuestion(name: name, type: type, class: `class`))
        }
        try checkCount(answerCount, minimumLength: 11, section: .answer, reader)
        message.answers = try readRecords(answerCount, .answer, &reader)
        try checkCount(authorityCount, minimumLength: 11, section: .authority, reader)
        message.authorities = try readRecords(authorityCount, .authority, &reader)
        try checkCount(additionalCount, minimumLength: 11, section: .additional, reader)
        message.additionals.reserveCapacity(additionalCount)
        for _ in 0..<additionalCount {
            let start = reader.offset
            let record = try readRecord(&reader, section: .additional)
            guard record.type == .opt else {
                message.additionals.append(record)
                continue
            }
            guard message.ednsUDPPayloadSize == nil else { throw DNSWireError(.misplacedOPT, at: start) }
            guard record.name.isEmpty else { throw DNSWireError(.optOwnerNotRoot, at: start) }
            message.ednsUDPPayloadSize = record.class
            let extended = Int(record.ttl >> 24) << 4 | Int(message.responseCode.rawValue)
            if extended <= Int(UInt8.max) { message.responseCode = DNSResponseCode(rawValue: UInt8(extended)) }
        }
        guard reader.remaining == 0 else { throw DNSWireError(.trailingBytes(count: reader.remaining), at: reader.offset) }
        return message
    }

    private static func checkCount(
        _ count: Int, minimumLength: Int, section: Section, _ reader: DNSReader
    ) throws(DNSWireError) {
        guard count <= reader.remaining / minimumLength else {
            throw DNSWireError(.countTooLarge(section: section, count: count), at: reader.offset)
        }
    }

    private static func readRecords(_ count: Int, _ section: Section, _ reader: inout DNSReader) throws(DNSWireError) -> [DNSResourceRecord] {
        var records: [DNSResourceRecord] = []
        records.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let record = try readRecord(&reader, section: section)
            if record.type == .opt { throw DNSWireError(.misplacedOPT, at: start) }
            records.append(record)
        }
        return records
    }

    private static func readRecord(_ reader: inout DNSReader, section: Section) throws(DNSWireError) -> DNSResourceRecord {
        let name = try reader.readName("a record owner in the \(section) section")
        let type = DNSRecordType(rawValue: try reader.readUInt16("a record type"))
        let `class` = try reader.readUInt16("a record class")
        let ttl = try reader.readUInt32("a record TTL")
        let length = Int(try reader.readUInt16("a record data length"))
        // OPT data (EDNS options) is skipped as raw bytes: no option is acted on.
        let data: DNSRecordData
        if type == .opt {
            data = .raw(try reader.readBytes(length, "OPT record data"))
        } else {
            data = try DNSRecordDataEncoding.read(type: type, length: length, from: &reader)
        }
        return DNSResourceRecord(name: name, type: type, class: `class`, ttl: ttl, data: data)
    }
}
