import AsyncHTTPClient
import Foundation
import KubeModel
import KubeServer
import Logging
import ServiceLifecycle
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

// The embedded API server under load, over HTTPS with a real client, in one process:
// create / get / list throughput for N objects, watch fan-out latency (one write → every
// watcher has the event) to W watchers, and resident memory per 10,000 stored objects.
// Every latency is measured in this process's monotonic clock.

struct APIServerBenchmark {
    var objectCount: Int
    var watcherCount: Int
    var fanoutWrites: Int
    var concurrency = 32

    func run() async throws -> [String: Double] {
        let authority = try CertificateAuthority.makeSelfSigned(name: "bench")
        let serving = try authority.issueServerCertificate(commonName: "bench", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
        let admin = try authority.issueClientCertificate(user: "bench-admin", groups: ["system:masters"])
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let server = try APIServer(
            configuration: APIServerConfiguration(name: "bench", transport: .tls(authority: authority, serverCertificate: serving)),
            logger: logger)
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = try TLSConfiguration.kubeClient(trusting: authority, clientCertificate: admin)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = watcherCount + concurrency + 8
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        do {
            let results = try await withThrowingTaskGroup(of: [String: Double]?.self) { group in
                group.addTask {
                    try await services.run()
                    return nil
                }
                let base = try await server.url()
                let results = try await measure(Requests(client: client, base: base))
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return results
            }
            try await client.shutdown()
            return results
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(_ api: Requests) async throws -> [String: Double] {
        var results: [String: Double] = [:]
        for namespace in ["bench", "fanout"] {
            try await api.expect(201, .POST, "/api/v1/namespaces", ["metadata": ["name": .string(namespace)]])
        }
        progress("warming up")
        for index in 0..<200 {
            try await api.expect(201, .POST, "/api/v1/namespaces/bench/configmaps", configMap("warmup-\(index)"))
        }
        for index in 0..<200 {
            try await api.expect(200, .DELETE, "/api/v1/namespaces/bench/configmaps/warmup-\(index)", nil)
        }
        let idleRSS = ResidentMemory.currentMegabytes()
        results["rss_idle_mb"] = idleRSS

        progress("creating \(objectCount) objects")
        let (createTime, createLatencies) = try await concurrently(objectCount) { index in
            try await api.expect(201, .POST, "/api/v1/namespaces/bench/configmaps", configMap("object-\(index)"))
        }
        results["create_per_s"] = Double(objectCount) / createTime.seconds
        let create = LatencySummary(milliseconds: createLatencies)
        results["create_p50_ms"] = create.p50
        results["create_p99_ms"] = create.p99
        let loadedRSS = ResidentMemory.currentMegabytes()
        results["rss_per_10k_objects_mb"] = (loadedRSS - idleRSS) * 10_000 / Double(objectCount)

        progress("getting \(objectCount) objects")
        let (getTime, getLatencies) = try await concurrently(objectCount) { index in
            try await api.expect(200, .GET, "/api/v1/namespaces/bench/configmaps/object-\(index)", nil)
        }
        results["get_per_s"] = Double(objectCount) / getTime.seconds
        let get = LatencySummary(milliseconds: getLatencies)
        results["get_p50_ms"] = get.p50
        results["get_p99_ms"] = get.p99

        progress("listing \(objectCount) objects in pages of 500")
        let listRounds = 5
        let clock = ContinuousClock()
        let listStart = clock.now
        for _ in 0..<listRounds {
            var token = ""
            var seen = 0
            repeat {
                let path = "/api/v1/namespaces/bench/configmaps?limit=500" + (token.isEmpty ? "" : "&continue=\(token)")
                let page = try await api.expect(200, .GET, path, nil)
                seen += page["items"]?.arrayValue?.count ?? 0
                token = page[path: ["metadata", "continue"]]?.stringValue ?? ""
            } while !token.isEmpty
            guard seen == objectCount else { throw BenchmarkError("list returned \(seen) objects, expected \(objectCount)") }
        }
        let listTime = (clock.now - listStart).seconds
        results["list_all_ms"] = listTime * 1000 / Double(listRounds)
        results["list_objects_per_s"] = Double(objectCount * listRounds) / listTime

        progress("watch fan-out: \(watcherCount) watchers × \(fanoutWrites) writes")
        let fanout = try await watchFanout(api)
        results["watch_fanout_events"] = Double(fanout.count)
        results["watch_fanout_p50_ms"] = fanout.p50
        results["watch_fanout_p90_ms"] = fanout.p90
        results["watch_fanout_p99_ms"] = fanout.p99
        results["watch_fanout_max_ms"] = fanout.max
        progress("done")
        return results
    }

    /// W watchers on one namespace; each write's latency is measured to every watcher's receipt.
    private func watchFanout(_ api: Requests) async throws -> LatencySummary {
        let clock = ContinuousClock()
        let shared = FanoutRecord()
        let list = try await api.expect(200, .GET, "/api/v1/namespaces/fanout/configmaps", nil)
        let revision = list[path: ["metadata", "resourceVersion"]]?.stringValue ?? "0"
        let expectedPerWatcher = fanoutWrites + 1  // the writes plus the readiness sentinel
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let (readiness, readyContinuation) = AsyncStream<Void>.makeStream()
            for _ in 0..<watcherCount {
                let response = try await api.open("/api/v1/namespaces/fanout/configmaps?watch=1&resourceVersion=\(revision)")
                group.addTask {
                    var received = 0
                    var pending: [UInt8] = []
                    for try await chunk in response.body {
                        pending += chunk.readableBytesView
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            let now = clock.now
                            let event = try JSONValue(parsing: line)
                            let name = event[path: ["object", "metadata", "name"]]?.stringValue ?? ""
                            received += 1
                            if name == "sentinel" {
                                readyContinuation.yield()
                            } else if let start = shared.writeTimes.withLock({ $0[name] }) {
                                shared.samples.withLock { $0.append((now - start).milliseconds) }
                            }
                            if received == expectedPerWatcher { return }
                        }
                    }
                    throw BenchmarkError("a watch ended after \(received) of \(expectedPerWatcher) events")
                }
            }
            // Every watcher is registered once each has seen the sentinel.
            try await api.expect(201, .POST, "/api/v1/namespaces/fanout/configmaps", configMap("sentinel"))
            var readyCount = 0
            for await _ in readiness {
                readyCount += 1
                if readyCount == watcherCount { break }
            }
            for index in 0..<fanoutWrites {
                let name = "write-\(index)"
                shared.writeTimes.withLock { $0[name] = clock.now }
                try await api.expect(201, .POST, "/api/v1/namespaces/fanout/configmaps", configMap(name))
            }
            try await group.waitForAll()
            return LatencySummary(milliseconds: shared.samples.withLock { $0 })
        }
    }

    private func configMap(_ name: String) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "labels": ["app": "bench", "tier": "load"]],
            "data": ["config": "key=value\nanother=setting\nthird=line of configuration text"],
        ]
    }

    /// Runs `count` operations with at most `concurrency` in flight; returns wall time and per-operation latencies (ms).
    private func concurrently(_ count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws
        -> (Duration, [Double])
    {
        let clock = ContinuousClock()
        let start = clock.now
        var latencies: [Double] = []
        latencies.reserveCapacity(count)
        try await withThrowingTaskGroup(of: Double.self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask {
                    let begin = clock.now
                    try await operation(index)
                    return (clock.now - begin).milliseconds
                }
            }
            while next < min(concurrency, count) { launch() }
            while let latency = try await group.next() {
                latencies.append(latency)
                if next < count { launch() }
            }
        }
        return (clock.now - start, latencies)
    }

    private func progress(_ text: String) {
        FileHandle.standardError.write(Data("bench apiserver: \(text)\n".utf8))
    }
}

/// What the fan-out watchers share: when each write was sent, and the latencies observed.
private final class FanoutRecord: Sendable {
    let writeTimes = Mutex([String: ContinuousClock.Instant]())
    let samples = Mutex([Double]())
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Plain HTTP requests against the server under test.
struct Requests: Sendable {
    let client: HTTPClient
    let base: String

    @discardableResult
    func expect(_ status: Int, _ method: HTTPMethod, _ path: String, _ body: JSONValue?) async throws -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 256 * 1024 * 1024)
        guard Int(response.status.code) == status else {
            throw BenchmarkError("\(method) \(path): expected \(status), got \(response.status.code): \(String(buffer: bytes))")
        }
        return try JSONValue(parsing: Array(bytes.readableBytesView))
    }

    func open(_ path: String) async throws -> HTTPClientResponse {
        try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(60))
    }
}

extension Duration {
    var seconds: Double { milliseconds / 1000 }
}
