import ARMServer
import FaultInjection
import AsyncHTTPClient
import AzureClient
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Logging
import ServiceLifecycle
import Testing

// The ARM client against the ARM-compatible server over real HTTP: the Traffic Manager and
// public IP calls, typed errors, retries (5xx, 429 with Retry-After, no answer at all) and
// the three Azure credentials with their token cache.

@Suite struct ARMClientTests {
    static let subscription = "sub-1"
    static let group = "fleet-rg"

    static var quiet: Logger {
        var logger = Logger(label: "arm-client-test")
        logger.logLevel = .critical
        return logger
    }

    /// The HTTP client of the running test: its own, shut down before the server stops, so that
    /// no connection is being accepted while the server shuts down.
    @TaskLocal static var http: HTTPClient = .shared

    static func withServer(
        pageSize: Int = 50, identities: ARMIdentities = ARMIdentities(), _ body: (ARMServer, String) async throws -> Void
    ) async throws {
        let store = ARMStore()
        store.addResourceGroup(group, subscription: subscription)
        let server = ARMServer(store: store, identities: identities, pageSize: pageSize, logger: quiet)
        let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: quiet))
        let running = Task { try await services.run() }
        defer { running.cancel() }
        let url = try await server.url()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await $http.withValue(http) { try await body(server, url) }
        } catch {
            try? await http.shutdown()
            await services.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        try await http.shutdown()
        await services.triggerGracefulShutdown()
        _ = await running.result
    }

    static func client(_ url: String, credential: (any TokenCredential)? = nil, maxRetries: Int = 3) -> ARMClient {
        ARMClient(
            configuration: .init(
                resourceManagerEndpoint: url, scope: ARMServer.audience + ".default", userAgent: "fleet-hub-net-controller-manager",
                maxRetries: maxRetries, backoff: Backoff(duration: .milliseconds(5), factor: 2, jitter: 0, steps: 4),
                maximumRetryAfter: .seconds(5)),
            credential: credential, http: http, logger: quiet)
    }

    static func profile(_ relativeName: String) -> JSONValue {
        .object([
            "location": "global",
            "properties": .object([
                "profileStatus": "Enabled", "trafficRoutingMethod": "Weighted",
                "dnsConfig": .object(["relativeName": .string(relativeName), "ttl": 60]),
            ]),
        ])
    }

    @Test func trafficManagerCallsAndTypedErrors() async throws {
        try await Self.withServer { server, url in
            let client = Self.client(url)
            server.store.putPublicIP(.init(name: "pip-1", ipAddress: "127.201.0.1", dnsLabel: "app"), group: Self.group, subscription: Self.subscription)

            let missing = await #expect(throws: ARMClientError.self) {
                _ = try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "fleet-1")
            }
            #expect(missing?.isNotFound == true && missing?.code == "NotFound")
            let created = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "fleet-1", body: Self.profile("work-app"))
            #expect(created.objectValue?["properties"]?.objectValue?["dnsConfig"]?.objectValue?["fqdn"]?.stringValue == "work-app.trafficmanager.net")

            // `#` in endpoint names is escaped on the way and decoded by the server.
            let endpoint = try await client.putEndpoint(
                subscription: Self.subscription, group: Self.group, profile: "fleet-1", name: "fleet-tmb#app#member-1",
                body: .object([
                    "name": "fleet-tmb#app#member-1", "type": "Microsoft.Network/trafficManagerProfiles/AzureEndpoints",
                    "properties": .object([
                        "targetResourceId": "/subscriptions/sub-1/resourceGroups/fleet-rg/providers/Microsoft.Network/publicIPAddresses/pip-1",
                        "endpointStatus": "Enabled", "weight": 7,
                    ]),
                ]))
            #expect(endpoint.objectValue?["name"]?.stringValue == "fleet-tmb#app#member-1")
            let read = try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "FLEET-1")
            #expect(read.objectValue?["properties"]?.objectValue?["endpoints"]?.arrayValue?.count == 1)

            // A 409 and a 400 come back typed, with the server's code; not retried.
            let conflict = await #expect(throws: ARMClientError.self) {
                _ = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "fleet-2", body: Self.profile("work-app"))
            }
            #expect(conflict?.isConflict == true && conflict?.code == "Conflict")
            let before = server.store.requests.count
            let bad = await #expect(throws: ARMClientError.self) {
                _ = try await client.putEndpoint(
                    subscription: Self.subscription, group: Self.group, profile: "fleet-1", name: "e2",
                    body: .object(["type": "Microsoft.Network/trafficManagerProfiles/ExternalEndpoints", "properties": .object([:])]))
            }
            #expect(bad?.status == 400 && bad?.code == "InvalidEndpointType" && bad?.isClientError == true)
            #expect(server.store.requests.count == before + 1, "a 400 is not retried")

            try await client.deleteEndpoint(subscription: Self.subscription, group: Self.group, profile: "fleet-1", name: "fleet-tmb#app#member-1")
            try await client.deleteEndpoint(subscription: Self.subscription, group: Self.group, profile: "fleet-1", name: "fleet-tmb#app#member-1")
            try await client.deleteProfile(subscription: Self.subscription, group: Self.group, name: "fleet-1")
            #expect(server.store.profiles.isEmpty)

            // Every request carried the api-version, a User-Agent and a request id.
            #expect(server.store.requests.allSatisfy { $0.apiVersion == ARMClient.trafficManagerAPIVersion })
        }
    }

    @Test func retriesFollowAzcoreAndRetryAfter() async throws {
        try await Self.withServer { server, url in
            let client = Self.client(url)
            _ = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "p", body: Self.profile("p"))
            func gets() -> Int { server.store.requests.filter { $0.method == "GET" }.count }

            // Two 500s, then success: three requests, one call.
            server.faults.inject(.init(.status(500, code: "InternalServerError"), times: 2), on: .profileGet)
            _ = try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "p")
            #expect(gets() == 3)

            // Always 503: the first attempt and three retries, then the error.
            server.faults.inject(.init(.status(503, code: "ServiceUnavailable")), on: .profileGet)
            let unavailable = await #expect(throws: ARMClientError.self) {
                _ = try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "p")
            }
            #expect(unavailable?.status == 503)
            #expect(gets() == 7)
            server.faults.clear()

            // 429 with Retry-After: 1 s is honoured; a Retry-After past the client's limit fails at once.
            server.faults.inject(.init(.throttled(retryAfterSeconds: 1), times: 1), on: .profilePut)
            let started = ContinuousClock.now
            _ = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "p", body: Self.profile("p"))
            #expect(ContinuousClock.now - started >= .seconds(1))
            server.faults.inject(.init(.throttled(retryAfterSeconds: 120), times: 1), on: .profilePut)
            let throttled = await #expect(throws: ARMClientError.self) {
                _ = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "p", body: Self.profile("p"))
            }
            #expect(throttled?.isThrottled == true)

            // No answer at all (nothing listens): a transport failure, retried, then the caller's.
            let nowhere = ARMClient(
                configuration: .init(
                    resourceManagerEndpoint: "http://127.0.0.1:1", scope: ARMServer.audience + ".default", maxRetries: 2,
                    backoff: Backoff(duration: .milliseconds(5), factor: 1, jitter: 0, steps: 3),
                    // AsyncHTTPClient keeps trying to connect until the request's deadline.
                    timeout: .milliseconds(500)),
                credential: nil, logger: Self.quiet)
            let refused = await #expect(throws: ARMClientError.self) {
                _ = try await nowhere.getProfile(subscription: Self.subscription, group: Self.group, name: "p")
            }
            if case .transport = refused {} else { Issue.record("expected a transport error, got \(String(describing: refused))") }
            #expect(refused?.status == nil, "no status: not an answer")
        }
    }

    /// Connections dropped by the network (spec §6.5's "dropped connection"), played by a
    /// FaultProxy in front of the server: one reset while the server is answering, and new
    /// connections refused for a while; the client retries and the call succeeds.
    @Test func droppedConnectionsAreRetried() async throws {
        try await Self.withServer { server, url in
            let port = Int(url.split(separator: ":").last ?? "") ?? 0
            let proxy = try await FaultProxy.start(upstreamHost: "127.0.0.1", upstreamPort: port, logger: Self.quiet)
            do {
                let client = Self.client("http://127.0.0.1:\(proxy.port)")
                _ = try await client.putProfile(subscription: Self.subscription, group: Self.group, name: "p", body: Self.profile("p"))

                // The connection is reset while the server takes its time with the answer.
                server.faults.inject(.init(.delay(.milliseconds(500)), times: 1), on: .profileGet)
                let call = Task { try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "p") }
                let accepted = proxy.statistics.acceptedConnections
                try await eventually("the GET is in flight") { proxy.statistics.bytesToUpstream > 0 && server.store.requests.count == 1 }
                try await Task.sleep(for: .milliseconds(100))
                await proxy.resetAll()
                let answer = try await call.value
                #expect(answer.objectValue?["name"]?.stringValue == "p")
                #expect(proxy.statistics.acceptedConnections > accepted, "the request was sent again on a new connection")

                // New connections refused (a drop on connect), then the network comes back.
                await proxy.resetAll()
                proxy.mode = .refuse
                let refusedCall = Task { try await client.getProfile(subscription: Self.subscription, group: Self.group, name: "p") }
                try await eventually("a connection was refused") { proxy.statistics.refusedConnections > 0 }
                proxy.mode = .pass
                #expect(try await refusedCall.value.objectValue?["name"]?.stringValue == "p")
            } catch {
                await proxy.stop()
                throw error
            }
            await proxy.stop()
        }
    }

    @Test func publicIPsOfEveryPage() async throws {
        try await Self.withServer(pageSize: 2) { server, url in
            for index in 1...5 {
                server.store.putPublicIP(.init(name: "pip-\(index)", ipAddress: "127.201.0.\(index)"), group: Self.group, subscription: Self.subscription)
            }
            let ips = try await Self.client(url).listPublicIPs(subscription: Self.subscription, group: Self.group)
            #expect(ips.compactMap { $0.objectValue?["name"]?.stringValue } == (1...5).map { "pip-\($0)" })
            #expect(server.store.requests.count == 3)
            #expect(server.store.requests.allSatisfy { $0.apiVersion == ARMClient.networkAPIVersion })
        }
    }

    @Test func eachCredentialGetsATokenThatIsCachedAndRefreshed() async throws {
        let identities = ARMIdentities(tokenLifetime: 60)
        identities.register(clientID: "hub-app", tenant: "t1", credential: .clientSecret("s3cret"))
        identities.register(clientID: "member-wi", tenant: "t1", credential: .federated)
        identities.register(clientID: "member-mi", credential: .managed)
        for client in ["hub-app", "member-wi", "member-mi"] { identities.grant(client, group: Self.group, subscription: Self.subscription) }
        identities.requireAuthentication()
        try await Self.withServer(identities: identities) { server, url in
            // No credential: 401, typed.
            let anonymous = await #expect(throws: ARMClientError.self) {
                _ = try await Self.client(url).listPublicIPs(subscription: Self.subscription, group: Self.group)
            }
            #expect(anonymous?.status == 401)

            // Client secret, cached: two calls, one token (a 60 s token is fetched again only
            // once less than 30 s are left).
            let adCredential = AzureADCredential(authorityHost: url, tenantID: "t1", clientID: "hub-app", secret: .clientSecret("s3cret"), http: Self.http)
            let hub = Self.client(url, credential: CachingCredential(adCredential))
            _ = try await hub.listPublicIPs(subscription: Self.subscription, group: Self.group)
            _ = try await hub.listPublicIPs(subscription: Self.subscription, group: Self.group)
            #expect(identities.tokensIssued == 1)
            // Refreshed before it expires: here once less than 59.5 s are left.
            let eager = Self.client(url, credential: CachingCredential(adCredential, refreshMargin: .milliseconds(59_500)))
            _ = try await eager.listPublicIPs(subscription: Self.subscription, group: Self.group)
            #expect(identities.tokensIssued == 2)
            try await eventually("a token near its expiry is fetched again", timeout: .seconds(10)) {
                _ = try await eager.listPublicIPs(subscription: Self.subscription, group: Self.group)
                return identities.tokensIssued == 3
            }

            // A wrong secret: the call fails with an authentication error naming Azure AD's answer.
            let wrong = Self.client(url, credential: AzureADCredential(authorityHost: url, tenantID: "t1", clientID: "hub-app", secret: .clientSecret("x"), http: Self.http))
            let refused = await #expect(throws: ARMClientError.self) {
                _ = try await wrong.listPublicIPs(subscription: Self.subscription, group: Self.group)
            }
            #expect("\(refused.map { "\($0)" } ?? "")".contains("invalid_client"))

            // Workload identity: the assertion is read from the file at every fetch.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("azure-token-\(UUID().uuidString)")
            try Data("eyJ.projected.sa-token\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let workload = Self.client(
                url, credential: AzureADCredential(authorityHost: url, tenantID: "t1", clientID: "member-wi", secret: .federatedTokenFile(file.path), http: Self.http))
            _ = try await workload.listPublicIPs(subscription: Self.subscription, group: Self.group)
            let missingFile = Self.client(
                url, credential: AzureADCredential(authorityHost: url, tenantID: "t1", clientID: "member-wi", secret: .federatedTokenFile("/nonexistent/token"), http: Self.http))
            let unreadable = await #expect(throws: ARMClientError.self) {
                _ = try await missingFile.listPublicIPs(subscription: Self.subscription, group: Self.group)
            }
            #expect("\(unreadable.map { "\($0)" } ?? "")".contains("/nonexistent/token"))

            // Managed identity through IMDS (the server plays the metadata service too).
            let managed = Self.client(url, credential: ManagedIdentityCredential(endpoint: url, identity: "member-mi", http: Self.http))
            _ = try await managed.listPublicIPs(subscription: Self.subscription, group: Self.group)
            #expect(server.store.requests.filter { $0.path.hasSuffix("publicIPAddresses") && $0.status == 200 }.count >= 6)
        }
    }
}
