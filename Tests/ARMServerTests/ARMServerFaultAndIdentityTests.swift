import ARMServer
import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore
import NIOHTTP1
import Testing

// Fault injection per route (fixed status, N failures then success, 429 with Retry-After,
// latency, one resource name only) and Azure authentication: AAD tokens for a client
// secret or a federated assertion, IMDS for a managed identity, the cloud metadata, and role
// assignments per resource group (403 AuthorizationFailed, LinkedAuthorizationFailed).

@Suite struct ARMServerFaultAndIdentityTests {
    typealias T = ARMServerTests

    @Test func faultsHitTheirRouteAndNameForTheirCountThenClear() async throws {
        try await T.withServer { server, url in
            let profile = url + T.profiles + "/p" + T.version
            #expect(try await T.send(.PUT, profile, T.newProfile(relativeName: "p")).status == 201)

            // Two 500s, then the real answer.
            server.faults.inject(.init(.status(500, code: "InternalServerError"), times: 2), on: .profileGet)
            #expect(try await T.send(.GET, profile).status == 500)
            let second = try await T.send(.GET, profile)
            #expect(second.status == 500 && second.errorCode == "InternalServerError")
            #expect(try await T.send(.GET, profile).status == 200)

            // Throttling says when to come back.
            server.faults.inject(.init(.throttled(retryAfterSeconds: 7), times: 1), on: .profilePut)
            var request = HTTPClientRequest(url: profile)
            request.method = .PUT
            request.body = .bytes(ByteBuffer(bytes: T.newProfile(relativeName: "p").serialized()))
            let throttled = try await T.http.execute(request, timeout: .seconds(10))
            #expect(throttled.status.code == 429)
            #expect(throttled.headers.first(name: "Retry-After") == "7")
            _ = try await throttled.body.collect(upTo: 1 << 16)

            // A fault for one name leaves the others alone; a standing fault stays until cleared.
            #expect(try await T.send(.PUT, url + T.profiles + "/q" + T.version, T.newProfile(relativeName: "q")).status == 201)
            server.faults.inject(.init(.status(409, code: "Conflict"), name: "Q"), on: .profilePut)
            #expect(try await T.send(.PUT, url + T.profiles + "/q" + T.version, T.newProfile(relativeName: "q")).status == 409)
            #expect(try await T.send(.PUT, url + T.profiles + "/q" + T.version, T.newProfile(relativeName: "q")).status == 409)
            #expect(try await T.send(.PUT, profile, T.newProfile(relativeName: "p")).status == 200)
            server.faults.clear(.profilePut)
            #expect(try await T.send(.PUT, url + T.profiles + "/q" + T.version, T.newProfile(relativeName: "q")).status == 200)

            // Latency: the answer comes, late.
            server.faults.inject(.init(.delay(.milliseconds(50)), times: 1), on: .profileDelete)
            #expect(try await T.send(.DELETE, profile).status == 200)
        }
    }

