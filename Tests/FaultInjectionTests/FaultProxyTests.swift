import FaultInjection
import KubeTestSupport
import Testing

// FaultProxy over real sockets on 127.0.0.1: a TestConnection → the proxy → an EchoServer.
// Tests wait for what they observe; durations appear only as lower bounds, as generous upper
// bounds, and as the short client timeout that shows a partition answers nothing.

@Suite("FaultProxy", .timeLimit(.minutes(1)))
struct FaultProxyTests {
    static let ping = Array("ping".utf8)

    @Test("bytes pass both ways, and a half-close reaches the server, which still answers")
    func bytesPassBothWaysWithHalfClose() async throws {
        try await ProxyFixture.withEchoBehindProxy { echo, proxy in
            let client = try await TestConnection.connect(port: proxy.port)
            try await client.send("hello")
            #expect(await client.waitUntilReceived(count: 5))
            #expect(client.receivedText == "hello")

            // A megabyte each way, in whatever chunks the sockets make of it.
            let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            try await client.send(payload)
            #expect(await client.waitUntilReceived(count: 5 + payload.count))
            #expect(Array(client.received.dropFirst(5)) == payload)

            // Sent just before the FIN: the echo server answers it, then half-closes in turn. (NIO
            // reports a FIN after our own as the connection's close.)
            try await client.send("last")
            try await client.finishSending()
            #expect(await client.waitUntilEnded())
            #expect(client.receivedText.hasSuffix("last"))
            #expect(!client.wasReset)

            let total = 5 + payload.count + 4
            #expect(proxy.statistics.bytesToUpstream == total)
            #expect(proxy.statistics.bytesToClient == total)
            #expect(proxy.statistics.acceptedConnections == 1)
            // Both directions are done: the proxy closes both of its sockets.
            try await eventually("the proxy and the echo server have closed the connection", timeout: .seconds(10)) {
                proxy.statistics.openConnections == 0 && echo.openConnections == 0
            }
        }
    }

