import AsyncHTTPClient
import Foundation
import KubeClient
import KubeModel
import Logging
import NIOCore
import NIOHTTP1

/// The Azure Resource Manager calls of the Traffic Manager feature (traffic-manager spec §1–§3):
/// Traffic Manager profiles and their Azure endpoints on the hub, public IP lists on members.
/// Every call carries `api-version`, a bearer token from the credential, a `User-Agent` and an
/// `x-ms-client-request-id`; throttling (429), 408 and 5xx answers and calls that got no answer
/// are retried (three times by default, as azcore), honouring `Retry-After`. Bodies are
/// `JSONValue`s: an update sends back what a GET returned, unknown fields included.
public final class ARMClient: Sendable {
    public struct Configuration: Sendable {
        /// e.g. `https://management.azure.com` (public cloud).
        public var resourceManagerEndpoint: String
        /// The token scope: the ARM audience + `.default`.
        public var scope: String
        public var userAgent: String
        /// Retries after the first attempt.
        public var maxRetries: Int
        /// Exponential backoff between retries when the answer does not say how long to wait.
        public var backoff: Backoff
        /// Longest `Retry-After` honoured; a longer one fails the call at once.
        public var maximumRetryAfter: Duration
        public var timeout: Duration

        public init(
            resourceManagerEndpoint: String = "https://management.azure.com",
            scope: String = "https://management.core.windows.net//.default", userAgent: String = "fleet-networking",
            maxRetries: Int = 3, backoff: Backoff = Backoff(duration: .milliseconds(800), factor: 2, jitter: 0.2, steps: 4, cap: .seconds(60)),
            maximumRetryAfter: Duration = .seconds(60), timeout: Duration = .seconds(30)
        ) {
            self.resourceManagerEndpoint =
                resourceManagerEndpoint.hasSuffix("/") ? String(resourceManagerEndpoint.dropLast()) : resourceManagerEndpoint
            self.scope = scope
            self.userAgent = userAgent
            self.maxRetries = maxRetries
            self.backoff = backoff
            self.maximumRetryAfter = maximumRetryAfter
            self.timeout = timeout
        }
    }

    public static let trafficManagerAPIVersion = "2022-04-01"
    public static let networkAPIVersion = "2023-05-01"

    public let configuration: Configuration
    private let credential: (any TokenCredential)?
    private let http: HTTPClient
    private let logger: Logger

    /// - Parameter credential: nil sends no `Authorization` (test servers that do not ask).
    public init(configuration: Configuration, credential: (any TokenCredential)?, http: HTTPClient = .shared, logger: Logger) {
        self.configuration = configuration
        self.credential = credential
        self.http = http
        self.logger = logger
    }

    // MARK: Traffic Manager

    public func getProfile(subscription: String, group: String, name: String) async throws -> JSONValue {
        try await send(.GET, profilePath(subscription, group, name), version: Self.trafficManagerAPIVersion, expect: [200])
    }

    /// Creates or replaces a profile; `body` is the whole profile (PUT semantics).
    public func putProfile(subscription: String, group: String, name: String, body: JSONValue) async throws -> JSONValue {
        try await send(.PUT, profilePath(subscription, group, name), version: Self.trafficManagerAPIVersion, body: body, expect: [200, 201])
    }

    public func deleteProfile(subscription: String, group: String, name: String) async throws {
        _ = try await send(.DELETE, profilePath(subscription, group, name), version: Self.trafficManagerAPIVersion, expect: [200, 202, 204])
    }

    public func putEndpoint(subscription: String, group: String, profile: String, name: String, body: JSONValue) async throws -> JSONValue {
        try await send(
            .PUT, profilePath(subscription, group, profile) + "/AzureEndpoints/\(Self.escape(name))",
            version: Self.trafficManagerAPIVersion, body: body, expect: [200, 201])
    }

    public func deleteEndpoint(subscription: String, group: String, profile: String, name: String) async throws {
        _ = try await send(
            .DELETE, profilePath(subscription, group, profile) + "/AzureEndpoints/\(Self.escape(name))",
            version: Self.trafficManagerAPIVersion, expect: [200, 202, 204])
    }

    // MARK: Network

