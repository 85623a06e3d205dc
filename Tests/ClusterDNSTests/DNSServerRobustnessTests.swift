@testable import ClusterDNS
import KubeTestSupport
import Testing

// Hostile input: random bytes, real queries with bits flipped, cut short, with absurd counts,
// compression loops and label soup. The parser and the server's decisions see tens of thousands
// of them without sockets; a real server sees thousands over UDP and TCP and must keep answering
// correctly. A crash anywhere fails the whole test run.
struct DNSServerRobustnessTests {
    static let www = "www.test.example"

    /// Real messages the mutations start from.
    static let seeds: [[UInt8]] = [
        WireBytes.query(www),
        DNSMessage.query(id: 2, name: "_http._tcp.test.example", type: .srv, ednsUDPPayloadSize: 1232).serialized(),
        DNSMessage.query(id: 3, name: "big.test.example", type: .a).serialized(),
        DNSMessage(
            id: 4, isResponse: true, questions: [DNSQuestion(name: www, type: .a)],
            answers: TestZone.records.prefix(6).map { $0 }, authorities: [TestZone.soa], ednsUDPPayloadSize: 4096
        ).serialized(),
    ]

    static func hostileMessages(count: Int, seed: UInt64) -> [[UInt8]] {
        var random = SplitMix64(seed: seed)
        func randomBytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
        return (0..<count).map { _ in
            var message = seeds.randomElement(using: &random) ?? []
            switch Int.random(in: 0..<8, using: &random) {
            case 0:
                message = randomBytes(Int.random(in: 0..<600, using: &random))
            case 1:
                for _ in 0..<Int.random(in: 1...8, using: &random) {
                    let index = Int.random(in: 0..<message.count, using: &random)
                    message[index] ^= 1 << UInt8.random(in: 0..<8, using: &random)
                }
            case 2:
                message = Array(message.prefix(Int.random(in: 0..<message.count, using: &random)))
            case 3:
                for index in 4..<12 where Bool.random(using: &random) {
                    message[index] = Bool.random(using: &random) ? 0xFF : UInt8.random(in: 0...255, using: &random)
                }
            case 4:
                // Pointers anywhere: to themselves, forwards, into the header, in chains.
                message = Array(message.prefix(12))
                for _ in 0..<Int.random(in: 1...40, using: &random) {
                    message += [0xC0 | UInt8.random(in: 0...0x3F, using: &random) & 0x01, UInt8.random(in: 0...255, using: &random)]
                    if Bool.random(using: &random) { message += [1, 0x61] }
                }
                message += [0, 1, 0, 1]
            case 5:
                let index = Int.random(in: 0...message.count, using: &random)
                message.insert(contentsOf: randomBytes(Int.random(in: 1...32, using: &random)), at: index)
            case 6:
                // Label soup: lengths of every kind, including the reserved label types.
                message = Array(message.prefix(12))
                for _ in 0..<Int.random(in: 1...20, using: &random) {
                    let length = UInt8.random(in: 0...255, using: &random)
                    message += [length] + randomBytes(Int(min(length, 70)))
                }
            default:
                let index = Int.random(in: 12..<message.count, using: &random)
                message[index] = UInt8.random(in: 0...255, using: &random)
            }
            return message
        }
    }

    @Test("20,000 hostile messages: parsing never traps, what parses writes back to the same message, every reply parses")
    func parserAndTriageSurvive() throws {
        var parsed = 0
        for bytes in Self.hostileMessages(count: 20_000, seed: 1) {
            if let message = try? DNSMessage.parse(bytes) {
                parsed += 1
                #expect(try DNSMessage.parse(message.serialized()) == message, "\(bytes)")
            }
            switch DNSQueryTriage.triage(bytes) {
            case .ignore:
                break
            case .reply(let response, _):
                let reparsed = try DNSMessage.parse(response.serialized(maxSize: 512))
                #expect(reparsed.isResponse && reparsed.id == UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
            case .ask(let question, let query):
                let (response, _) = DNSQueryTriage.response(to: query, answer: TestZone.answer(question))
                let limit = DNSQueryTriage.responseLimit(for: query, over: .udp)
                let bytes = response.serialized(maxSize: limit)
                #expect(bytes.count <= limit)
                #expect(try DNSMessage.parse(bytes).id == query.id)
            }
        }
        // The mutations leave a fair share well-formed, so the round trip is exercised too.
        #expect(parsed > 1_000)
    }

    @Test("a server fed 3,000 hostile datagrams and 60 hostile TCP streams keeps answering correctly")
    func serverSurvives() async throws {
        var configuration = DNSServer.Configuration()
        configuration.idleTimeout = .seconds(1)
        try await withTestServer(configuration: configuration) { server, _ in
            let udp = try await RawUDPClient.connect(port: server.port)
            let datagrams = Self.hostileMessages(count: 3_000, seed: 2)
            for batch in stride(from: 0, to: datagrams.count, by: 50) {
                for datagram in datagrams[batch..<batch + 50] { try await udp.send(datagram) }
                try await expectServerAnswers(server, over: .udp)
            }
            // Everything that came back is a well-formed response.
            let replies = udp.received
            #expect(!replies.isEmpty)
            for reply in replies {
                let response = try DNSMessage.parse(reply)
                #expect(response.isResponse)
            }
            await udp.close()

            var random = SplitMix64(seed: 3)
            let messages = Self.hostileMessages(count: 600, seed: 4)
            var clients: [RawTCPClient] = []
            for connection in 0..<60 {
                let client = try await RawTCPClient.connect(port: server.port)
                var stream: [UInt8] = []
                for message in messages[connection * 10..<connection * 10 + 10] {
                    // Mostly well-framed, sometimes a length that lies.
                    let length = Int.random(in: 0..<8, using: &random) == 0 ? Int.random(in: 0...65535, using: &random) : message.count
                    stream += WireBytes.u16(UInt16(length)) + message
                }
                try await client.send(stream)
                // The server may have closed the connection already (a short message).
                if connection % 3 == 0 { await client.close() } else { try? await client.finishSending() }
                clients.append(client)
            }
            try await expectServerAnswers(server, over: .tcp)
            try await expectServerAnswers(server, over: .udp)
            let opened = clients
            try await eventually("every hostile TCP connection is closed", timeout: .seconds(10)) {
                opened.allSatisfy(\.isClosed) && server.openConnectionCount == 0
            }
            for reply in clients.flatMap(\.received) {
                #expect(try DNSMessage.parse(reply).isResponse)
            }
        }
    }

    /// The server answers a real query correctly. Over UDP a query may be lost while the server
    /// works through a burst (the kernel drops datagrams when its buffer is full, as it may): up
    /// to three tries.
    private func expectServerAnswers(_ server: DNSServer, over transport: DNSClient.Transport) async throws {
        var lastError: (any Error)?
        for _ in 0..<3 {
            do {
                let response = try await DNSClient.query(
                    Self.www, type: .a, server: server.host, port: server.port, timeout: .seconds(10), transport: transport)
                #expect(response.responseCode == .noError && response.answers.map(\.data) == [.a("192.0.2.1")])
                return
            } catch {
                lastError = error
                if transport == .tcp { break }
            }
        }
        Issue.record("the server no longer answers over \(transport): \(String(describing: lastError))")
    }
}