    @Test func tokensFromEachCredentialAndRoleAssignmentsPerResourceGroup() async throws {
        try await T.withServer { server, url in
            let identities = server.identities
            identities.register(clientID: "hub-app", tenant: "t1", credential: .clientSecret("s3cret"))
            identities.register(clientID: "member-wi", tenant: "t1", credential: .federated)
            identities.register(clientID: "member-mi", credential: .managed)
            identities.grant("hub-app", group: T.group, subscription: T.subscription)
            identities.requireAuthentication()
            let profile = url + T.profiles + "/p" + T.version

            // No token.
            let anonymous = try await T.send(.PUT, profile, T.newProfile(relativeName: "p"))
            #expect(anonymous.status == 401 && anonymous.errorCode == "AuthenticationFailed")

            // Client secret: wrong, then right (AAD's error shape, not ARM's).
            let wrong = try await Self.token(url, tenant: "t1", form: "grant_type=client_credentials&client_id=hub-app&client_secret=nope&scope=x")
            #expect(wrong.status == 401 && wrong.body?.objectValue?["error"]?.stringValue == "invalid_client")
            let hub = try await Self.token(url, tenant: "t1", form: "grant_type=client_credentials&client_id=hub-app&client_secret=s3cret&scope=x")
            #expect(hub.status == 200)
            #expect(hub.body?.objectValue?["token_type"]?.stringValue == "Bearer")
            #expect(hub.body?.objectValue?["expires_in"]?.intValue == 3599)
            let hubToken = try #require(hub.body?.objectValue?["access_token"]?.stringValue)
            #expect(try await Self.send(.PUT, profile, T.newProfile(relativeName: "p"), token: hubToken).status == 201)

            // Workload identity: a federated assertion; no role assignment yet ⇒ 403.
            let federated = try await Self.token(
                url, tenant: "t1",
                form: "grant_type=client_credentials&client_id=member-wi&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJ.sa.token&scope=x")
            let memberToken = try #require(federated.body?.objectValue?["access_token"]?.stringValue)
            let denied = try await Self.send(.GET, profile, token: memberToken)
            #expect(denied.status == 403 && denied.errorCode == "AuthorizationFailed")
            identities.grant("member-wi", group: T.group, subscription: T.subscription)
            #expect(try await Self.send(.GET, profile, token: memberToken).status == 200)

            // Managed identity through IMDS: the Metadata header is required; numbers are strings.
            let imds = url + "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.local%2F"
            #expect(try await T.send(.GET, imds).status == 400)
            var request = HTTPClientRequest(url: imds)
            request.headers.add(name: "Metadata", value: "true")
            let response = try await T.http.execute(request, timeout: .seconds(10))
            let managed = try JSONValue(parsing: Array(try await response.body.collect(upTo: 1 << 16).readableBytesView))
            #expect(response.status.code == 200)
            #expect(managed.objectValue?["expires_in"]?.stringValue == "3599")
            #expect(managed.objectValue?["client_id"]?.stringValue == "member-mi")

            // The hub may not read a public IP in a group it has no role in: linked authorization.
            server.store.putPublicIP(.init(name: "pip", ipAddress: "127.201.0.1", dnsLabel: "app"), group: "node-rg", subscription: T.subscription)
            let target = "/subscriptions/sub-1/resourceGroups/node-rg/providers/Microsoft.Network/publicIPAddresses/pip"
            let endpoint = url + T.profiles + "/p/AzureEndpoints/e" + T.version
            let linked = try await Self.send(.PUT, endpoint, T.endpoint(target: target), token: hubToken)
            #expect(linked.status == 403 && linked.errorCode == "LinkedAuthorizationFailed")
            identities.grant("hub-app", group: "node-rg", subscription: T.subscription)
            #expect(try await Self.send(.PUT, endpoint, T.endpoint(target: target), token: hubToken).status == 201)
            #expect(identities.tokensIssued == 3)

            // The cloud metadata names this server.
            let metadata = try await T.send(.GET, url + "/metadata/endpoints?api-version=2019-05-01")
            let cloud = metadata.body?.arrayValue?.first?.objectValue
            #expect(cloud?["resourceManager"]?.stringValue == url + "/")
            #expect(cloud?["authentication"]?.objectValue?["audiences"]?.arrayValue?.first?.stringValue == ARMServer.audience)
        }
    }

    static func token(_ url: String, tenant: String, form: String) async throws -> T.Answer {
        var request = HTTPClientRequest(url: url + "/\(tenant)/oauth2/v2.0/token")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await T.http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 16)
        return T.Answer(
            status: Int(response.status.code), body: try JSONValue(parsing: Array(bytes.readableBytesView)), errorCode: nil, headerCode: nil)
    }

    static func send(_ method: HTTPMethod, _ url: String, _ body: JSONValue? = nil, token: String) async throws -> T.Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body { request.body = .bytes(ByteBuffer(bytes: body.serialized())) }
        let response = try await T.http.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json: JSONValue? = bytes.readableBytes == 0 ? nil : try JSONValue(parsing: Array(bytes.readableBytesView))
        return T.Answer(
            status: Int(response.status.code), body: json,
            errorCode: json?.objectValue?["error"]?.objectValue?["code"]?.stringValue, headerCode: response.headers.first(name: "x-ms-error-code"))
    }
}
