import ARMServer
import AsyncHTTPClient
import Foundation
import KubeModel
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

// The ARM-compatible server over real HTTP: the Traffic Manager profile and endpoint routes and
// the public IP list (traffic-manager spec §2), with the constraints Azure enforces (§6.5) and
// the request log the controllers' tests will read.

@Suite struct ARMServerTests {
    static let subscription = "sub-1"
    static let group = "fleet-rg"
    static let profiles = "/subscriptions/sub-1/resourceGroups/fleet-rg/providers/Microsoft.Network/trafficmanagerprofiles"
    static let version = "?api-version=2022-04-01"

    struct Answer {
        var status: Int
        var body: JSONValue?
        var errorCode: String?
        var headerCode: String?
    }

    /// The HTTP client of the running test: its own, shut down before the server stops, so that
    /// no connection is being accepted while the server shuts down.
    @TaskLocal static var http: HTTPClient = .shared

    /// Runs `body` against a fresh server with resource group `fleet-rg` in `sub-1`.
    static func withServer(pageSize: Int = 50, _ body: (ARMServer, String) async throws -> Void) async throws {
        var logger = Logger(label: "arm-test")
        logger.logLevel = .critical
        let store = ARMStore()
        store.addResourceGroup(group, subscription: subscription)
        let server = ARMServer(store: store, pageSize: pageSize, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: logger))
        let running = Task { try await group.run() }
        defer { running.cancel() }
        let url = try await server.url()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await $http.withValue(http) { try await body(server, url) }
        } catch {
            try? await http.shutdown()
            await group.triggerGracefulShutdown()
            _ = await running.result
            throw error
        }
        try await http.shutdown()
        await group.triggerGracefulShutdown()
        _ = await running.result
    }

    static func send(_ method: HTTPMethod, _ url: String, _ body: JSONValue? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        }
        let response = try await Self.http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json: JSONValue? = bytes.readableBytes == 0 ? nil : try JSONValue(parsing: Array(bytes.readableBytesView))
        return Answer(
            status: Int(response.status.code), body: json,
            errorCode: json?.objectValue?["error"]?.objectValue?["code"]?.stringValue,
            headerCode: response.headers.first(name: "x-ms-error-code"))
    }

    /// The body the reference's controller sends for a new profile (spec §2.1).
    static func newProfile(relativeName: String, interval: Int64 = 30, timeout: Int64 = 10, endpoints: [JSONValue]? = nil) -> JSONValue {
        var properties: [String: JSONValue] = [
            "profileStatus": "Enabled", "trafficRoutingMethod": "Weighted",
            "dnsConfig": .object(["relativeName": .string(relativeName), "ttl": 60]),
            "monitorConfig": .object([
                "intervalInSeconds": .int(interval), "path": "/", "port": 80, "protocol": "HTTP", "timeoutInSeconds": .int(timeout),
                "toleratedNumberOfFailures": 3,
            ]),
        ]
        if let endpoints { properties["endpoints"] = .array(endpoints) }
        return .object([
            "location": "global", "tags": .object(["networking.fleet.azure.com.trafficManagerProfile": "work/app"]),
            "properties": .object(properties),
        ])
    }

    static func endpoint(target: String, weight: Int64 = 7, type: String = "Microsoft.Network/trafficManagerProfiles/AzureEndpoints") -> JSONValue {
        .object([
            "type": .string(type),
            "properties": .object(["targetResourceId": .string(target), "endpointStatus": "Enabled", "weight": .int(weight)]),
        ])
    }

    static func pipID(_ name: String) -> String {
        "/subscriptions/sub-1/resourceGroups/fleet-rg/providers/Microsoft.Network/publicIPAddresses/\(name)"
    }

    @Test func aProfileIsCreatedReadReplacedAndDeletedWithAzuresShapes() async throws {
        try await Self.withServer { server, url in
            let path = url + Self.profiles + "/fleet-uid-1" + Self.version
            let created = try await Self.send(.PUT, path, Self.newProfile(relativeName: "work-app"))
            #expect(created.status == 201)
            // Read back under Azure's spelling of the path, with the read-only fields filled in.
            let read = try await Self.send(
                .GET, url + "/subscriptions/SUB-1/resourcegroups/FLEET-RG/providers/microsoft.network/trafficManagerProfiles/FLEET-UID-1" + Self.version)
            #expect(read.status == 200)
            let object = try #require(read.body?.objectValue)
            #expect(object["id"]?.stringValue == "/subscriptions/sub-1/resourceGroups/fleet-rg/providers/Microsoft.Network/trafficManagerProfiles/fleet-uid-1")
            #expect(object["name"]?.stringValue == "fleet-uid-1")
            let properties = try #require(object["properties"]?.objectValue)
            #expect(properties["dnsConfig"]?.objectValue?["fqdn"]?.stringValue == "work-app.trafficmanager.net")
            #expect(properties["dnsConfig"]?.objectValue?["ttl"]?.intValue == 60)
            #expect(properties["monitorConfig"]?.objectValue?["profileMonitorStatus"]?.stringValue == "Inactive")
            #expect(properties["endpoints"]?.arrayValue?.isEmpty == true)
            #expect(object["tags"]?.objectValue?["networking.fleet.azure.com.trafficManagerProfile"]?.stringValue == "work/app")

            // The GET body sent back as an update (read-only fields included) is accepted: 200.
            #expect(try await Self.send(.PUT, path, read.body).status == 200)
            #expect(try await Self.send(.DELETE, path).status == 200)
            #expect(try await Self.send(.DELETE, path).status == 204)
            let gone = try await Self.send(.GET, path)
            #expect(gone.status == 404)
            #expect(gone.errorCode == "NotFound" && gone.headerCode == "NotFound")

            // The log has every request with its api-version.
            let log = server.store.requests
            #expect(log.map(\.status) == [201, 200, 200, 200, 204, 404])
            #expect(log.allSatisfy { $0.apiVersion == "2022-04-01" })
            #expect(log.filter(\.isWrite).count == 4)
        }
    }

    @Test func azuresConstraintsOnProfiles() async throws {
        try await Self.withServer { _, url in
            // A resource group that does not exist.
            let elsewhere = url + "/subscriptions/sub-1/resourceGroups/missing/providers/Microsoft.Network/trafficmanagerprofiles/p" + Self.version
            let missing = try await Self.send(.PUT, elsewhere, Self.newProfile(relativeName: "x"))
            #expect(missing.status == 404 && missing.errorCode == "ResourceGroupNotFound")
            #expect(try await Self.send(.GET, elsewhere).errorCode == "ResourceGroupNotFound")

            // A relative DNS name is unique across profiles (case-insensitively).
            #expect(try await Self.send(.PUT, url + Self.profiles + "/a" + Self.version, Self.newProfile(relativeName: "work-app")).status == 201)
            let taken = try await Self.send(.PUT, url + Self.profiles + "/b" + Self.version, Self.newProfile(relativeName: "WORK-APP"))
            #expect(taken.status == 409 && taken.errorCode == "Conflict")

            // Monitor timing: a 10 s interval allows at most 9 s of timeout.
            let tooSlow = try await Self.send(
                .PUT, url + Self.profiles + "/c" + Self.version, Self.newProfile(relativeName: "c", interval: 10, timeout: 10))
            #expect(tooSlow.status == 400 && tooSlow.errorCode == "BadRequest")
            #expect(try await Self.send(.PUT, url + Self.profiles + "/c" + Self.version, Self.newProfile(relativeName: "c", interval: 10, timeout: 9)).status == 201)

            // Not JSON, and no relative name.
            var garbage = HTTPClientRequest(url: url + Self.profiles + "/d" + Self.version)
            garbage.method = .PUT
            garbage.body = .bytes(ByteBuffer(string: "{not json"))
            let response = try await Self.http.execute(garbage, timeout: .seconds(10))
            #expect(response.status.code == 400)
            let noName = try await Self.send(.PUT, url + Self.profiles + "/d" + Self.version, .object(["properties": .object([:])]))
            #expect(noName.status == 400)
        }
    }

    @Test func endpointsNeedAnExistingLabelledTargetUsedOncePerProfile() async throws {
        try await Self.withServer { server, url in
            server.store.putPublicIP(.init(name: "pip-1", ipAddress: "127.201.0.1", dnsLabel: "app-1"), group: Self.group, subscription: Self.subscription)
            server.store.putPublicIP(.init(name: "pip-2", ipAddress: "127.202.0.1", dnsLabel: "app-2"), group: Self.group, subscription: Self.subscription)
            server.store.putPublicIP(.init(name: "bare", ipAddress: "127.203.0.1"), group: Self.group, subscription: Self.subscription)
            let profile = url + Self.profiles + "/fleet-uid-1"
            #expect(try await Self.send(.PUT, profile + Self.version, Self.newProfile(relativeName: "work-app")).status == 201)
            // `#` in the name arrives as %23; Azure's path spelling differs from the SDK's.
            let first = profile + "/AzureEndpoints/fleet-tmb%23app%23member-1" + Self.version
            let created = try await Self.send(.PUT, first, Self.endpoint(target: Self.pipID("pip-1")))
            #expect(created.status == 201)
            let properties = created.body?.objectValue?["properties"]?.objectValue
            #expect(created.body?.objectValue?["name"]?.stringValue == "fleet-tmb#app#member-1")
            #expect(created.body?.objectValue?["id"]?.stringValue?.hasSuffix("/trafficManagerProfiles/fleet-uid-1/azureEndpoints/fleet-tmb#app#member-1") == true)
            #expect(properties?["target"]?.stringValue == "app-1.local.cloudapp.azure.com")
            #expect(properties?["weight"]?.intValue == 7)
            #expect(try await Self.send(.PUT, first, Self.endpoint(target: Self.pipID("pip-1"), weight: 9)).status == 200)

            let second = profile + "/azureEndpoints/fleet-tmb%23app%23member-2" + Self.version
            for (body, code) in [
                (Self.endpoint(target: Self.pipID("pip-2"), weight: 0), "BadRequest"),
                (Self.endpoint(target: Self.pipID("pip-2"), weight: 1001), "BadRequest"),
                (Self.endpoint(target: Self.pipID("pip-2"), type: "Microsoft.Network/trafficManagerProfiles/ExternalEndpoints"), "InvalidEndpointType"),
                (Self.endpoint(target: Self.pipID("bare")), "BadRequest"),  // no DNS label
                (Self.endpoint(target: Self.pipID("nowhere")), "BadRequest"),  // no such public IP
                (Self.endpoint(target: Self.pipID("PIP-1")), "BadRequest"),  // the first endpoint's target
            ] {
                let refused = try await Self.send(.PUT, second, body)
                #expect(refused.status == 400 && refused.errorCode == code, "\(body)")
            }
            #expect(try await Self.send(.PUT, second, Self.endpoint(target: Self.pipID("pip-2"), weight: 4)).status == 201)

            // The profile lists both; the GET body sent back keeps them (PUT semantics), a body
            // without endpoints drops them.
            let read = try await Self.send(.GET, profile + Self.version)
            let endpoints = read.body?.objectValue?["properties"]?.objectValue?["endpoints"]?.arrayValue ?? []
            #expect(endpoints.compactMap { $0.objectValue?["name"]?.stringValue } == ["fleet-tmb#app#member-1", "fleet-tmb#app#member-2"])
            #expect(endpoints.compactMap { $0.objectValue?["properties"]?.objectValue?["weight"]?.intValue } == [9, 4])
            #expect(read.body?.objectValue?["properties"]?.objectValue?["monitorConfig"]?.objectValue?["profileMonitorStatus"]?.stringValue == "Online")
            #expect(try await Self.send(.PUT, profile + Self.version, read.body).status == 200)
            #expect(server.store.profile("fleet-uid-1", group: Self.group, subscription: Self.subscription)?.endpoints.count == 2)

            #expect(try await Self.send(.DELETE, second).status == 200)
            #expect(try await Self.send(.DELETE, second).status == 204)
            #expect(try await Self.send(.PUT, profile + Self.version, Self.newProfile(relativeName: "work-app")).status == 200)
            #expect(server.store.profile("fleet-uid-1", group: Self.group, subscription: Self.subscription)?.endpoints.isEmpty == true)

            // An endpoint of a profile that does not exist.
            let orphan = try await Self.send(
                .PUT, url + Self.profiles + "/nope/AzureEndpoints/e" + Self.version, Self.endpoint(target: Self.pipID("pip-1")))
            #expect(orphan.status == 404)
        }
    }

    @Test func publicIPsAreListedInPagesFollowedByNextLink() async throws {
        try await Self.withServer(pageSize: 2) { server, url in
            for index in 1...5 {
                server.store.putPublicIP(
                    .init(name: "pip-\(index)", ipAddress: "127.201.0.\(index)", dnsLabel: index == 3 ? nil : "app-\(index)"),
                    group: Self.group, subscription: Self.subscription)
            }
            var next: String? = url + "/subscriptions/sub-1/resourceGroups/fleet-rg/providers/Microsoft.Network/publicIPAddresses?api-version=2023-05-01"
            var items: [[String: JSONValue]] = []
            var pages = 0
            while let link = next {
                let page = try await Self.send(.GET, link)
                #expect(page.status == 200)
                items += (page.body?.objectValue?["value"]?.arrayValue ?? []).compactMap(\.objectValue)
                next = page.body?.objectValue?["nextLink"]?.stringValue
                pages += 1
                #expect(pages <= 3)
            }
            #expect(pages == 3)
            #expect(items.compactMap { $0["properties"]?.objectValue?["ipAddress"]?.stringValue } == (1...5).map { "127.201.0.\($0)" })
            #expect(items[0]["id"]?.stringValue == Self.pipID("pip-1"))
            #expect(items[0]["properties"]?.objectValue?["dnsSettings"]?.objectValue?["domainNameLabel"]?.stringValue == "app-1")
            #expect(items[2]["properties"]?.objectValue?["dnsSettings"] == nil, "no label, no dnsSettings")
            #expect(server.store.requests.allSatisfy { $0.apiVersion == "2023-05-01" })
        }
    }
}
