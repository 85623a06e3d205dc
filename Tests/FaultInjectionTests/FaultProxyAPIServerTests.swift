import FaultInjection
import KubeClient
import KubeModel
import KubeServer
import KubeTestSupport
import Logging
import Synchronization
import Testing

// FaultProxy between our KubeClient and the embedded API server: what controllers will live
// through in fault tests — reset connections, a watch cut off, a partition.

@Suite("FaultProxy with the API server", .timeLimit(.minutes(1)))
struct FaultProxyAPIServerTests {
    /// Runs `body` with a proxy in front of a fresh API server and a client of the proxy, and
    /// takes them down client first, so the server's graceful stop has no connection to wait for.
    /// With `tls`, the server speaks HTTPS with a certificate from that authority, which the
    /// client trusts: the proxy sees only TLS records.
    static func withClientThroughProxy(
        tls authority: CertificateAuthority? = nil,
        configure: @Sendable (inout ClientConfiguration) -> Void = { _ in },
        _ body: @Sendable (KubeClient, FaultProxy) async throws -> Void
    ) async throws {
        var transport = APIServerConfiguration.Transport.plainHTTP
        var clientTLS = ClientConfiguration.TLSSettings()
        if let authority {
            let certificate = try authority.issueServerCertificate(commonName: "fault-injection-test", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            transport = .tls(authority: authority, serverCertificate: certificate)
            clientTLS.certificateAuthorityPEM = Array(try authority.certificatePEM.utf8)
        }
        try await EmbeddedAPIServer.serving(transport: transport) { [clientTLS] serverPort in
            let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: serverPort, logger: ProxyFixture.quiet)
            let scheme = authority == nil ? "http" : "https"
            var configuration = ClientConfiguration(server: "\(scheme)://127.0.0.1:\(proxy.port)", tls: clientTLS)
            configure(&configuration)
            do {
                let client = try KubeClient(configuration: configuration, logger: ProxyFixture.quiet)
                do {
                    try await body(client, proxy)
                    try await client.shutdown()
                } catch {
                    try? await client.shutdown()
                    throw error
                }
            } catch {
                await proxy.stop()
                throw error
            }
            await proxy.stop()
        }
    }

    static func configMap(_ name: String) -> ConfigMap {
        ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"), data: ["key": name])
    }

    @Test("after resetAll the client reconnects: its next requests succeed")
    func clientReconnectsAfterReset() async throws {
        try await Self.withClientThroughProxy { client, proxy in
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            _ = try await configMaps.create(Self.configMap("before"))
            #expect(try await configMaps.list().items.map(\.metadata.name) == ["before"])
            let acceptedBefore = proxy.statistics.acceptedConnections
            #expect(proxy.statistics.openConnections >= 1)

            await proxy.resetAll()
            #expect(proxy.statistics.openConnections == 0)

            #expect(try await configMaps.list().items.map(\.metadata.name) == ["before"])
            _ = try await configMaps.create(Self.configMap("after"))
            #expect(try await configMaps.get("after").data == ["key": "after"])
            #expect(try await configMaps.list().items.compactMap(\.metadata.name).sorted() == ["after", "before"])
            #expect(proxy.statistics.acceptedConnections > acceptedBefore)
        }
    }

    @Test("TLS passes through: an HTTPS client works through the proxy and reconnects after resetAll")
    func tlsPassesThrough() async throws {
        let authority = try CertificateAuthority.makeSelfSigned(name: "fault-injection-test")
        try await Self.withClientThroughProxy(tls: authority) { client, proxy in
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            _ = try await configMaps.create(Self.configMap("secure"))
            #expect(proxy.statistics.bytesToUpstream > 0 && proxy.statistics.bytesToClient > 0)
            await proxy.resetAll()
            #expect(try await configMaps.get("secure").data == ["key": "secure"])
        }
    }

    @Test("a watch through the proxy ends when resetAll cuts its connection")
    func watchEndsOnReset() async throws {
        try await Self.withClientThroughProxy { client, proxy in
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            let listed = try await configMaps.list()
            let watch = try await configMaps.watch(resourceVersion: listed.metadata.resourceVersion)
            let names = Names()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    // Ends normally or with an error: either way the stream is over.
                    do {
                        for try await event in watch {
                            if let name = event.object?.metadata.name { names.append(name) }
                        }
                    } catch {}
                    names.markEnded()
                }
                _ = try await configMaps.create(Self.configMap("seen"))
                try await eventually("the watch has seen the ConfigMap", timeout: .seconds(10)) { names.all == ["seen"] }

                await proxy.resetAll()
                try await eventually("the watch has ended", timeout: .seconds(10)) { names.hasEnded }
                try await tasks.waitForAll()
            }
            // The client is not stuck: a new watch works.
            let again = try await configMaps.watch(resourceVersion: listed.metadata.resourceVersion)
            var iterator = again.makeAsyncIterator()
            let event = try await iterator.next()
            #expect(event?.object?.metadata.name == "seen")
        }
    }

    @Test("during a partition requests time out; once healed they succeed")
    func partitionTimesRequestsOut() async throws {
        try await Self.withClientThroughProxy(configure: {
            $0.timeouts.request = .seconds(1)
            $0.retry = .never
        }) { client, proxy in
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            // The 1 s timeout is for the partition; on a loaded machine a request may take
            // longer before it, so the create is tried until it gets through.
            try await eventually("the ConfigMap is created", timeout: .seconds(30)) {
                do {
                    _ = try await configMaps.create(Self.configMap("before"))
                } catch let error as KubeClientError where error.isAlreadyExists {}
                return true
            }

            proxy.mode = .blackhole
            let start = ContinuousClock.now
            await #expect(throws: KubeClientError.self) { _ = try await configMaps.list() }
            #expect(ContinuousClock.now - start >= .seconds(1))

            proxy.mode = .pass
            try await eventually("a list succeeds once the partition heals", timeout: .seconds(30)) {
                try await configMaps.list().items.map(\.metadata.name) == ["before"]
            }
        }
    }
}

/// What a watch task saw, for the test to poll.
private final class Names: Sendable {
    private struct Seen {
        var names: [String] = []
        var hasEnded = false
    }

    private let seen = Mutex(Seen())

    func append(_ name: String) { seen.withLock { $0.names.append(name) } }
    func markEnded() { seen.withLock { $0.hasEnded = true } }
    var all: [String] { seen.withLock { $0.names } }
    var hasEnded: Bool { seen.withLock { $0.hasEnded } }
}
