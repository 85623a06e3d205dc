import ClusterDNS
import KubeTestSupport
import Logging
import Synchronization
import Testing

// A server whose handler cannot keep up: what waits, what is turned away, and what stop() does
// to answers still being worked on.
struct DNSServerOverloadTests {
    /// Holds every question until `gate` opens (or the call is cancelled, which opens it too).
    struct GatedHandler: DNSQueryHandler {
        let gate = Gate()
        let started = QuestionLog()
        let cancelled = QuestionLog()

        func answer(_ question: DNSQuestion, from client: String?) async -> DNSAnswer {
            started.record(question)
            await gate.wait()
            if Task.isCancelled { cancelled.record(question) }
            return TestZone.answer(question)
        }
    }

    final class Gate: Sendable {
        private struct State {
            var isOpen = false
            var waiters: [CheckedContinuation<Void, Never>] = []
        }
        private let state = Mutex(State())

        func wait() async {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let isOpen = state.withLock { state in
                        if !state.isOpen { state.waiters.append(continuation) }
                        return state.isOpen
                    }
                    if isOpen { continuation.resume() }
                }
            } onCancel: {
                open()
            }
        }

        func open() {
            let waiters = state.withLock { state in
                state.isOpen = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    private static func start(_ handler: GatedHandler) async throws -> DNSServer {
        var configuration = DNSServer.Configuration.patient
        configuration.maximumConcurrentQueries = 1
        configuration.maximumQueuedQueries = 1
        var logger = Logger(label: "ClusterDNSTests")
        logger.logLevel = .critical
        return try await DNSServer.start(host: "127.0.0.1", port: 0, handler: handler, logger: logger, configuration: configuration)
    }

    @Test("over TCP, queries beyond the handler queue get SERVFAIL at once; the others are answered when the handler catches up")
    func queueOverflowOverTCP() async throws {
        let handler = GatedHandler()
        let server = try await Self.start(handler)
        var clients: [RawTCPClient] = []
        for id in 1...6 {
            let client = try await RawTCPClient.connect(port: server.port)
            try await client.send(message: WireBytes.query("www.test.example", id: UInt16(id)))
            clients.append(client)
        }
        let connections = clients
        // One in the handler, one held by the worker, one queued: at least three are turned away.
        try await eventually("the overflow is answered SERVFAIL", timeout: .seconds(20)) {
            connections.filter { !$0.received.isEmpty }.count >= 3
        }
        let early = try connections.flatMap(\.received).map { try DNSMessage.parse($0) }
        #expect(early.allSatisfy { $0.responseCode == .serverFailure })
        #expect(handler.started.count == 1)

        handler.gate.open()
        try await eventually("every query has one answer", timeout: .seconds(20)) { connections.allSatisfy { $0.received.count == 1 } }
        let answers = try connections.map { try DNSMessage.parse($0.received[0]) }
        #expect(answers.count { $0.responseCode == .noError } == handler.started.count)
        #expect(answers.count { $0.responseCode == .serverFailure } == 6 - handler.started.count)
        for client in connections { await client.close() }
        await server.stop()
    }

    @Test("stop cancels the handler calls in flight and returns")
    func stopCancelsHandlerCalls() async throws {
        let handler = GatedHandler()
        let server = try await Self.start(handler)
        let client = try await RawUDPClient.connect(port: server.port)
        try await client.send(WireBytes.query("www.test.example"))
        try await eventually("the handler is asked", timeout: .seconds(20)) { handler.started.count == 1 }
        await server.stop()
        #expect(handler.cancelled.count == 1)
        await client.close()
    }
}
