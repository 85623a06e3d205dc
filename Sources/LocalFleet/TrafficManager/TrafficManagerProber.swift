import ARMServer
import AsyncHTTPClient
import KubeModel
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

// Endpoint health as Traffic Manager monitors it, from each profile's `monitorConfig`: every
// `intervalInSeconds` each enabled endpoint's address is probed — HTTP or HTTPS GET of `path` on
// `port` with the custom headers (certificates are not checked, as Azure does not), expecting 200
// or a status in `expectedStatusCodeRanges`, or a TCP connection — within `timeoutInSeconds`. An
// endpoint is Degraded after more than `toleratedNumberOfFailures` failures in a row and Online
// again after one success; the verdicts show as `endpointMonitorStatus` in ARM answers. A new
// endpoint is answered before its first probe (Azure's "Checking endpoint" state is answered too).

/// Probes the endpoints of every profile in the store and remembers their health.
public final class TrafficManagerProber: Sendable {
    struct Key: Hashable {
        var profile: String
        var endpoint: String
    }

    struct Health {
        var failures = 0
        var degraded = false
        var lastProbe: ContinuousClock.Instant?
        var inFlight = false
    }

    struct Probe: Sendable {
        var key: Key
        var profile: ARMStore.Profile
        var endpoint: ARMStore.Endpoint
        var address: String
        var settings: MonitorSettings
    }

    struct MonitorSettings: Sendable {
        var scheme = "HTTP"
        var port = 80
        var path = "/"
        var interval: Duration = .seconds(30)
        var timeout: Duration = .seconds(10)
        var toleratedFailures = 3
        var headers: [(String, String)] = []
        var expected: [ClosedRange<Int>] = [200...200]

        /// From a profile's `properties.monitorConfig` (Azure's defaults where a field is missing).
        init(_ profile: ARMStore.Profile) {
            guard let monitor = profile.properties["monitorConfig"]?.objectValue else { return }
            if let value = monitor["protocol"]?.stringValue { scheme = value.uppercased() }
            if let value = monitor["port"]?.intValue { port = Int(value) }
            if let value = monitor["path"]?.stringValue, !value.isEmpty { path = value.hasPrefix("/") ? value : "/" + value }
            if let value = monitor["intervalInSeconds"]?.intValue, value > 0 { interval = .seconds(value) }
            if let value = monitor["timeoutInSeconds"]?.intValue, value > 0 { timeout = .seconds(value) }
            if let value = monitor["toleratedNumberOfFailures"]?.intValue, value >= 0 { toleratedFailures = Int(value) }
            headers = (monitor["customHeaders"]?.arrayValue ?? []).compactMap { header in
                guard let name = header.objectValue?["name"]?.stringValue, let value = header.objectValue?["value"]?.stringValue else { return nil }
                return (name, value)
            }
            let ranges = (monitor["expectedStatusCodeRanges"]?.arrayValue ?? []).compactMap { range -> ClosedRange<Int>? in
                guard let min = range.objectValue?["min"]?.intValue, let max = range.objectValue?["max"]?.intValue, min <= max else { return nil }
                return Int(min)...Int(max)
            }
            if !ranges.isEmpty { expected = ranges }
        }
    }

    private let store: ARMStore
    /// Replaces every profile's probing interval (tests; Azure allows only 10 or 30 s).
    private let intervalOverride: Duration?
    private let logger: Logger
    private let health = Mutex<[Key: Health]>([:])

    public init(store: ARMStore, intervalOverride: Duration? = nil, logger: Logger) {
        self.store = store
        self.intervalOverride = intervalOverride
        self.logger = logger
    }

    static func key(_ endpoint: ARMStore.Endpoint, of profile: ARMStore.Profile) -> Key {
        Key(
            profile: ARMStore.profileID(subscription: profile.subscription, group: profile.group, name: profile.name).lowercased(),
            endpoint: endpoint.name.lowercased())
    }

    /// Whether the endpoint failed its probes (an endpoint not probed yet is not).
    func isDegraded(_ endpoint: ARMStore.Endpoint, of profile: ARMStore.Profile) -> Bool {
        health.withLock { $0[Self.key(endpoint, of: profile)]?.degraded ?? false }
    }

