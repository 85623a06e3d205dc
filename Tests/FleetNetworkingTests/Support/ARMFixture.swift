import ARMServer
import AsyncHTTPClient
import AzureClient
import Foundation
import ServiceLifecycle

// The ARM-compatible server of the Traffic Manager tests with a client that authenticates as one
// identity (client secret, tenant t1), over its own HTTP client that is shut down before the server
// stops, so that no connection is being accepted while the server shuts down.

enum ARMFixture {
    static let subscription = "sub-1"
    static let tenant = "t1"

    /// Runs an ARM server whose store has `groups`, with `clientID` registered and granted a role
    /// in `granted`, and an ARM client (no retries) for that identity, while `body` runs.
    static func run<T: Sendable>(
        groups: [String], clientID: String, granted: [String], userAgent: String,
        _ body: @Sendable (ARMServer, ARMClient) async throws -> T
    ) async throws -> T {
        let identities = ARMIdentities()
        identities.register(clientID: clientID, tenant: tenant, credential: .clientSecret("s3cret"))
        for group in granted { identities.grant(clientID, group: group, subscription: subscription) }
        identities.requireAuthentication()
        let store = ARMStore()
        for group in groups { store.addResourceGroup(group, subscription: subscription) }
        let server = ARMServer(store: store, identities: identities, logger: FleetTestbed.quiet)
        let services = ServiceGroup(configuration: .init(services: [.init(service: server)], logger: FleetTestbed.quiet))
        let serving = Task { try await services.run() }
        defer { serving.cancel() }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let outcome: Result<T, any Error>
        do {
            let url = try await server.url()
            let arm = ARMClient(
                configuration: .init(
                    resourceManagerEndpoint: url, scope: ARMServer.audience + ".default", userAgent: userAgent, maxRetries: 0),
                credential: CachingCredential(
                    AzureADCredential(authorityHost: url, tenantID: tenant, clientID: clientID, secret: .clientSecret("s3cret"), http: http)),
                http: http, logger: FleetTestbed.quiet)
            outcome = .success(try await body(server, arm))
        } catch {
            outcome = .failure(error)
        }
        try? await http.shutdown()
        await services.triggerGracefulShutdown()
        _ = await serving.result
        return try outcome.get()
    }
}
