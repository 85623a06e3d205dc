import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

// The HTTP front of the ARM-compatible server: the Traffic Manager profile and endpoint routes
// and the public IP list of traffic-manager spec §2, answering with Azure's JSON shapes and
// error envelopes. Every request is logged in the store with its api-version (recorded, not
// enforced, as the spec asks).

struct ARMResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: ARMStore
    let faults: ARMFaults
    let identities: ARMIdentities
    /// Public IPs per page of the list (Azure pages with `nextLink`).
    let pageSize: Int

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let query = Self.parseQuery(request.uri.query)
        var status: HTTPResponse.Status
        var body: JSONValue?
        var extraHeaders = HTTPFields()
        do {
            (status, body) = try await handle(request, query: query, headers: &extraHeaders)
        } catch let error as ARMError {
            status = HTTPResponse.Status(code: error.status)
            body = Self.isTokenRoute(request.uri.path)
                ? .object(["error": .string(error.code), "error_description": .string(error.message)]) : error.body
            if error.status == 429, extraHeaders[.retryAfter] == nil { extraHeaders[.retryAfter] = "1" }
        }
        store.log(
            ARMStore.Request(method: request.method.rawValue, path: request.uri.path, apiVersion: query["api-version"], status: status.code))
        var headers = extraHeaders
        headers[.contentType] = "application/json; charset=utf-8"
        if let code = body?.objectValue?["error"]?.objectValue?["code"]?.stringValue, let name = HTTPField.Name("x-ms-error-code") {
            headers[name] = code
        }
        let bytes = body.map { ByteBuffer(bytes: $0.serialized()) } ?? ByteBuffer()
        return Response(status: status, headers: headers, body: .init(byteBuffer: bytes))
    }

    static func isTokenRoute(_ path: String) -> Bool {
        path.lowercased().hasSuffix("/oauth2/v2.0/token") || path.lowercased().hasPrefix("/metadata/identity/")
    }

    /// Applies the fault injected on `route` for `name`, if any; returns the answer that replaces
    /// the store's.
    private func meetFault(
        _ route: ARMFaults.Route, name: String?, headers: inout HTTPFields
    ) async throws -> (HTTPResponse.Status, JSONValue?)? {
        switch faults.take(route, name: name) {
        case nil: return nil
        case .delay(let duration):
            try await Task.sleep(for: duration)
            return nil
        case .answer(let status, let body): return (HTTPResponse.Status(code: status), body)
        case .status(let status, let code):
            throw ARMError(status: status, code: code, message: "Injected failure: \(status) \(code).")
        case .throttled(let seconds):
            headers[.retryAfter] = String(seconds)
            throw ARMError(status: 429, code: "TooManyRequests", message: "Too many requests; retry after \(seconds) s.")
        }
    }

    private func handle(_ request: Request, query: [String: String], headers: inout HTTPFields) async throws -> (HTTPResponse.Status, JSONValue?) {
        var request = request
        let bodyBytes = try await request.collectBody(upTo: 4 << 20)
        if let answer = try await identityRoute(request, query: query, body: bodyBytes, headers: &headers) { return answer }
        guard let path = ARMPath(request.uri.path) else {
            throw ARMError(status: 404, code: "InvalidResourceType", message: "No route for \(request.method.rawValue) \(request.uri.path).")
        }
        let route: ARMFaults.Route?
        let name: String?
        let scope: (subscription: String, group: String)
        switch (path, request.method) {
        case (.profile(let subscription, let group, let profile), let method):
            route = method == .get ? .profileGet : method == .put ? .profilePut : method == .delete ? .profileDelete : nil
            name = profile
            scope = (subscription, group)
        case (.endpoint(let subscription, let group, _, let endpoint), let method):
            route = method == .put ? .endpointPut : method == .delete ? .endpointDelete : nil
            name = endpoint
            scope = (subscription, group)
        case (.publicIPs(let subscription, let group), _):
            route = .publicIPList
            name = nil
            scope = (subscription, group)
        }
        var injected: (HTTPResponse.Status, JSONValue?)?
        if let route { injected = try await meetFault(route, name: name, headers: &headers) }
        try identities.authorize(request.headers[.authorization], subscription: scope.subscription, group: scope.group)
        if let injected { return injected }
        func body() throws(ARMError) -> JSONValue {
            do {
                return try JSONValue(parsing: Array(bodyBytes.readableBytesView))
            } catch {
                throw .badRequest("InvalidRequestContent", "The request content is not valid JSON: \(error)")
            }
        }
        switch (path, request.method) {
        case (.profile(let subscription, let group, let name), .get):
            return (.ok, Self.render(try store.getProfile(subscription: subscription, group: group, name: name)))
        case (.profile(let subscription, let group, let name), .put):
            let (profile, created) = try store.putProfile(subscription: subscription, group: group, name: name, body: try body())
            return (created ? .created : .ok, Self.render(profile))
        case (.profile(let subscription, let group, let name), .delete):
            return (try store.deleteProfile(subscription: subscription, group: group, name: name) ? .ok : .noContent, nil)
        case (.endpoint(let subscription, let group, let profile, let name), .put):
            let endpointBody = try body()
            // Azure checks that the caller may read the target public IP, in its own group.
            if let target = endpointBody.objectValue?["properties"]?.objectValue?["targetResourceId"]?.stringValue,
                let targetScope = ARMPath.resourceGroup(of: target)
            {
                try identities.authorize(
                    request.headers[.authorization], subscription: targetScope.subscription, group: targetScope.group, linked: true)
            }
            let (owner, endpoint, created) = try store.putEndpoint(
                subscription: subscription, group: group, profile: profile, name: name, body: endpointBody)
            return (created ? .created : .ok, Self.render(endpoint, of: owner))
        case (.endpoint(let subscription, let group, let profile, let name), .delete):
            return (try store.deleteEndpoint(subscription: subscription, group: group, profile: profile, name: name) ? .ok : .noContent, nil)
        case (.publicIPs(let subscription, let group), .get):
            let listed = try store.listPublicIPs(subscription: subscription, group: group)
            let start = max(0, Int(query["$skipToken"] ?? "") ?? 0)
            let page = listed.ips.dropFirst(start).prefix(pageSize)
            var object: [String: JSONValue] = [
                "value": .array(page.map { Self.render($0, subscription: listed.subscription, group: listed.group) })
            ]
            if start + page.count < listed.ips.count {
                let authority = request.head.authority ?? "127.0.0.1"
                var next = "http://\(authority)\(request.uri.path)?"
                if let version = query["api-version"] { next += "api-version=\(version)&" }
                object["nextLink"] = .string(next + "$skipToken=\(start + page.count)")
            }
            return (.ok, .object(object))
        default:
            throw ARMError(
                status: 405, code: "MethodNotAllowed", message: "The method \(request.method.rawValue) is not allowed on \(request.uri.path).")
        }
    }

    // MARK: Tokens and metadata (§8)

    /// The Azure AD token endpoint, IMDS and the cloud metadata; nil for any other path.
    private func identityRoute(
        _ request: Request, query: [String: String], body: ByteBuffer, headers: inout HTTPFields
    ) async throws -> (HTTPResponse.Status, JSONValue?)? {
        let path = request.uri.path
        let segments = path.split(separator: "/").map(String.init)
        if request.method == .post, segments.count == 4, segments[1...].map({ $0.lowercased() }) == ["oauth2", "v2.0", "token"] {
            try await meetFault(.token, name: nil, headers: &headers)
            let form = Self.parseQuery(String(buffer: body).replacingOccurrences(of: "+", with: " "))
            guard form["grant_type"] == "client_credentials", let client = form["client_id"] else {
                throw ARMError(status: 400, code: "invalid_request", message: "Expected grant_type=client_credentials and a client_id.")
            }
            let presented: ARMIdentities.Credential
            if let secret = form["client_secret"] {
                presented = .clientSecret(secret)
            } else if form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
                presented = .federated
            } else {
                throw ARMError(status: 400, code: "invalid_request", message: "Expected a client_secret or a client_assertion.")
            }
            let (token, lifetime) = try identities.issue(
                clientID: client, tenant: segments[0], presented: presented, assertion: form["client_assertion"]
            ).get()
            return (
                .ok,
                .object([
                    "token_type": "Bearer", "expires_in": .int(Int64(lifetime)), "ext_expires_in": .int(Int64(lifetime)),
                    "access_token": .string(token),
                ])
            )
        }
        if request.method == .get, path.lowercased() == "/metadata/identity/oauth2/token" {
            try await meetFault(.token, name: nil, headers: &headers)
            guard request.headers[HTTPField.Name("Metadata")!]?.lowercased() == "true" else {
                throw ARMError(status: 400, code: "invalid_request", message: "Required metadata header not specified")
            }
            guard let client = query["client_id"] ?? identities.onlyManagedIdentity() else {
                throw ARMError(status: 400, code: "invalid_request", message: "No managed identity (client_id) was given or found.")
            }
            let (token, lifetime) = try identities.issue(clientID: client, tenant: nil, presented: .managed).get()
            return (
                .ok,
                .object([
                    "access_token": .string(token), "client_id": .string(client), "expires_in": .string(String(lifetime)),
                    "expires_on": .string(String(Int(Date().timeIntervalSince1970) + lifetime)),
                    "resource": .string(query["resource"] ?? ""), "token_type": "Bearer",
                ])
            )
        }
        if request.method == .get, path.lowercased() == "/metadata/endpoints" {
            let base = "http://\(request.head.authority ?? "127.0.0.1")/"
            return (
                .ok,
                .array([
                    .object([
                        "name": "AzureLocalFleet", "resourceManager": .string(base),
                        "authentication": .object(["loginEndpoint": .string(base), "audiences": .array([.string(ARMServer.audience)])]),
                    ])
                ])
            )
        }
        return nil
    }

    // MARK: Rendering (Azure's response shapes, §2.1–2.3)

    static func render(_ profile: ARMStore.Profile) -> JSONValue {
        var properties = profile.properties
        var dns = properties["dnsConfig"]?.objectValue ?? [:]
        dns["fqdn"] = .string(profile.fqdn)
        properties["dnsConfig"] = .object(dns)
        if var monitor = properties["monitorConfig"]?.objectValue {
            monitor["profileMonitorStatus"] = .string(Self.profileMonitorStatus(profile))
            properties["monitorConfig"] = .object(monitor)
        }
        if properties["trafficViewEnrollmentStatus"] == nil { properties["trafficViewEnrollmentStatus"] = .string("Disabled") }
        properties["endpoints"] = .array(profile.endpoints.map { render($0, of: profile) })
        return .object([
            "id": .string(ARMStore.profileID(subscription: profile.subscription, group: profile.group, name: profile.name)),
            "name": .string(profile.name), "type": .string("Microsoft.Network/trafficManagerProfiles"),
            "location": .string(profile.location), "tags": .object(profile.tags.mapValues { .string($0) }),
            "properties": .object(properties),
        ])
    }

    /// `Inactive` without enabled endpoints, `Degraded` when every enabled one is, else `Online`.
    static func profileMonitorStatus(_ profile: ARMStore.Profile) -> String {
        let enabled = profile.endpoints.filter { $0.status == "Enabled" }
        if enabled.isEmpty { return "Inactive" }
        return enabled.allSatisfy { $0.monitorStatus == "Degraded" } ? "Degraded" : "Online"
    }

    static func render(_ endpoint: ARMStore.Endpoint, of profile: ARMStore.Profile) -> JSONValue {
        .object([
            "id": .string(
                ARMStore.profileID(subscription: profile.subscription, group: profile.group, name: profile.name) + "/azureEndpoints/\(endpoint.name)"),
            "name": .string(endpoint.name), "type": .string("Microsoft.Network/trafficManagerProfiles/azureEndpoints"),
            "properties": .object([
                "targetResourceId": .string(endpoint.targetResourceID), "target": .string(endpoint.target),
                "endpointStatus": .string(endpoint.status), "weight": .int(Int64(endpoint.weight)),
                "endpointLocation": .string(endpoint.location),
                "endpointMonitorStatus": .string(endpoint.status == "Enabled" ? endpoint.monitorStatus ?? "Online" : "Disabled"),
            ]),
        ])
    }

    static func render(_ ip: ARMStore.PublicIP, subscription: String, group: String) -> JSONValue {
        var dns: [String: JSONValue] = [:]
        if let label = ip.dnsLabel { dns["domainNameLabel"] = .string(label) }
        if let fqdn = ip.fqdn { dns["fqdn"] = .string(fqdn) }
        var properties: [String: JSONValue] = ["ipAddress": .string(ip.ipAddress)]
        if !dns.isEmpty { properties["dnsSettings"] = .object(dns) }
        return .object([
            "id": .string(ARMStore.publicIPID(subscription: subscription, group: group, name: ip.name)),
            "name": .string(ip.name), "type": .string("Microsoft.Network/publicIPAddresses"), "location": .string(ip.location),
            "properties": .object(properties),
        ])
    }

    /// `a=b&c=d`, percent-decoded; `$skipToken` and `api-version` are all this server reads.
    static func parseQuery(_ query: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let key = parts.first else { continue }
            result[ARMPath.decode(String(key))] = parts.count > 1 ? ARMPath.decode(String(parts[1])) : ""
        }
        return result
    }
}