    /// Every public IP of the resource group, following `nextLink` page by page.
    public func listPublicIPs(subscription: String, group: String) async throws -> [JSONValue] {
        var items: [JSONValue] = []
        var page = try await send(
            .GET, "/subscriptions/\(Self.escape(subscription))/resourceGroups/\(Self.escape(group))/providers/Microsoft.Network/publicIPAddresses",
            version: Self.networkAPIVersion, expect: [200])
        var pages = 1
        while true {
            items += page.objectValue?["value"]?.arrayValue ?? []
            guard let next = page.objectValue?["nextLink"]?.stringValue, !next.isEmpty else { return items }
            pages += 1
            guard pages <= 1_000 else {
                throw ARMClientError.malformed(method: "GET", url: next, reason: "more than 1,000 pages of public IPs")
            }
            page = try await send(.GET, absoluteURL: next, expect: [200])
        }
    }

    // MARK: Requests

    private func profilePath(_ subscription: String, _ group: String, _ name: String) -> String {
        "/subscriptions/\(Self.escape(subscription))/resourceGroups/\(Self.escape(group))/providers/Microsoft.Network/trafficmanagerprofiles/\(Self.escape(name))"
    }

    private func send(_ method: HTTPMethod, _ path: String, version: String, body: JSONValue? = nil, expect: Set<Int>) async throws -> JSONValue {
        try await send(method, absoluteURL: "\(configuration.resourceManagerEndpoint)\(path)?api-version=\(version)", body: body, expect: expect)
    }

    private func send(_ method: HTTPMethod, absoluteURL url: String, body: JSONValue? = nil, expect: Set<Int>) async throws -> JSONValue {
        let requestID = UUID().uuidString.lowercased()
        let bytes = body.map { $0.serialized() }
        var attempt = 0
        while true {
            attempt += 1
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: configuration.userAgent)
            request.headers.add(name: "x-ms-client-request-id", value: requestID)
            if let credential {
                let token: AccessToken
                do {
                    token = try await credential.fetchToken(scope: configuration.scope)
                } catch let error as ARMClientError {
                    throw error
                } catch {
                    throw ARMClientError.authentication("\(error)")
                }
                request.headers.add(name: "Authorization", value: "Bearer \(token.token)")
            }
            if let bytes {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: bytes))
            }
            let outcome: Result<(HTTPClientResponse, [UInt8]), ARMClientError>
            do {
                let response = try await http.execute(request, timeout: .init(configuration.timeout))
                let collected = try await response.body.collect(upTo: 16 << 20)
                outcome = .success((response, Array(collected.readableBytesView)))
            } catch {
                outcome = .failure(.transport(method: method.rawValue, url: url, underlying: "\(error)"))
            }
            let retryAfter: Duration?
            switch outcome {
            case .success(let (response, data)):
                let status = Int(response.status.code)
                if expect.contains(status) {
                    if data.isEmpty { return .null }
                    do {
                        return try JSONValue(parsing: data)
                    } catch {
                        throw ARMClientError.malformed(method: method.rawValue, url: url, reason: "not JSON: \(error)")
                    }
                }
                let (code, message) = ARMClientError.parse(data, headerCode: response.headers.first(name: "x-ms-error-code"))
                let failure = ARMClientError.response(
                    status: status, code: code, message: message, method: method.rawValue, url: url, requestID: requestID)
                guard Self.isRetriable(status), attempt <= configuration.maxRetries else { throw failure }
                retryAfter = Self.retryAfter(response.headers)
                if let retryAfter, retryAfter > configuration.maximumRetryAfter { throw failure }
                logger.debug("retrying", metadata: ["method": "\(method.rawValue)", "url": "\(url)", "status": "\(status)", "attempt": "\(attempt)"])
            case .failure(let failure):
                guard attempt <= configuration.maxRetries else { throw failure }
                retryAfter = nil
                logger.debug("retrying", metadata: ["method": "\(method.rawValue)", "url": "\(url)", "error": "\(failure)", "attempt": "\(attempt)"])
            }
            try await Task.sleep(for: retryAfter ?? configuration.backoff.delay(afterAttempt: attempt))
        }
    }

    /// azcore's retried statuses.
    static func isRetriable(_ status: Int) -> Bool { [408, 429, 500, 502, 503, 504].contains(status) }

    /// `retry-after-ms`, `x-ms-retry-after-ms`, then `Retry-After` in seconds.
    static func retryAfter(_ headers: HTTPHeaders) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let value = headers.first(name: name).flatMap(Int64.init) { return .milliseconds(value) }
        }
        if let value = headers.first(name: "Retry-After").flatMap(Int64.init) { return .seconds(value) }
        return nil
    }

    /// Go's `url.PathEscape`: one path segment, `#` as `%23`, `/` escaped.
    static func escape(_ segment: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@")
        return segment.addingPercentEncoding(withAllowedCharacters: allowed) ?? segment
    }
}
