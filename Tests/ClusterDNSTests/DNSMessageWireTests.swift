import ClusterDNS
import Testing

struct DNSMessageWireTests {
    static let owner = "host.test.example"

    @Test(
        "every record type survives a write and a parse",
        arguments: [
            DNSResourceRecord.a(name: owner, address: "192.0.2.7", ttl: 5),
            .aaaa(name: owner, address: "2001:db8::7", ttl: 5),
            .srv(name: "_dns._udp.test.example", priority: 1, weight: 2, port: 53, target: owner, ttl: 5),
            .txt(name: owner, strings: ["v=1", "", "ünïcode", String(repeating: "x", count: 255)], ttl: 5),
            .soa(
                name: "test.example", mname: "ns.test.example", rname: "hostmaster.test.example", serial: 2026, refresh: 1,
                retry: 2, expire: 3, minimum: 4, ttl: 5),
            .cname(name: "alias.test.example", target: owner, ttl: 5),
            DNSResourceRecord(name: "7.2.0.192.in-addr.arpa", type: .ptr, ttl: 5, data: .ptr(owner)),
            DNSResourceRecord(name: "test.example", type: .ns, ttl: 5, data: .ns("ns.test.example")),
            DNSResourceRecord(name: owner, type: DNSRecordType(rawValue: 99), class: 3, ttl: 5, data: .raw([1, 2, 3, 0, 255])),
            DNSResourceRecord(name: "", type: .txt, ttl: UInt32.max, data: .txt([])),
        ])
    func recordRoundTrip(_ record: DNSResourceRecord) throws {
        try record.validate()
        let message = DNSMessage(
            id: 0xBEEF, isResponse: true, isAuthoritative: true, recursionDesired: true,
            questions: [DNSQuestion(name: record.name, type: record.type)], answers: [record])
        #expect(try DNSMessage.parse(message.serialized()) == message)
    }

    @Test("header flags, all four sections and EDNS survive a write and a parse")
    func wholeMessageRoundTrip() throws {
        let message = DNSMessage(
            id: 7, isResponse: true, opcode: 0, isAuthoritative: true, isTruncated: true, recursionDesired: true,
            recursionAvailable: true, responseCode: .nameError,
            questions: [DNSQuestion(name: "x.test.example", type: .any, class: DNSClass.any)],
            answers: [.a(name: "x.test.example", address: "10.0.0.1", ttl: 1)],
            authorities: [.soa(name: "test.example", mname: "ns.test.example", rname: "h.test.example", serial: 1, refresh: 2, retry: 3, expire: 4, minimum: 5, ttl: 6)],
            additionals: [.aaaa(name: "ns.test.example", address: "::1", ttl: 1)],
            ednsUDPPayloadSize: 1232)
        let parsed = try DNSMessage.parse(message.serialized())
        #expect(parsed == message)
        #expect(parsed.additionals.count == 1, "the OPT record is not listed among additionals")
    }

    @Test("IPv6 addresses parse back in canonical form")
    func aaaaCanonicalOnParse() throws {
        let message = DNSMessage(id: 1, answers: [.aaaa(name: "a", address: "2001:DB8:0:0:0:0:0:01", ttl: 1)])
        #expect(try DNSMessage.parse(message.serialized()).answers.first?.data == .aaaa("2001:db8::1"))
    }

    @Test("a response code over 15 travels in the OPT record")
    func extendedResponseCode() throws {
        let badVersion = DNSResponseCode(rawValue: 16)
        let message = DNSMessage(id: 1, isResponse: true, responseCode: badVersion, ednsUDPPayloadSize: 512)
        let bytes = message.serialized()
        #expect(bytes[3] & 0x0F == 0)
        #expect(try DNSMessage.parse(bytes).responseCode == badVersion)
    }

    // MARK: Compression

    @Test("names are compressed on write: a repeated owner is a pointer to the question")
    func compressionOnWrite() throws {
        let name = "www.test.example"
        let message = DNSMessage(
            id: 1, isResponse: true, questions: [DNSQuestion(name: name, type: .a)],
            answers: [.a(name: name, address: "192.0.2.1", ttl: 1), .a(name: "ftp.test.example", address: "192.0.2.2", ttl: 1)])
        let bytes = message.serialized()
        let questionEnd = 12 + 18 + 4
        // The first answer's owner is the whole question name; the second's suffix is at 16.
        #expect(Array(bytes[questionEnd..<questionEnd + 2]) == [0xC0, 12])
        let second = questionEnd + 2 + 10 + 4
        #expect(Array(bytes[second..<second + 6]) == [3, 0x66, 0x74, 0x70, 0xC0, 16])
        #expect(try DNSMessage.parse(bytes) == message)
    }