    /// Probes until cancelled.
    public func run() async {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let tick = min(Duration.seconds(1), (intervalOverride ?? .seconds(10)) / 4)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                for probe in due(now: .now) {
                    group.addTask {
                        let healthy = await Self.probe(probe, http: http)
                        self.record(probe, healthy: healthy)
                    }
                }
                try? await Task.sleep(for: tick)
            }
        }
        try? await http.shutdown()
    }

    /// The probes due now (each marked in flight); forgets endpoints that are gone.
    func due(now: ContinuousClock.Instant) -> [Probe] {
        var candidates: [Probe] = []
        for profile in store.profiles {
            let settings = MonitorSettings(profile)
            for endpoint in profile.endpoints where endpoint.status == "Enabled" {
                guard let address = store.publicIP(withID: endpoint.targetResourceID)?.ipAddress else { continue }
                var probeSettings = settings
                if let intervalOverride {
                    probeSettings.interval = intervalOverride
                    probeSettings.timeout = min(settings.timeout, intervalOverride)
                }
                candidates.append(
                    Probe(key: Self.key(endpoint, of: profile), profile: profile, endpoint: endpoint, address: address, settings: probeSettings))
            }
        }
        return health.withLock { health in
            let live = Set(candidates.map(\.key))
            health = health.filter { live.contains($0.key) }
            var due: [Probe] = []
            for probe in candidates {
                var state = health[probe.key] ?? Health()
                guard !state.inFlight else { continue }
                if let last = state.lastProbe, now < last + probe.settings.interval { continue }
                state.inFlight = true
                state.lastProbe = now
                health[probe.key] = state
                due.append(probe)
            }
            return due
        }
    }

    /// Counts the outcome; a new verdict is written to the endpoint's monitor status.
    func record(_ probe: Probe, healthy: Bool) {
        let (verdict, changed) = health.withLock { health -> (String?, Bool) in
            guard var state = health[probe.key] else { return (nil, false) }
            let wasDegraded = state.degraded
            state.inFlight = false
            if healthy {
                state.failures = 0
                state.degraded = false
            } else {
                state.failures += 1
                if state.failures > probe.settings.toleratedFailures { state.degraded = true }
            }
            health[probe.key] = state
            // A failure still tolerated leaves the verdict as it was.
            return (state.degraded ? "Degraded" : (healthy ? "Online" : nil), state.degraded != wasDegraded)
        }
        guard let verdict, verdict != probe.endpoint.monitorStatus else { return }
        if changed || probe.endpoint.monitorStatus == nil {
            logger.info(
                "traffic manager endpoint \(probe.endpoint.name) of profile \(probe.profile.name) is \(verdict)",
                metadata: ["address": "\(probe.address)"])
        }
        store.setMonitorStatus(
            verdict, endpoint: probe.endpoint.name, profile: probe.profile.name, group: probe.profile.group,
            subscription: probe.profile.subscription)
    }

    /// One probe of the endpoint's address.
    static func probe(_ probe: Probe, http: HTTPClient) async -> Bool {
        let settings = probe.settings
        if settings.scheme == "TCP" {
            return await connects(host: probe.address, port: settings.port, timeout: settings.timeout)
        }
        let scheme = settings.scheme == "HTTPS" ? "https" : "http"
        var request = HTTPClientRequest(url: "\(scheme)://\(probe.address):\(settings.port)\(settings.path)")
        for (name, value) in settings.headers { request.headers.replaceOrAdd(name: name, value: value) }
        // Every probe on a new connection: a pooled one may still reach a backend that is gone.
        request.headers.replaceOrAdd(name: "Connection", value: "close")
        do {
            let response = try await http.execute(request, timeout: TimeAmount(settings.timeout))
            _ = try? await response.body.collect(upTo: 1 << 16)
            let status = Int(response.status.code)
            return settings.expected.contains { $0.contains(status) }
        } catch {
            return false
        }
    }

    static func connects(host: String, port: Int, timeout: Duration) async -> Bool {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(timeout))
        guard let channel = try? await bootstrap.connect(host: host, port: port).get() else { return false }
        try? await channel.close()
        return true
    }
}
