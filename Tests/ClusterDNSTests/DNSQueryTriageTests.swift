@testable import ClusterDNS
import Testing

// The server's decisions without sockets (DNSQueryTriage): what each kind of query gets.
struct DNSQueryTriageTests {
    private func reply(to bytes: [UInt8]) -> DNSMessage? {
        if case .reply(let response, _) = DNSQueryTriage.triage(bytes) { return response }
        return nil
    }

    @Test("a well-formed query of class IN or ANY goes to the handler", arguments: [DNSClass.internet, DNSClass.any])
    func wellFormedQueryIsAsked(_ class: UInt16) {
        let bytes = WireBytes.header() + WireBytes.question("www.test.example", type: 28, class: `class`)
        guard case .ask(let question, let query) = DNSQueryTriage.triage(bytes) else {
            Issue.record("not asked")
            return
        }
        #expect(question == DNSQuestion(name: "www.test.example", type: .aaaa, class: `class`))
        #expect(query.id == 0x1234)
    }

    @Test("fewer than 12 bytes get nothing: there is no id to answer", arguments: [0, 1, 2, 11])
    func shortMessagesIgnored(_ length: Int) {
        guard case .ignore = DNSQueryTriage.triage(Array(WireBytes.query("a").prefix(length))) else {
            Issue.record("answered")
            return
        }
    }

    @Test("a response sent to the server is ignored")
    func responsesIgnored() {
        guard case .ignore = DNSQueryTriage.triage(WireBytes.header(flags: 0x8000) + WireBytes.question("a")) else {
            Issue.record("answered")
            return
        }
    }

    @Test("an opcode other than QUERY gets NOTIMP with the id, opcode and RD", arguments: [1, 2, 4, 5, 15])
    func otherOpcodes(_ opcode: UInt16) throws {
        let response = try #require(reply(to: WireBytes.header(id: 77, flags: opcode << 11 | 0x0100) + WireBytes.question("a")))
        #expect(response.responseCode == .notImplemented)
        #expect(response.id == 77 && response.isResponse && response.recursionDesired && response.opcode == UInt8(opcode))
    }

    @Test(
        "unparsable queries and question counts other than one get FORMERR with the id and no question",
        arguments: [
            WireBytes.header(id: 0xABCD, questions: 0),
            WireBytes.header(id: 0xABCD, questions: 2) + WireBytes.question("a") + WireBytes.question("b"),
            WireBytes.header(id: 0xABCD) + WireBytes.pointer(to: 12) + [0, 1, 0, 1],
            WireBytes.header(id: 0xABCD) + WireBytes.question("a") + [0],
            WireBytes.header(id: 0xABCD, questions: 0xFFFF),
            [0xAB, 0xCD, 0x01, 0x00] + [UInt8](repeating: 0x3F, count: 30),
        ])
    func formatErrors(_ bytes: [UInt8]) throws {
        let response = try #require(reply(to: bytes))
        #expect(response.responseCode == .formatError)
        #expect(response.id == 0xABCD && response.isResponse)
        #expect(response.questions.isEmpty && response.answers.isEmpty)
    }

    @Test("classes other than IN and ANY are refused, echoing the question", arguments: [UInt16(3), 4, 254, 0])
    func otherClassesRefused(_ class: UInt16) throws {
        let response = try #require(reply(to: WireBytes.header() + WireBytes.question("version.bind", type: 16, class: `class`)))
        #expect(response.responseCode == .refused)
        #expect(response.questions == [DNSQuestion(name: "version.bind", type: .txt, class: `class`)])
    }

    @Test("zone transfers get NOTIMP and QTYPE OPT gets FORMERR")
    func metaTypes() throws {
        #expect(try #require(reply(to: WireBytes.query("test.example", type: 252))).responseCode == .notImplemented)
        #expect(try #require(reply(to: WireBytes.query("test.example", type: 251))).responseCode == .notImplemented)
        #expect(try #require(reply(to: WireBytes.query("test.example", type: 41))).responseCode == .formatError)
    }

    @Test(
        "UDP responses are limited to 512 bytes, or the query's EDNS size between 512 and 4,096; TCP to 65,535",
        arguments: [(UInt16?.none, 512), (100, 512), (512, 512), (1232, 1232), (4096, 4096), (65000, 4096)])
    func responseLimits(_ advertised: UInt16?, _ limit: Int) {
        let query = DNSMessage.query(id: 1, name: "a", type: .a, ednsUDPPayloadSize: advertised)
        #expect(DNSQueryTriage.responseLimit(for: query, over: .udp) == limit)
        #expect(DNSQueryTriage.responseLimit(for: query, over: .tcp) == 65535)
    }

    @Test("a response copies id, opcode, RD and question, sets QR, clears RA and answers EDNS with EDNS")
    func responseHeader() {
        let query = DNSMessage.query(id: 4242, name: "www.test.example", type: .a, ednsUDPPayloadSize: 1232)
        let record = DNSResourceRecord.a(name: "www.test.example", address: "192.0.2.1", ttl: 5)
        let (response, invalid) = DNSQueryTriage.response(to: query, answer: .records([record]))
        #expect(invalid == nil)
        #expect(response.id == 4242 && response.isResponse && response.recursionDesired && !response.recursionAvailable)
        #expect(response.isAuthoritative && response.questions == query.questions && response.answers == [record])
        #expect(response.ednsUDPPayloadSize == 4096)
        #expect(DNSQueryTriage.response(to: DNSMessage.query(id: 1, name: "a", type: .a), answer: .refused).response.ednsUDPPayloadSize == nil)
    }

    @Test("an answer with a record that cannot be written becomes SERVFAIL")
    func invalidAnswerIsServerFailure() {
        let query = DNSMessage.query(id: 1, name: "a", type: .a)
        let (response, invalid) = DNSQueryTriage.response(to: query, answer: .records([.a(name: "a", address: "1.2.3", ttl: 1)]))
        #expect(response.responseCode == .serverFailure && response.answers.isEmpty)
        #expect(invalid?.error == DNSWireError(.invalidAddress("1.2.3")))
    }
}