    @Test("SRV targets are written whole (RFC 2782); CNAME targets are compressed")
    func srvTargetsNotCompressed() {
        let srv = DNSMessage(id: 1, answers: [.srv(name: "www.test.example", priority: 0, weight: 0, port: 1, target: "www.test.example", ttl: 1)])
        #expect(srv.serialized().count == 12 + 18 + 10 + 6 + 18)
        let cname = DNSMessage(id: 1, answers: [.cname(name: "www.test.example", target: "www.test.example", ttl: 1)])
        #expect(cname.serialized().count == 12 + 18 + 10 + 2)
    }

    @Test("compressed names are read: pointers to earlier names and into the middle of one")
    func compressionOnRead() throws {
        // Question "www.test.example" at 12; answer owner "mail" + pointer to "test.example" (16);
        // CNAME data pointing to the question name.
        let bytes = WireBytes.header(flags: 0x8400, answers: 1) + WireBytes.question("www.test.example")
            + [4] + Array("mail".utf8) + WireBytes.pointer(to: 16) + WireBytes.recordTail(type: 5, data: WireBytes.pointer(to: 12))
        let message = try DNSMessage.parse(bytes)
        #expect(message.answers == [.cname(name: "mail.test.example", target: "www.test.example", ttl: 60)])
    }

    // MARK: Hostile input

    static let loopsAndForwardPointers: [(String, [UInt8], DNSWireError.Reason)] = [
        ("a name pointing at itself", WireBytes.header() + WireBytes.pointer(to: 12) + [0, 1, 0, 1], .pointerNotBackwards(target: 12)),
        ("a forward pointer", WireBytes.header() + WireBytes.pointer(to: 20) + [0, 1, 0, 1] + WireBytes.name("a"), .pointerNotBackwards(target: 20)),
        (
            "a pointer into its own name", WireBytes.header() + [1, 0x61] + WireBytes.pointer(to: 12) + [0, 1, 0, 1],
            .pointerNotBackwards(target: 12)
        ),
        (
            // The question name ends in a pointer to the answer owner, which points back to it.
            "two names pointing at each other",
            WireBytes.header(answers: 1) + [1, 0x61] + WireBytes.pointer(to: 20) + [0, 1, 0, 1] + [1, 0x62] + WireBytes.pointer(to: 12)
                + WireBytes.recordTail(type: 1, data: [1, 2, 3, 4]),
            .pointerNotBackwards(target: 20)
        ),
        ("a pointer past the end", WireBytes.header() + WireBytes.pointer(to: 0x3FFF) + [0, 1, 0, 1], .pointerNotBackwards(target: 0x3FFF)),
    ]

    @Test("pointer loops and forward pointers are rejected", arguments: loopsAndForwardPointers)
    func pointerLoops(_ description: String, _ bytes: [UInt8], _ reason: DNSWireError.Reason) {
        #expect(Self.failure(parsing: bytes) == reason, "\(description)")
    }

