import ClusterDNS
import KubeTestSupport
import Testing

// A real server on 127.0.0.1 and a free port, answering from TestZone, asked over UDP and TCP.
struct DNSServerTests {
    static let transports: [DNSClient.Transport] = [.udp, .tcp]
    static let www = "www.test.example"

    @Test(
        "A, AAAA, SRV, TXT and CNAME questions get the zone's records, authoritatively",
        arguments: transports, [
            (www, DNSRecordType.a, [DNSRecordData.a("192.0.2.1")]),
            (www, .aaaa, [.aaaa("2001:db8::1")]),
            ("_http._tcp.test.example", .srv, [.srv(priority: 10, weight: 5, port: 8080, target: www)]),
            ("txt.test.example", .txt, [.txt(["hello", "wörld"])]),
            ("alias.test.example", .cname, [.cname(www)]),
        ])
    func recordsAnswered(_ transport: DNSClient.Transport, _ query: (name: String, type: DNSRecordType, data: [DNSRecordData])) async throws {
        try await withTestServer { server, _ in
            let response = try await DNSClient.query(query.name, type: query.type, server: server.host, port: server.port, timeout: .seconds(10), transport: transport)
            #expect(response.isResponse && response.isAuthoritative && !response.isTruncated && !response.recursionAvailable)
            #expect(response.responseCode == .noError)
            #expect(response.questions == [DNSQuestion(name: query.name, type: query.type)])
            #expect(response.answers.map(\.data) == query.data)
            #expect(response.answers.allSatisfy { $0.name == query.name && $0.ttl == TestZone.ttl && $0.type == query.type })
        }
    }

    @Test("a name that does not exist gets NXDOMAIN with the zone's SOA as authority", arguments: transports)
    func nameError(_ transport: DNSClient.Transport) async throws {
        try await withTestServer { server, _ in
            let response = try await DNSClient.query("nope.test.example.", type: .a, server: server.host, port: server.port, timeout: .seconds(10), transport: transport)
            #expect(response.responseCode == .nameError && response.isAuthoritative)
            #expect(response.answers.isEmpty && response.authorities == [TestZone.soa])
        }
    }

    @Test("a name without records of the type gets NOERROR, no answers and the SOA (NODATA)")
    func noData() async throws {
        try await withTestServer { server, _ in
            let response = try await DNSClient.query("txt.test.example", type: .a, server: server.host, port: server.port, timeout: .seconds(10))
            #expect(response.responseCode == .noError && response.answers.isEmpty && response.authorities == [TestZone.soa])
        }
    }

    @Test("a name outside the zone is refused; a handler record that cannot be written gives SERVFAIL")
    func refusedAndServerFailure() async throws {
        try await withTestServer { server, _ in
            let outside = try await DNSClient.query("example.org", type: .a, server: server.host, port: server.port, timeout: .seconds(10))
            #expect(outside.responseCode == .refused && !outside.isAuthoritative)
            let broken = try await DNSClient.query("broken.test.example", type: .a, server: server.host, port: server.port, timeout: .seconds(10))
            #expect(broken.responseCode == .serverFailure && broken.answers.isEmpty)
        }
    }

    @Test(
        "queries with no question or two get FORMERR with their id, and the handler is not asked",
        arguments: transports, [
            WireBytes.header(id: 0x5151, questions: 0),
            WireBytes.header(id: 0x5151, questions: 2) + WireBytes.question(www) + WireBytes.question(www, type: 28),
            WireBytes.header(id: 0x5151) + [0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F, 0x3F],
        ])
    func formatErrors(_ transport: DNSClient.Transport, _ bytes: [UInt8]) async throws {
        try await withTestServer { server, handler in
            let answer = try #require(try await DNSClient.sendRaw(bytes, server: server.host, port: server.port, transport: transport, timeout: .seconds(10)))
            let response = try DNSMessage.parse(answer)
            #expect(response.id == 0x5151 && response.isResponse && response.responseCode == .formatError && response.questions.isEmpty)
            #expect(handler.questions.count == 0)
        }
    }

