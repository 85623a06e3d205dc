import ClusterDNS
import NIOCore
import NIOPosix
import Testing

// The client against scripted UDP servers: what it ignores, what it waits for, what it reports.
struct DNSClientTests {
    /// A UDP server that answers each query with what `reply` makes of it (any number of
    /// datagrams, maybe none).
    private final class ScriptedUDPServer: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        typealias OutboundOut = AddressedEnvelope<ByteBuffer>

        let reply: @Sendable (DNSMessage) -> [[UInt8]]

        init(reply: @escaping @Sendable (DNSMessage) -> [[UInt8]]) {
            self.reply = reply
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let query = try? DNSMessage.parse(Array(envelope.data.readableBytesView)) else { return }
            for datagram in reply(query) {
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: datagram))), promise: nil)
            }
            context.flush()
        }

        static func start(reply: @escaping @Sendable (DNSMessage) -> [[UInt8]]) async throws -> any Channel {
            try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ScriptedUDPServer(reply: reply)) }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }
    }

    private static func response(to query: DNSMessage, id: UInt16? = nil, address: String) -> [UInt8] {
        DNSMessage(
            id: id ?? query.id, isResponse: true, questions: query.questions,
            answers: [.a(name: query.questions.first?.name ?? "", address: address, ttl: 1)]
        ).serialized()
    }

    @Test("answers with another id, answers to another question and queries are ignored; the right answer counts")
    func wrongAnswersIgnored() async throws {
        let server = try await ScriptedUDPServer.start { query in
            var otherQuestion = query
            otherQuestion.isResponse = true
            otherQuestion.questions = [DNSQuestion(name: "other.example", type: .a)]
            return [
                Self.response(to: query, id: query.id &+ 1, address: "10.0.0.1"),
                otherQuestion.serialized(),
                query.serialized(),
                [0x00, 0x01],
                Self.response(to: query, address: "10.0.0.2"),
            ]
        }
        let port = try #require(server.localAddress?.port)
        let response = try await DNSClient.query("Name.Example", type: .a, server: "127.0.0.1", port: port, timeout: .seconds(10))
        #expect(response.answers.map(\.data) == [.a("10.0.0.2")])
        try await server.close()
    }

    @Test("every query has a fresh random id")
    func randomIDs() async throws {
        let server = try await ScriptedUDPServer.start { [Self.response(to: $0, address: "10.0.0.\($0.id % 200)")] }
        let port = try #require(server.localAddress?.port)
        var ids: Set<String> = []
        for _ in 0..<8 {
            let response = try await DNSClient.query("a.example", type: .a, server: "127.0.0.1", port: port, timeout: .seconds(10))
            ids.insert("\(response.id)")
        }
        #expect(ids.count > 1)
        try await server.close()
    }

    @Test("no answer within the timeout is an error that names the server")
    func timeoutNamesServer() async throws {
        let server = try await ScriptedUDPServer.start { _ in [] }
        let port = try #require(server.localAddress?.port)
        let error = await #expect(throws: DNSClientError.self) {
            try await DNSClient.query("a.example", type: .a, server: "127.0.0.1", port: port, timeout: .milliseconds(200))
        }
        #expect(error.map { "\($0)" }?.contains("127.0.0.1:\(port)") == true)
        if case .timedOut = error {} else { Issue.record("not a timeout: \(String(describing: error))") }
        try await server.close()
    }

    @Test("an answer with the query's id that cannot be parsed fails the query")
    func malformedAnswer() async throws {
        let server = try await ScriptedUDPServer.start { query in
            [WireBytes.u16(query.id) + [0x80, 0x00] + WireBytes.u16(1) + [0, 0, 0, 0, 0, 0] + [0xC0, 0x0C, 0, 1, 0, 1]]
        }
        let port = try #require(server.localAddress?.port)
        let error = await #expect(throws: DNSClientError.self) {
            try await DNSClient.query("a.example", type: .a, server: "127.0.0.1", port: port, timeout: .seconds(10))
        }
        if case .malformedResponse(_, let wireError) = error {
            #expect(wireError.reason == .pointerNotBackwards(target: 12))
        } else {
            Issue.record("not a malformed response: \(String(describing: error))")
        }
        try await server.close()
    }

    @Test("invalid names are rejected before anything is sent", arguments: ["a..b", String(repeating: "x", count: 64)])
    func invalidNames(_ name: String) async {
        await #expect(throws: DNSClientError.self) {
            try await DNSClient.query(name, type: .a, server: "127.0.0.1", port: 9)
        }
    }
}
