import AsyncHTTPClient
import Foundation
import KubeModel
import KubeServer
import KubeTestSupport
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

// Fuzzes the embedded API server over HTTP with random and mutated requests (FuzzInputs): JSON,
// YAML (tabs, anchors, alias bombs, several documents, deep nesting), all four patch types,
// label/field selectors and list/watch options, protobuf bodies, every verb on namespaced and
// cluster-scoped resources and status subresources, and garbage paths. The oracle, per request:
//
// - an answer (head and whole body) within 10 s; a watch with timeoutSeconds ≤ 2 must end by itself;
// - status ≥ 400: a JSON Status (kind Status, apiVersion v1, status Failure, code = the HTTP
//   status, non-empty reason and message); never a 5xx;
// - 2xx: JSON, or for a watch a stream of JSON event lines (ERROR events carry a Status).
//
// After the run a plain create and get must still work.
//
// Bounded by default (seed 20240617, 1 500 requests, one at a time, so as not to starve the suite).
// The long run is one command:
//
//     FUZZ_SECONDS=600 swift test --filter FuzzTests
//
// Environment: FUZZ_SECONDS=<n> runs for n seconds (random seed unless FUZZ_SEED is set);
// FUZZ_SEED=<n> fixes the seed; FUZZ_ITERATIONS=<n> sets the number of requests (default 1,500,
// one at a time; FUZZ_WORKERS=<n> in flight, default 4 for FUZZ_SECONDS runs); FUZZ_ONLY=<i>
// replays request i of the seed alone; FUZZ_TRACE=1 prints every request before it is sent (for a
// run that kills the test process). A failure names its seed and request index.

@Suite struct FuzzTests {
    struct Settings {
        var seed: UInt64
        var iterations: Int
        var duration: Duration?
        var only: Int?
        var trace: Bool
        /// Requests in flight. The bounded run, which shares the machine with the rest of the
        /// suite, keeps one (its hostile inputs keep a thread of the shared pool busy); long runs
        /// use 4 (`FUZZ_WORKERS`).
        var workers: Int

        static func fromEnvironment() -> Settings {
            let environment = ProcessInfo.processInfo.environment
            let seconds = environment["FUZZ_SECONDS"].flatMap(Int.init)
            let defaultSeed: UInt64 = seconds == nil ? 20_240_617 : UInt64.random(in: 1...999_999_999)
            return Settings(
                seed: environment["FUZZ_SEED"].flatMap(UInt64.init) ?? defaultSeed,
                iterations: environment["FUZZ_ITERATIONS"].flatMap(Int.init) ?? 1_500,
                duration: seconds.map { .seconds($0) },
                only: environment["FUZZ_ONLY"].flatMap(Int.init),
                trace: environment["FUZZ_TRACE"] == "1",
                workers: environment["FUZZ_WORKERS"].flatMap(Int.init) ?? (seconds == nil ? 1 : 4))
        }
    }

    static let deadline = Duration.seconds(10)
    /// How long the fuzzer reads a watch that has no short timeout before hanging up.
    static let openWatchWindow = Duration.milliseconds(500)

