import Foundation
import KubeClient
import KubeModel
import Testing

@Suite("Retries and request headers on the wire")
struct RetryTests {
    static let configMap = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"n"},"data":{"k":"v"}}"#
    static let fastRetries = RetryPolicy(backoff: Backoff(duration: .milliseconds(5), factor: 2, jitter: 0.1, steps: 4))

    static func status(_ code: Int, _ reason: String) -> String {
        #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"scripted \#(code)","reason":"\#(reason)","code":\#(code)}"#
    }

    private func withScriptedClient<T: Sendable>(
        _ script: [ScriptedReply], configure: @Sendable (inout ClientConfiguration) -> Void = { _ in },
        _ body: @Sendable (KubeClient, ScriptedServer) async throws -> T
    ) async throws -> T {
        let server = ScriptedServer(script: script, fallbackBody: Self.configMap)
        return try await server.run { url in
            var configuration = ClientConfiguration(server: url, retry: Self.fastRetries)
            configure(&configuration)
            let client = try KubeClient(configuration: configuration)
            do {
                let result = try await body(client, server)
                try await client.shutdown()
                return result
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    @Test(arguments: [500, 502, 503, 504])
    func readsAreRetriedAfterServerErrors(code: Int) async throws {
        try await withScriptedClient([ScriptedReply(status: code), ScriptedReply(status: code, body: Self.status(code, "InternalError"))]) {
            client, server in
            let object = try await client.api(ConfigMap.self, namespace: "n").get("c")
            #expect(object.data == ["k": "v"])
            #expect(server.requests.count == 3)
        }
    }

    @Test func writesAreNotRetriedAfterServerErrors() async throws {
        try await withScriptedClient([ScriptedReply(status: 503, body: Self.status(503, "ServiceUnavailable"))]) { client, server in
            let failure = await error {
                try await client.api(ConfigMap.self, namespace: "n").create(ConfigMap(metadata: ObjectMeta(name: "c")))
            }
            #expect(failure?.isServiceUnavailable == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func tooManyRequestsIsRetriedForAnyVerbHonouringRetryAfter() async throws {
        try await withScriptedClient([
            ScriptedReply(status: 429, headers: [("Retry-After", "1")], body: Self.status(429, "TooManyRequests"))
        ]) { client, server in
            let start = ContinuousClock.now
            let created = try await client.api(ConfigMap.self, namespace: "n").create(ConfigMap(metadata: ObjectMeta(name: "c")))
            #expect(created.metadata.name == "c")
            #expect(server.requests.map(\.method) == ["POST", "POST"])
            #expect(ContinuousClock.now - start >= .milliseconds(950))
        }
    }

    @Test func retriesStopAfterTheConfiguredSteps() async throws {
        let failures = Array(repeating: ScriptedReply(status: 500, body: Self.status(500, "InternalError")), count: 6)
        try await withScriptedClient(failures) { client, server in
            let failure = await error { try await client.api(ConfigMap.self, namespace: "n").get("c") }
            #expect(failure?.isInternalError == true)
            #expect(server.requests.count == Self.fastRetries.backoff.steps)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withScriptedClient([ScriptedReply(status: 404, body: "page not found")]) { client, server in
            let failure = await error { try await client.api(ConfigMap.self, namespace: "n").get("c") }
            // A body that is not a Status still maps by code, as in client-go.
            #expect(failure?.isNotFound == true)
            #expect(failure?.status?.message == "page not found")
            #expect(server.requests.count == 1)
        }
    }

    @Test func retriesCanBeTurnedOff() async throws {
        try await withScriptedClient([ScriptedReply(status: 503)], configure: { $0.retry = .never }) { client, server in
            let failure = await error { try await client.api(ConfigMap.self, namespace: "n").get("c") }
            #expect(failure?.isServiceUnavailable == true)
            #expect(server.requests.count == 1)
        }
    }

    @Test func everyRequestCarriesTheExtraHeadersAndCredentials() async throws {
        try await withScriptedClient([], configure: { configuration in
            configuration.extraHeaders = [try! ClientConfiguration.Header(line: "X-Fleet-Member: member-1")]
            configuration.authentication = .bearerToken("abc")
        }) { client, server in
            let api = client.api(ConfigMap.self, namespace: "n")
            _ = try await api.get("c")
            _ = try await api.patch("c", .apply(["data": ["a": "b"]], fieldManager: "mgr", force: true))
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.headers["x-fleet-member"] == "member-1" })
            #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer abc" })
            #expect(requests[1].path == "/api/v1/namespaces/n/configmaps/c?fieldManager=mgr&force=true")
            #expect(requests[1].headers["content-type"] == "application/apply-patch+yaml")
        }
    }

    @Test func slowAnswersFailWithTheRequestTimeout() async throws {
        // The answer would come after 30 s; the request must fail long before. The bound is loose
        // because the whole suite in parallel on 2 cores can delay the timer by seconds.
        try await withScriptedClient([ScriptedReply(status: 200, body: Self.configMap, delay: .seconds(30))], configure: {
            $0.retry = .never
            $0.timeouts.request = .milliseconds(200)
        }) { client, _ in
            let start = ContinuousClock.now
            let failure = await error { try await client.api(ConfigMap.self, namespace: "n").get("c") }
            #expect(failure?.kind == .transport)
            #expect(failure?.message == "timed out after 0.2 seconds")
            #expect(ContinuousClock.now - start < .seconds(20))
        }
    }

    /// RSA as PKCS#8 and PKCS#1, EC as SEC1 (`KEY` is the output file).
    @Test(arguments: ["genrsa -out KEY 2048", "genrsa -traditional -out KEY 2048", "ecparam -name prime256v1 -genkey -noout -out KEY"])
    func clientKeysInOpenSSLFormatsAreAccepted(keyCommand: String) async throws {
        try await withTemporaryDirectory { directory in
            let script = """
                openssl \(keyCommand.replacingOccurrences(of: "KEY", with: directory + "/key.pem")) 2>/dev/null && \
                openssl req -new -x509 -key \(directory)/key.pem -subj /CN=user -days 1 -out \(directory)/cert.pem 2>/dev/null
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script]
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
            let key = try #require(FileManager.default.contents(atPath: directory + "/key.pem"))
            let certificate = try #require(FileManager.default.contents(atPath: directory + "/cert.pem"))
            let client = try KubeClient(configuration: ClientConfiguration(
                server: "https://127.0.0.1:1", tls: .init(clientCertificatePEM: Array(certificate), clientKeyPEM: Array(key))))
            try await client.shutdown()
            #expect(throws: KubeClientError.self) {
                try KubeClient(configuration: ClientConfiguration(
                    server: "https://127.0.0.1:1", tls: .init(clientCertificatePEM: Array(certificate), clientKeyPEM: Array("junk".utf8))))
            }
        }
    }

    @Test func transportErrorsNameTheURL() async throws {
        var configuration = ClientConfiguration(server: "http://127.0.0.1:1", retry: .never)
        configuration.timeouts.connect = .seconds(2)
        let client = try KubeClient(configuration: configuration)
        let failure = await error { try await client.api(Namespace.self).get("default") }
        try await client.shutdown()
        #expect(failure?.kind == .transport)
        #expect(failure?.description.hasPrefix("GET http://127.0.0.1:1/api/v1/namespaces/default: request failed") == true)
    }

    @Test func backoffGrowsByTheFactorWithinTheJitterAndCap() {
        let backoff = Backoff(duration: .milliseconds(100), factor: 2, jitter: 0.5, steps: 6, cap: .milliseconds(500))
        #expect(backoff.delay(afterAttempt: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(afterAttempt: 2, random: 0) == .milliseconds(200))
        #expect(backoff.delay(afterAttempt: 3, random: 1) == .milliseconds(600))
        #expect(backoff.delay(afterAttempt: 5, random: 0) == .milliseconds(500))
    }
}