    @Test("another opcode gets NOTIMP with its id", arguments: transports)
    func otherOpcode(_ transport: DNSClient.Transport) async throws {
        try await withTestServer { server, handler in
            let status = WireBytes.header(id: 0x0202, flags: 2 << 11) + WireBytes.question(Self.www)
            let response = try DNSMessage.parse(try #require(try await DNSClient.sendRaw(status, server: server.host, port: server.port, transport: transport, timeout: .seconds(10))))
            #expect(response.id == 0x0202 && response.opcode == 2 && response.responseCode == .notImplemented)
            #expect(handler.questions.count == 0)
        }
    }

    @Test("datagrams too short for a header and responses get no answer; the next query does")
    func ignoredDatagrams() async throws {
        try await withTestServer { server, _ in
            let client = try await RawUDPClient.connect(port: server.port)
            try await client.send([0x12, 0x34, 0x01])
            try await client.send(WireBytes.header(id: 0x9999, flags: 0x8000) + WireBytes.question(Self.www))
            try await client.send(WireBytes.query(Self.www, id: 0x7777))
            try await eventually("the query is answered", timeout: .seconds(20)) { !client.received.isEmpty }
            // UDP on loopback keeps order, and the ignored datagrams would have been answered at
            // once, before the handler's answer: only the query's answer came.
            #expect(try client.received.map { try DNSMessage.parse($0).id } == [0x7777])
            await client.close()
        }
    }

    @Test("over TCP, a message too short for a header closes the connection")
    func shortTCPMessageCloses() async throws {
        try await withTestServer { server, _ in
            let client = try await RawTCPClient.connect(port: server.port)
            try await client.send(message: [0x12, 0x34, 0x01])
            try await eventually("the server closes the connection", timeout: .seconds(20)) { client.isClosed }
            #expect(client.received.isEmpty)
        }
    }

    @Test("a long answer is truncated to 512 bytes over UDP and complete over TCP")
    func longAnswer() async throws {
        try await withTestServer { server, _ in
            let query = DNSMessage.query(id: 1, name: "big.test.example", type: .a).serialized()
            let udp = try #require(try await DNSClient.sendRaw(query, server: server.host, port: server.port, transport: .udp, timeout: .seconds(10)))
            #expect(udp.count <= 512)
            let truncated = try DNSMessage.parse(udp)
            #expect(truncated.isTruncated && truncated.answers.count < TestZone.bigCount)

            let tcp = try await DNSClient.query("big.test.example", type: .a, server: server.host, port: server.port, timeout: .seconds(10), transport: .tcp)
            #expect(!tcp.isTruncated && tcp.answers.count == TestZone.bigCount)
        }
    }

    @Test("the client asks again over TCP when the UDP answer is truncated")
    func clientRetriesOverTCP() async throws {
        try await withTestServer { server, _ in
            let response = try await DNSClient.query("big.test.example", type: .a, server: server.host, port: server.port, timeout: .seconds(10))
            #expect(!response.isTruncated && response.answers.count == TestZone.bigCount)
        }
    }

    @Test("an EDNS query gets up to its payload size over UDP (at most 4,096) and an OPT record", arguments: [UInt16(1000), 4096, 9000])
    func ednsPayloadHonoured(_ payloadSize: UInt16) async throws {
        try await withTestServer { server, _ in
            let query = DNSMessage.query(id: 9, name: "big.test.example", type: .a, ednsUDPPayloadSize: payloadSize).serialized()
            let bytes = try #require(try await DNSClient.sendRaw(query, server: server.host, port: server.port, timeout: .seconds(10)))
            let response = try DNSMessage.parse(bytes)
            #expect(bytes.count <= min(Int(payloadSize), 4096) && bytes.count > 512)
            #expect(response.ednsUDPPayloadSize == 4096)
            // 100 A records with compressed owners take about 1,650 bytes: they fit 4,096, not 1,000.
            #expect(response.isTruncated == (payloadSize == 1000))
            if payloadSize > 1000 { #expect(response.answers.count == TestZone.bigCount) }
        }
    }

    @Test("several queries on one TCP connection are answered in order, also after the client half-closes")
    func pipelinedTCPQueries() async throws {
        try await withTestServer { server, _ in
            let client = try await RawTCPClient.connect(port: server.port)
            let ids: [UInt16] = [1, 2, 3, 4, 5]
            var stream: [UInt8] = []
            for id in ids {
                let query = WireBytes.query(id % 2 == 0 ? "txt.test.example" : Self.www, type: id % 2 == 0 ? 16 : 1, id: id)
                stream += WireBytes.u16(UInt16(query.count)) + query
            }
            // All five in one write, then the end of the stream.
            try await client.send(stream)
            try await client.finishSending()
            try await eventually("all five are answered and the server closes", timeout: .seconds(20)) {
                client.received.count == ids.count && client.isClosed
            }
            let responses = try client.received.map { try DNSMessage.parse($0) }
            #expect(responses.map(\.id) == ids)
            #expect(responses.allSatisfy { $0.answers.count == 1 })
        }
    }

    @Test("an idle TCP connection is closed after the idle timeout")
    func idleTCPConnectionClosed() async throws {
        var configuration = DNSServer.Configuration()
        configuration.idleTimeout = .seconds(2)  // longer than connect + send on a loaded machine
        try await withTestServer(configuration: configuration) { server, _ in
            let client = try await RawTCPClient.connect(port: server.port)
            try await client.send(message: WireBytes.query(Self.www))
            try await eventually("the query is answered", timeout: .seconds(20)) { client.received.count == 1 }
            try await eventually("the idle connection is closed", timeout: .seconds(20)) { client.isClosed }
        }
    }

    @Test("stop closes open TCP connections and both listeners")
    func stopClosesEverything() async throws {
        let handler = TestZoneHandler()
        let server = try await DNSServer.start(host: "127.0.0.1", port: 0, handler: handler, logger: .init(label: "test"))
        let client = try await RawTCPClient.connect(port: server.port)
        try await client.send(message: WireBytes.query(Self.www))
        try await eventually("the query is answered", timeout: .seconds(20)) { client.received.count == 1 }
        await server.stop()
        try await eventually("the connection is closed", timeout: .seconds(20)) { client.isClosed }
        await #expect(throws: DNSClientError.self) {
            try await DNSClient.query(Self.www, type: .a, server: server.host, port: server.port, transport: .tcp)
        }
        await server.stop()
    }

    @Test("with port 0, UDP and TCP listen on the same free port; a port taken for UDP cannot be bound again")
    func sharedPort() async throws {
        try await withTestServer { server, _ in
            #expect(server.port > 0 && server.host == "127.0.0.1")
            await #expect(throws: DNSServerError.self) {
                try await DNSServer.start(host: "127.0.0.1", port: server.port, handler: TestZoneHandler(), logger: .init(label: "test"))
            }
            let udp = try await DNSClient.query(Self.www, type: .a, server: server.host, port: server.port, timeout: .seconds(10), transport: .udp)
            let tcp = try await DNSClient.query(Self.www, type: .a, server: server.host, port: server.port, timeout: .seconds(10), transport: .tcp)
            #expect(udp.answers == tcp.answers)
        }
    }
}