    /// Why `bytes` do not parse; nil if they do.
    static func failure(parsing bytes: [UInt8]) -> DNSWireError.Reason? {
        do {
            _ = try DNSMessage.parse(bytes)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test("a chain of more than 128 backward pointers is rejected")
    func tooManyPointers() {
        // The answer's raw data holds 200 pointers, each to the one before; the first points to
        // the question name. The second answer's owner points to the last.
        let question = WireBytes.question("a")
        let chainStart = 12 + question.count + 1 + 10
        var chain: [UInt8] = WireBytes.pointer(to: 12)
        for index in 1..<200 { chain += WireBytes.pointer(to: chainStart + 2 * (index - 1)) }
        let bytes = WireBytes.header(answers: 2) + question + [0] + WireBytes.recordTail(type: 99, data: chain)
            + WireBytes.pointer(to: chainStart + 2 * 199) + WireBytes.recordTail(type: 1, data: [1, 2, 3, 4])
        #expect(Self.failure(parsing: bytes) == .tooManyPointers)
        // The same chain of 100 is fine.
        let shorter = WireBytes.header(answers: 2) + question + [0] + WireBytes.recordTail(type: 99, data: Array(chain.prefix(200)))
            + WireBytes.pointer(to: chainStart + 2 * 99) + WireBytes.recordTail(type: 1, data: [1, 2, 3, 4])
        #expect(Self.failure(parsing: shorter) == nil)
    }

    @Test("a label length of 64 or more is not a label: it is an unsupported label type")
    func overlongLabel() {
        let bytes = WireBytes.header() + [64] + [UInt8](repeating: 0x61, count: 64) + [0, 0, 1, 0, 1]
        #expect(throws: DNSWireError(.unsupportedLabelType(0x40), at: 12)) { try DNSMessage.parse(bytes) }
    }

    @Test("names over 255 octets are rejected, written out or assembled through pointers")
    func overlongNames() {
        let label = [63] + [UInt8](repeating: 0x61, count: 63)
        let written = WireBytes.header() + label + label + label + label + [0, 0, 1, 0, 1]
        #expect(throws: DNSWireError(.nameTooLong, at: 12 + 3 * 64)) { try DNSMessage.parse(written) }
        // Question: three labels (193 octets). Answer owner: two labels + pointer to it (321).
        let assembled = WireBytes.header(answers: 1) + label + label + label + [0, 0, 1, 0, 1]
            + label + label + WireBytes.pointer(to: 12) + WireBytes.recordTail(type: 1, data: [1, 2, 3, 4])
        #expect(Self.failure(parsing: assembled) == .nameTooLong)
        #expect(!DNSName.isValid(String(repeating: "a", count: 64)))
    }

    @Test(
        "counts larger than the data are rejected before reading",
        arguments: [
            (WireBytes.header(questions: 0xFFFF), DNSWireError.Reason.countTooLarge(section: .question, count: 0xFFFF), 12),
            (WireBytes.header(answers: 0xFFFF) + WireBytes.question("a"), .countTooLarge(section: .answer, count: 0xFFFF), 19),
            (
                WireBytes.header(authorities: 2) + WireBytes.question("a") + [0] + WireBytes.recordTail(type: 1, data: [1, 2, 3, 4]),
                .countTooLarge(section: .authority, count: 2), 19
            ),
            (WireBytes.header(additionals: 1) + WireBytes.question("a") + [0, 0], .countTooLarge(section: .additional, count: 1), 19),
        ])
    func countsBeyondData(_ bytes: [UInt8], _ reason: DNSWireError.Reason, _ offset: Int) {
        #expect(throws: DNSWireError(reason, at: offset)) { try DNSMessage.parse(bytes) }
    }

    @Test(
        "truncated messages fail with where they end",
        arguments: [
            [UInt8](), [0x12], WireBytes.header(questions: 1), WireBytes.header() + [3, 0x61],
            WireBytes.header(answers: 1) + WireBytes.question("a") + [0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2],
        ])
    func truncatedMessages(_ bytes: [UInt8]) {
        #expect(throws: DNSWireError.self) { try DNSMessage.parse(bytes) }
    }

    @Test("record data of the wrong length for its type is rejected")
    func badRecordData() {
        let shortA = WireBytes.header(answers: 1) + WireBytes.question("a") + [0] + WireBytes.recordTail(type: 1, data: [1, 2, 3])
        #expect(throws: DNSWireError(.badRecordData(type: .a, length: 3), at: shortA.count - 3)) { try DNSMessage.parse(shortA) }
        let longCNAME = WireBytes.header(answers: 1) + WireBytes.question("a") + [0]
            + WireBytes.recordTail(type: 5, data: WireBytes.name("b") + [9])
        #expect(throws: DNSWireError.self) { try DNSMessage.parse(longCNAME) }
        let shortSRV = WireBytes.header(answers: 1) + WireBytes.question("a") + [0] + WireBytes.recordTail(type: 33, data: [0, 1, 0])
        #expect(throws: DNSWireError(.badRecordData(type: .srv, length: 3), at: shortSRV.count - 3)) { try DNSMessage.parse(shortSRV) }
    }

    @Test("trailing bytes after the last record are rejected")
    func trailingBytes() {
        let bytes = WireBytes.query("a") + [0xAB, 0xCD]
        #expect(throws: DNSWireError(.trailingBytes(count: 2), at: bytes.count - 2)) { try DNSMessage.parse(bytes) }
    }

    @Test("OPT records: only one, only among additionals, only owned by the root")
    func optPlacement() {
        let opt = [0] + WireBytes.recordTail(type: 41, class: 1232, ttl: 0, data: [])
        let inAnswers = WireBytes.header(answers: 1) + WireBytes.question("a") + opt
        #expect(throws: DNSWireError(.misplacedOPT, at: 12 + 7)) { try DNSMessage.parse(inAnswers) }
        let twice = WireBytes.header(additionals: 2) + WireBytes.question("a") + opt + opt
        #expect(throws: DNSWireError(.misplacedOPT, at: 12 + 7 + 11)) { try DNSMessage.parse(twice) }
        let owned = WireBytes.header(additionals: 1) + WireBytes.question("a") + WireBytes.name("a") + Array(opt.dropFirst())
        #expect(throws: DNSWireError(.optOwnerNotRoot, at: 12 + 7)) { try DNSMessage.parse(owned) }
        let fine = WireBytes.header(additionals: 1) + WireBytes.question("a") + opt
        #expect((try? DNSMessage.parse(fine))?.ednsUDPPayloadSize == 1232)
    }

    @Test("TXT data that is not UTF-8 is kept as raw bytes")
    func binaryText() throws {
        let data: [UInt8] = [2, 0xFF, 0xFE]
        let bytes = WireBytes.header(answers: 1) + WireBytes.question("a") + [0] + WireBytes.recordTail(type: 16, data: data)
        #expect(try DNSMessage.parse(bytes).answers.first?.data == .raw(data))
    }

    // MARK: Writing

    @Test("a message over maxSize loses records from the end, additionals first, and is marked truncated")
    func truncationOnWrite() throws {
        let answers = (1...20).map { DNSResourceRecord.a(name: "a.test.example", address: "10.0.0.\($0)", ttl: 1) }
        let additionals = (1...20).map { DNSResourceRecord.a(name: "b.test.example", address: "10.0.1.\($0)", ttl: 1) }
        let message = DNSMessage(
            id: 1, isResponse: true, questions: [DNSQuestion(name: "a.test.example", type: .a)], answers: answers,
            additionals: additionals, ednsUDPPayloadSize: 4096)
        let whole = message.serialized()
        #expect(!(try DNSMessage.parse(whole)).isTruncated)

        let withoutSomeAdditionals = try DNSMessage.parse(message.serialized(maxSize: whole.count - 1))
        #expect(withoutSomeAdditionals.isTruncated)
        #expect(withoutSomeAdditionals.answers == answers)
        #expect(withoutSomeAdditionals.additionals == Array(additionals.dropLast()))
        #expect(withoutSomeAdditionals.ednsUDPPayloadSize == 4096, "the OPT record is kept")

        let small = message.serialized(maxSize: 200)
        #expect(small.count <= 200)
        let cut = try DNSMessage.parse(small)
        #expect(cut.isTruncated && cut.additionals.isEmpty && !cut.answers.isEmpty)
        #expect(cut.answers == Array(answers.prefix(cut.answers.count)))

        let headerOnly = try DNSMessage.parse(message.serialized(maxSize: 12))
        #expect(headerOnly.isTruncated && headerOnly.questions.isEmpty && headerOnly.answers.isEmpty)
    }

    @Test(
        "records that cannot be written fail validation and are left out of the bytes",
        arguments: [
            DNSResourceRecord.a(name: "a", address: "300.1.1.1", ttl: 1),
            .aaaa(name: "a", address: "192.0.2.1", ttl: 1),
            .a(name: "a..b", address: "192.0.2.1", ttl: 1),
            .txt(name: "a", strings: [String(repeating: "x", count: 256)], ttl: 1),
            .srv(name: "a", priority: 0, weight: 0, port: 1, target: String(repeating: "x", count: 64), ttl: 1),
            DNSResourceRecord(name: "a", type: .aaaa, ttl: 1, data: .a("192.0.2.1")),
            DNSResourceRecord(name: "", type: .opt, ttl: 1, data: .raw([])),
        ])
    func invalidRecords(_ record: DNSResourceRecord) throws {
        #expect(throws: DNSWireError.self) { try record.validate() }
        let good = DNSResourceRecord.a(name: "a", address: "192.0.2.1", ttl: 1)
        let parsed = try DNSMessage.parse(DNSMessage(id: 1, answers: [record, good]).serialized())
        #expect(parsed.answers == [good])
    }
}