    @Test("what a server writes before it closes reaches a slow, half-closed client in full", arguments: [
        FaultMode.pass, .delay(.milliseconds(50)),
    ])
    func dataBeforeACloseIsDelivered(mode: FaultMode) async throws {
        // The client has half-closed and reads nothing at first, so the proxy holds the server's
        // bytes and then its close; the close reaches the client after the last byte, not before.
        let payload = (0..<(200 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let server = try await BurstServer.start(payload: payload)
        let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: server.port, logger: ProxyFixture.quiet)
        proxy.mode = mode
        let client = try await TestConnection.connect(port: proxy.port, reading: false)
        try await client.finishSending()
        try await eventually("the proxy has written everything on to the client", timeout: .seconds(10)) {
            proxy.statistics.bytesToClient == payload.count
        }
        try await client.startReading()
        #expect(await client.waitUntilEnded())
        #expect(client.received.count == payload.count)
        #expect(client.received == payload)
        await client.close()
        await proxy.stop()
        await server.stop()
    }

    @Test("with .delay(200 ms) a round trip takes at least twice the delay, and order is kept")
    func delayHoldsEveryChunk() async throws {
        try await ProxyFixture.withEchoBehindProxy { _, proxy in
            let client = try await TestConnection.connect(port: proxy.port)
            proxy.mode = .delay(.milliseconds(200))
            let start = ContinuousClock.now
            try await client.send("one,")
            try await client.send("two,")
            try await client.send("three")
            #expect(await client.waitUntilReceived(count: 13))
            let elapsed = ContinuousClock.now - start
            #expect(client.receivedText == "one,two,three")
            // 200 ms to the server, 200 ms back.
            #expect(elapsed >= .milliseconds(400))
            #expect(elapsed < .seconds(10))

            proxy.mode = .pass
            try await client.send("!")
            #expect(await client.waitUntilReceived(count: 14))
        }
    }

    @Test("with .throttle(32 KB/s) a 64 KB transfer takes at least 1.5 s")
    func throttleLimitsTheRate() async throws {
        try await ProxyFixture.withEchoBehindProxy { _, proxy in
            proxy.mode = .throttle(bytesPerSecond: 32 * 1024)
            let client = try await TestConnection.connect(port: proxy.port)
            let payload = [UInt8](repeating: 0x5A, count: 64 * 1024)
            let start = ContinuousClock.now
            try await client.send(payload)
            #expect(await client.waitUntilReceived(count: payload.count, timeout: .seconds(20)))
            let elapsed = ContinuousClock.now - start
            #expect(client.received == payload)
            #expect(elapsed >= .milliseconds(1500))
            #expect(elapsed < .seconds(20))
        }
    }

    @Test("a blackhole answers nothing; healing resets connections that lost data, keeps idle ones, and new ones work")
    func blackholePartitionsAndHeals() async throws {
        try await ProxyFixture.withEchoBehindProxy { _, proxy in
            let idle = try await TestConnection.connect(port: proxy.port)
            let busy = try await TestConnection.connect(port: proxy.port)
            for connection in [idle, busy] {
                try await connection.send(Self.ping)
                #expect(await connection.waitUntilReceived(count: 4))
            }

            proxy.mode = .blackhole
            try await busy.send("lost")
            // Accepted, but never connected upstream.
            let openedDuring = try await TestConnection.connect(port: proxy.port)
            try await openedDuring.send(Self.ping)
            // A client with a short timeout gets no answer.
            #expect(await busy.waitUntilReceived(count: 8, timeout: .milliseconds(300)) == false)
            #expect(openedDuring.received.isEmpty)
            #expect(!busy.isClosed && !openedDuring.isClosed && !idle.isClosed)

            proxy.mode = .pass
            #expect(await busy.waitUntilClosed())
            #expect(await openedDuring.waitUntilClosed())
            #expect(busy.wasReset && openedDuring.wasReset)
            #expect(busy.received == Self.ping)

            // The idle connection lost nothing: it carries on.
            try await idle.send("again")
            #expect(await idle.waitUntilReceived(count: 9))
            #expect(idle.receivedText == "pingagain")

            let fresh = try await TestConnection.connect(port: proxy.port)
            try await fresh.send(Self.ping)
            #expect(await fresh.waitUntilReceived(count: 4))
        }
    }

    @Test("resetAll aborts every connection with a reset on both sides; new connections work")
    func resetAllAbortsConnections() async throws {
        try await ProxyFixture.withEchoBehindProxy { echo, proxy in
            let first = try await TestConnection.connect(port: proxy.port)
            let second = try await TestConnection.connect(port: proxy.port)
            for connection in [first, second] {
                try await connection.send(Self.ping)
                #expect(await connection.waitUntilReceived(count: 4))
            }
            #expect(proxy.statistics.openConnections == 2)

            await proxy.resetAll()
            #expect(proxy.statistics.openConnections == 0)
            for connection in [first, second] {
                #expect(await connection.waitUntilClosed())
                #expect(connection.wasReset)
            }
            try await eventually("the echo server's connections are gone", timeout: .seconds(10)) { echo.openConnections == 0 }

            let fresh = try await TestConnection.connect(port: proxy.port)
            try await fresh.send(Self.ping)
            #expect(await fresh.waitUntilReceived(count: 4))
            #expect(echo.acceptedConnections == 3)
        }
    }

    @Test(".refuse resets new connections at once and leaves open ones alone")
    func refuseResetsNewConnections() async throws {
        try await ProxyFixture.withEchoBehindProxy { echo, proxy in
            let open = try await TestConnection.connect(port: proxy.port)
            try await open.send(Self.ping)
            #expect(await open.waitUntilReceived(count: 4))

            proxy.mode = .refuse
            #expect(await TestConnection.isReset(connectingTo: proxy.port))
            #expect(proxy.statistics.refusedConnections == 1)
            #expect(echo.acceptedConnections == 1)

            try await open.send(Self.ping)
            #expect(await open.waitUntilReceived(count: 8))

            proxy.mode = .pass
            let fresh = try await TestConnection.connect(port: proxy.port)
            try await fresh.send(Self.ping)
            #expect(await fresh.waitUntilReceived(count: 4))
        }
    }

    @Test("new connections go to a changed upstream; open ones stay where they were")
    func upstreamCanChange() async throws {
        let second = try await EchoServer.start()
        do {
            try await ProxyFixture.withEchoBehindProxy { first, proxy in
                let early = try await TestConnection.connect(port: proxy.port)
                try await early.send(Self.ping)
                #expect(await early.waitUntilReceived(count: 4))

                proxy.upstream = FaultProxy.Upstream(host: "127.0.0.1", port: second.port)
                let late = try await TestConnection.connect(port: proxy.port)
                try await late.send(Self.ping)
                #expect(await late.waitUntilReceived(count: 4))
                try await early.send(Self.ping)
                #expect(await early.waitUntilReceived(count: 8))
                #expect(first.acceptedConnections == 1)
                #expect(second.acceptedConnections == 1)
            }
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }

    @Test("a client whose upstream cannot be reached is reset")
    func unreachableUpstreamResetsTheClient() async throws {
        let gone = try await EchoServer.start()
        let port = gone.port
        await gone.stop()
        let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: port, logger: ProxyFixture.quiet)
        #expect(await TestConnection.isReset(connectingTo: proxy.port))
        try await eventually("the proxy has forgotten the connection", timeout: .seconds(10)) { proxy.statistics.openConnections == 0 }
        await proxy.stop()
    }

    @Test("a receiver that does not read slows the sender down instead of filling the proxy")
    func backPressureReachesTheSender() async throws {
        try await ProxyFixture.withEchoBehindProxy(reads: false) { _, proxy in
            let client = try await TestConnection.connect(port: proxy.port)
            let chunk = [UInt8](repeating: 1, count: 1 << 20)
            let sent = 64 * chunk.count
            for _ in 0..<64 { client.sendWithoutWaiting(chunk) }
            // The sink reads nothing: what the proxy writes on stops at what the sockets' buffers
            // hold, far below what was sent.
            let forwarded = try await settled("the bytes forwarded to the sink", stableFor: .milliseconds(500), timeout: .seconds(20)) {
                proxy.statistics.bytesToUpstream
            }
            #expect(forwarded > 0)
            #expect(forwarded < sent / 2)
            await client.close()
        }
    }

    @Test("stop closes the listener and every connection")
    func stopClosesEverything() async throws {
        let echo = try await EchoServer.start()
        let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: echo.port, logger: ProxyFixture.quiet)
        let client = try await TestConnection.connect(port: proxy.port)
        try await client.send(Self.ping)
        #expect(await client.waitUntilReceived(count: 4))

        await proxy.stop()
        #expect(proxy.statistics.openConnections == 0)
        #expect(await client.waitUntilEnded())
        try await eventually("the echo server's connection is gone", timeout: .seconds(10)) { echo.openConnections == 0 }
        await #expect(throws: (any Error).self) { _ = try await TestConnection.connect(port: proxy.port) }
        await proxy.stop()
        await echo.stop()
    }

    @Test("the proxy listens on the port it is given")
    func listensOnAGivenPort() async throws {
        let echo = try await EchoServer.start()
        let first = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: echo.port, logger: ProxyFixture.quiet)
        let port = first.port
        await first.stop()
        let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: echo.port, port: port, logger: ProxyFixture.quiet)
        #expect(proxy.port == port)
        let client = try await TestConnection.connect(port: port)
        try await client.send(Self.ping)
        #expect(await client.waitUntilReceived(count: 4))
        await proxy.stop()
        await echo.stop()
    }
}
