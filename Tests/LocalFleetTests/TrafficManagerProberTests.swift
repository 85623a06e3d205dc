import ARMServer
import Hummingbird
import KubeModel
import KubeTestSupport
@testable import LocalFleet
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing

// The local Traffic Manager's health probes against real HTTP servers, one profile per monitor
// setting: HTTP with a path and a custom Host header (Online), an answer outside the expected
// statuses (Degraded after the tolerated failures, Online again after one success), an expected
// status range that accepts 503, and TCP probes of an open and a closed port.

@Suite struct TrafficManagerProberTests {
    static let quiet = TrafficManagerDNSTests.quiet
    static let subscription = "sub"
    static let group = "rg"

    /// An HTTP server answering every request with the current status, recording Host headers.
    final class ProbeTarget: Sendable {
        let status = Mutex(200)
        let hosts = Mutex<[String]>([])
        private let port = Mutex<(Int?, [CheckedContinuation<Int, Never>])>((nil, []))

        func run<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
            let router = Router()
            let answer: @Sendable (Request, BasicRequestContext) -> Response = { request, _ in
                self.hosts.withLock { $0.append(request.head.authority ?? "") }
                return Response(status: HTTPResponse.Status(code: self.status.withLock { $0 }))
            }
            router.get("/", use: answer)
            router.get("**", use: answer)
            let app = Application(
                router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    let waiters = self.port.withLock { state in
                        state.0 = channel.localAddress?.port
                        defer { state.1 = [] }
                        return state.1
                    }
                    for waiter in waiters { waiter.resume(returning: channel.localAddress?.port ?? 0) }
                },
                logger: TrafficManagerProberTests.quiet)
            let services = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: TrafficManagerProberTests.quiet))
            let serving = Task { try await services.run() }
            let bound = await withCheckedContinuation { continuation in
                let known = port.withLock { state -> Int? in
                    if state.0 == nil { state.1.append(continuation) }
                    return state.0
                }
                if let known { continuation.resume(returning: known) }
            }
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(bound)) } catch { outcome = .failure(error) }
            await services.triggerGracefulShutdown()
            _ = await serving.result
            return try outcome.get()
        }
    }

    /// Profile `name` probing 127.0.0.1 with `monitor`, one endpoint.
    static func addProfile(_ name: String, monitor: [String: JSONValue], to store: ARMStore) throws {
        try store.seedProfile(name, relativeName: name, group: group, subscription: subscription, properties: ["monitorConfig": .object(monitor)])
        store.putPublicIP(.init(name: "ip-\(name)", ipAddress: "127.0.0.1", dnsLabel: name), group: group, subscription: subscription)
        try store.seedEndpoint(
            "e", targetResourceID: ARMStore.publicIPID(subscription: subscription, group: group, name: "ip-\(name)"), weight: 1, profile: name,
            group: group, subscription: subscription)
    }

    static func status(_ store: ARMStore, _ profile: String) -> String? {
        store.profile(profile, group: group, subscription: subscription)?.endpoints.first?.monitorStatus
    }

    @Test func probesFollowEachProfilesMonitorSettings() async throws {
        let healthy = ProbeTarget()
        let failing = ProbeTarget()
        failing.status.withLock { $0 = 503 }
        try await healthy.run { okPort in
            try await failing.run { failPort in
                let store = ARMStore()
                store.addResourceGroup(Self.group, subscription: Self.subscription)
                try Self.addProfile(
                    "healthy",
                    monitor: [
                        "protocol": "HTTP", "port": .int(Int64(okPort)), "path": "/healthz",
                        "customHeaders": [["name": "Host", "value": "probe.example"]],
                    ], to: store)
                try Self.addProfile(
                    "failing", monitor: ["protocol": "HTTP", "port": .int(Int64(failPort)), "toleratedNumberOfFailures": 1], to: store)
                try Self.addProfile(
                    "accepting",
                    monitor: [
                        "protocol": "HTTP", "port": .int(Int64(failPort)), "expectedStatusCodeRanges": [["min": 500, "max": 599]],
                    ], to: store)
                try Self.addProfile("tcp-open", monitor: ["protocol": "TCP", "port": .int(Int64(okPort))], to: store)
                // A port nothing listens on.
                let closed = try await freePort()
                try Self.addProfile("tcp-closed", monitor: ["protocol": "TCP", "port": .int(Int64(closed))], to: store)

                let prober = TrafficManagerProber(store: store, intervalOverride: .milliseconds(100), logger: Self.quiet)
                let probing = Task { await prober.run() }
                defer { probing.cancel() }
                try await eventually("every endpoint has its verdict") {
                    Self.status(store, "healthy") == "Online" && Self.status(store, "failing") == "Degraded"
                        && Self.status(store, "accepting") == "Online" && Self.status(store, "tcp-open") == "Online"
                        && Self.status(store, "tcp-closed") == "Degraded"
                }
                #expect(healthy.hosts.withLock { $0 }.contains("probe.example"))
                let failingProfile = try #require(store.profile("failing", group: Self.group, subscription: Self.subscription))
                #expect(prober.isDegraded(failingProfile.endpoints[0], of: failingProfile))

                // One success brings it back.
                failing.status.withLock { $0 = 200 }
                try await eventually("the fixed endpoint is Online") { Self.status(store, "failing") == "Online" }
                #expect(!prober.isDegraded(failingProfile.endpoints[0], of: failingProfile))
                probing.cancel()
                await probing.value
            }
        }
    }

    /// A loopback port nothing listens on (bound, then closed).
    func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}
