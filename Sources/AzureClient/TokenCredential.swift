import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore
import Synchronization

/// A bearer token for Azure Resource Manager and when it expires.
public struct AccessToken: Sendable, Equatable {
    public var token: String
    public var expiresOn: Date

    public init(token: String, expiresOn: Date) {
        self.token = token
        self.expiresOn = expiresOn
    }
}

/// Something that gets tokens for a scope (`<audience>/.default`), as azidentity's credentials do.
public protocol TokenCredential: Sendable {
    func fetchToken(scope: String) async throws -> AccessToken
}

/// Azure AD's client-credentials grant (traffic-manager spec §8.2): a client secret, or a
/// federated assertion read from a file at every request (workload identity: the kubelet
/// rotates the projected service-account token).
public struct AzureADCredential: TokenCredential {
    public enum Secret: Sendable {
        case clientSecret(String)
        case federatedTokenFile(String)
    }

    let authorityHost: String
    let tenantID: String
    let clientID: String
    let secret: Secret
    let http: HTTPClient

    /// - Parameter authorityHost: e.g. `https://login.microsoftonline.com/` (or a test server).
    public init(authorityHost: String, tenantID: String, clientID: String, secret: Secret, http: HTTPClient = .shared) {
        self.authorityHost = authorityHost.hasSuffix("/") ? authorityHost : authorityHost + "/"
        self.tenantID = tenantID
        self.clientID = clientID
        self.secret = secret
        self.http = http
    }

    public func fetchToken(scope: String) async throws -> AccessToken {
        var form = ["grant_type": "client_credentials", "client_id": clientID, "scope": scope]
        switch secret {
        case .clientSecret(let value):
            form["client_secret"] = value
        case .federatedTokenFile(let path):
            let assertion: String
            do {
                assertion = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw ARMClientError.authentication("cannot read the federated token file \(path): \(error)")
            }
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = assertion
        }
        let url = "\(authorityHost)\(tenantID)/oauth2/v2.0/token"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(form)))
        let json = try await TokenResponse.fetch(request, http: http, what: "Azure AD token for \(clientID)")
        guard let token = json["access_token"]?.stringValue, let lifetime = TokenResponse.seconds(json["expires_in"]) else {
            throw ARMClientError.authentication("Azure AD answered without access_token/expires_in")
        }
        return AccessToken(token: token, expiresOn: Date().addingTimeInterval(lifetime))
    }
}

/// A managed identity through the instance metadata service (IMDS): `GET
/// /metadata/identity/oauth2/token` with `Metadata: true`; a user-assigned identity by client id,
/// or by resource id when the value names one (`/subscriptions/…`).
public struct ManagedIdentityCredential: TokenCredential {
    let endpoint: String
    let identity: String?
    let http: HTTPClient

    public static let defaultEndpoint = "http://169.254.169.254"

    public init(endpoint: String = Self.defaultEndpoint, identity: String? = nil, http: HTTPClient = .shared) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.identity = identity?.isEmpty == true ? nil : identity
        self.http = http
    }

    public func fetchToken(scope: String) async throws -> AccessToken {
        let resource = scope.hasSuffix("/.default") ? String(scope.dropLast("/.default".count)) : scope
        var query = ["api-version": "2018-02-01", "resource": resource]
        if let identity {
            query[identity.lowercased().contains("/subscriptions/") ? "msi_res_id" : "client_id"] = identity
        }
        var request = HTTPClientRequest(url: "\(endpoint)/metadata/identity/oauth2/token?\(FormEncoding.encode(query))")
        request.headers.add(name: "Metadata", value: "true")
        let json = try await TokenResponse.fetch(request, http: http, what: "managed identity token")
        guard let token = json["access_token"]?.stringValue, let lifetime = TokenResponse.seconds(json["expires_in"]) else {
            throw ARMClientError.authentication("IMDS answered without access_token/expires_in")
        }
        return AccessToken(token: token, expiresOn: Date().addingTimeInterval(lifetime))
    }
}

/// Tokens cached per scope and fetched again before they expire (azcore's bearer-token policy):
/// once less than five minutes, or less than half the token's life, is left — or `refreshMargin`
/// when given.
public final class CachingCredential: TokenCredential {
    private let source: any TokenCredential
    private let refreshMargin: TimeInterval?
    private let cache = Mutex<[String: (token: AccessToken, issued: Date)]>([:])

    public init(_ source: any TokenCredential, refreshMargin: Duration? = nil) {
        self.source = source
        self.refreshMargin = refreshMargin.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
    }

    public func fetchToken(scope: String) async throws -> AccessToken {
        let now = Date()
        if let cached = cache.withLock({ $0[scope] }) {
            let life = cached.token.expiresOn.timeIntervalSince(cached.issued)
            let margin = refreshMargin ?? min(300, life / 2)
            if cached.token.expiresOn.timeIntervalSince(now) > margin { return cached.token }
        }
        let token = try await source.fetchToken(scope: scope)
        cache.withLock { $0[scope] = (token, now) }
        return token
    }
}

enum TokenResponse {
    static func fetch(_ request: HTTPClientRequest, http: HTTPClient, what: String) async throws -> [String: JSONValue] {
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw ARMClientError.authentication("no answer for the \(what) from \(request.url): \(error)")
        }
        let body = Array(bytes.readableBytesView)
        guard response.status.code == 200 else {
            let (code, message) = ARMClientError.parse(body, headerCode: nil)
            throw ARMClientError.authentication("the \(what) was refused (\(response.status.code) \(code)): \(message)")
        }
        guard let object = (try? JSONValue(parsing: body))?.objectValue else {
            throw ARMClientError.authentication("the \(what) is not a JSON object")
        }
        return object
    }

    /// `expires_in`: a number from Azure AD, a string from IMDS.
    static func seconds(_ value: JSONValue?) -> TimeInterval? {
        if let number = value?.intValue { return TimeInterval(number) }
        return value?.stringValue.flatMap(TimeInterval.init)
    }
}

enum FormEncoding {
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ fields: [String: String]) -> String {
        fields.sorted { $0.key < $1.key }.map { "\(escape($0.key))=\(escape($0.value))" }.joined(separator: "&")
    }

    static func escape(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