    @Test func everyFuzzedRequestGetsAWellFormedAnswerInTime() async throws {
        let settings = Settings.fromEnvironment()
        let mode = settings.duration.map { "for \($0)" } ?? "\(settings.iterations) requests"
        log("fuzz: seed \(settings.seed), \(mode), \(settings.workers) workers")
        try await TestServer.with { server in
            try await Self.prepare(server)
            let run = FuzzRun(settings: settings)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<settings.workers {
                    group.addTask { await Self.work(run, server: server) }
                }
            }
            let summary = run.summary()
            log(summary)
            let failures = run.failures()
            for failure in failures.prefix(25) {
                Issue.record(Comment(rawValue: failure))
            }
            if failures.count > 25 { Issue.record("\(failures.count - 25) more fuzz failures (seed \(settings.seed))") }
            // The server still works normally.
            let name = "after-fuzz-\(settings.seed)"
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap(name, data: ["k": "v"]))
            #expect(try await server.get(ServerFixtures.configMapPath(name))["data"] == ["k": "v"])
            let list = try await server.get(ServerFixtures.configMapsPath() + "?labelSelector=app%3Dnone")
            #expect(list["items"] == .array([]))
        }
    }

    /// The objects the fuzzer's requests aim at: a second namespace, the Widget CRD and one object
    /// of each kind (the fuzzer deletes and recreates them as it goes).
    static func prepare(_ server: TestServer) async throws {
        try await server.createNamespace("fuzz")
        try await server.installWidgetCRD()
        for target in FuzzTargets.all {
            let namespaces: [String?] = target.namespaced ? ["default", "fuzz"] : [nil]
            for namespace in namespaces {
                let reply = try await server.request(.POST, target.collection(namespace), json: target.base(target.names[0]))
                guard reply.status == 201 else {
                    throw UnexpectedReply(description: "preparing \(target.resource): \(reply.status) \(reply.text)")
                }
            }
        }
    }

    static func work(_ run: FuzzRun, server: TestServer) async {
        while let index = run.nextIndex() {
            var inputs = FuzzInputs(seed: run.settings.seed, index: UInt64(index))
            let request = inputs.request()
            if run.settings.trace { log("fuzz #\(index): \(request)") }
            let started = ContinuousClock.now
            let outcome = await send(request, to: server)
            let problem = verdict(request, outcome)
            run.record(index: index, request: request, outcome: outcome, problem: problem, took: ContinuousClock.now - started)
        }
    }

    // MARK: Sending

    enum Outcome: Sendable {
        case reply(status: Int, contentType: String, body: [UInt8], ended: Bool)
        case hang
        case transportError(String)
    }

    /// Sends one request; nil from the race below means the deadline passed first.
    static func send(_ fuzzed: FuzzRequest, to server: TestServer) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { await exchange(fuzzed, server: server) }
            group.addTask {
                try? await Task.sleep(for: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .hang
        }
    }

    private final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
        func append(_ buffer: ByteBuffer) { bytes.withLock { $0 += buffer.readableBytesView } }
        var value: [UInt8] { bytes.withLock { $0 } }
    }

    private enum Reading: Sendable { case ended, failed(String), windowClosed }

    private static func exchange(_ fuzzed: FuzzRequest, server: TestServer) async -> Outcome? {
        var request = HTTPClientRequest(url: server.baseURL + fuzzed.target)
        request.method = HTTPMethod(rawValue: fuzzed.method)
        if let contentType = fuzzed.contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let accept = fuzzed.accept { request.headers.add(name: "Accept", value: accept) }
        if let body = fuzzed.body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do {
            response = try await server.client.execute(request, timeout: .seconds(60))
        } catch {
            return Task.isCancelled ? nil : .transportError("\(error)")
        }
        let collected = Collected()
        let body = response.body
        let reading = await withTaskGroup(of: Reading.self) { group in
            group.addTask {
                do {
                    for try await chunk in body { collected.append(chunk) }
                    return .ended
                } catch {
                    return .failed("\(error)")
                }
            }
            if fuzzed.isWatch && !fuzzed.watchMustEnd {
                group.addTask {
                    try? await Task.sleep(for: openWatchWindow)
                    return .windowClosed
                }
            }
            let first = await group.next() ?? .windowClosed
            group.cancelAll()
            return first
        }
        if Task.isCancelled { return nil }
        let contentType = response.headers["Content-Type"].first ?? ""
        switch reading {
        case .ended: return .reply(status: Int(response.status.code), contentType: contentType, body: collected.value, ended: true)
        case .windowClosed: return .reply(status: Int(response.status.code), contentType: contentType, body: collected.value, ended: false)
        case .failed(let error): return .transportError("the response body broke off after \(collected.value.count) bytes: \(error)")
        }
    }

    // MARK: Oracle

    /// Nil when the answer is acceptable, else what is wrong with it.
    static func verdict(_ request: FuzzRequest, _ outcome: Outcome) -> String? {
        switch outcome {
        case .hang:
            return "no complete answer within \(deadline)"
        case .transportError(let error):
            return "the exchange failed: \(error)"
        case .reply(let status, let contentType, let body, _):
            if request.method == "HEAD" {
                return status >= 500 ? "HEAD answered \(status)" : nil
            }
            let text = String(decoding: body.prefix(1500), as: UTF8.self)
            switch status {
            case 500...:
                return "answered \(status) (a 5xx means a server bug): \(text)"
            case 400..<500:
                return statusProblem(body, code: status).map { "answered \(status) without a proper Status (\($0)): \(text)" }
            case 200..<300:
                if request.isWatch, let problem = watchProblem(body) {
                    return "answered \(status) to a watch with a malformed stream (\(problem)), Content-Type \(contentType): \(text)"
                }
                if !request.isWatch, (try? JSONValue(parsing: body)) == nil {
                    return "answered \(status) with a body that is not JSON, Content-Type \(contentType): \(text)"
                }
                return nil
            default:
                return "answered an unexpected status \(status): \(text)"
            }
        }
    }

    /// What is wrong with a Status body for HTTP status `code`, or nil.
    static func statusProblem(_ body: [UInt8], code: Int) -> String? {
        guard let status = try? JSONValue(parsing: body) else { return "not JSON" }
        return statusProblem(status, code: code)
    }

    static func statusProblem(_ status: JSONValue, code: Int?) -> String? {
        if status["kind"] != "Status" { return "kind is not Status" }
        if status["apiVersion"] != "v1" { return "apiVersion is not v1" }
        if status["status"] != "Failure" { return "status is not Failure" }
        guard let statusCode = status["code"]?.intValue else { return "no numeric code" }
        if let code, statusCode != Int64(code) { return "code \(statusCode) differs from the HTTP status" }
        if (status["reason"]?.stringValue ?? "").isEmpty { return "no reason" }
        if (status["message"]?.stringValue ?? "").isEmpty { return "no message" }
        return nil
    }

    /// A watch answer is either one JSON document (a list, when `watch` was not a true value) or
    /// JSON event lines; a line cut off by the fuzzer hanging up is ignored.
    static func watchProblem(_ body: [UInt8]) -> String? {
        // (`watch=yes` is no watch: the answer is the object or list, which may have a `type` field.)
        if let document = try? JSONValue(parsing: body), document["kind"] != nil, document["object"] == nil { return nil }
        var lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()  // Empty after a final newline, or an incomplete line.
        for line in lines where !line.isEmpty {
            guard let event = try? JSONValue(parsing: line) else { return "a line is not JSON" }
            guard let type = event["type"]?.stringValue, ["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"].contains(type) else {
                return "an event has no known type"
            }
            guard let object = event["object"], object.objectValue != nil else { return "an event has no object" }
            if type == "ERROR", let problem = statusProblem(object, code: nil) { return "an ERROR event's object: \(problem)" }
        }
        return nil
    }
}

/// The shared state of one fuzz run: which request is next, counts, failures.
final class FuzzRun: Sendable {
    let settings: FuzzTests.Settings
    private let started = ContinuousClock.now

    private struct State {
        var next = 0
        var sent = 0
        var statuses: [String: Int] = [:]
        var failures: [String] = []
        var slowest: (Duration, String) = (.zero, "")
        var lastProgress = ContinuousClock.now
    }

    private let state = Mutex(State())

    init(settings: FuzzTests.Settings) { self.settings = settings }

    func nextIndex() -> Int? {
        state.withLock { state in
            if let only = settings.only {
                guard state.next == 0 else { return nil }
                state.next = 1
                return only
            }
            if let duration = settings.duration {
                guard ContinuousClock.now - started < duration else { return nil }
            } else if state.next >= settings.iterations {
                return nil
            }
            defer { state.next += 1 }
            return state.next
        }
    }

    func record(index: Int, request: FuzzRequest, outcome: FuzzTests.Outcome, problem: String?, took: Duration) {
        let progress: String? = state.withLock { state in
            state.sent += 1
            let key: String
            switch outcome {
            case .reply(let status, _, _, _): key = String(status)
            case .hang: key = "hang"
            case .transportError: key = "transport error"
            }
            state.statuses[key, default: 0] += 1
            if took > state.slowest.0 { state.slowest = (took, "#\(index) \(request.method) \(request.target.prefix(120)) [\(request.generator)]") }
            if let problem {
                if settings.duration != nil { log("fuzz failure #\(index): \(problem.prefix(300))") }
                state.failures.append(
                    "fuzz failure (seed \(settings.seed), request #\(index); replay with FUZZ_SEED=\(settings.seed) FUZZ_ONLY=\(index)): \(problem)\nrequest: \(request)")
            }
            guard settings.duration != nil, ContinuousClock.now - state.lastProgress > .seconds(30) else { return nil }
            state.lastProgress = ContinuousClock.now
            return "fuzz: \(state.sent) requests after \(ContinuousClock.now - started), \(state.failures.count) failures"
        }
        if let progress { log(progress) }
    }

    func failures() -> [String] { state.withLock { $0.failures } }

    func summary() -> String {
        state.withLock { state in
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Double(state.sent) / seconds : 0
            let statuses = state.statuses.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
            return """
                fuzz: seed \(settings.seed): \(state.sent) requests in \(String(format: "%.1f", seconds)) s \
                (\(String(format: "%.1f", rate))/s), \(state.failures.count) failures; statuses \(statuses); \
                slowest \(state.slowest.0) \(state.slowest.1)
                """
        }
    }
}

/// Unbuffered, so that a line is out even if the process dies right after.
private func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
