import AsyncHTTPClient
import Foundation
import KubeModel
import NIOCore

/// From a cloud config to what ARM calls need: the cloud's endpoints (named, or read from
/// `{resourceManagerEndpoint}/metadata/endpoints` for another cloud) and a cached credential
/// chosen as azclient chooses (traffic-manager spec §8.2): workload identity, then managed
/// identity, then client secret.
public enum AzureConnection {
    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    public static func make(
        _ config: AzureCloudConfig, userAgent: String, imdsEndpoint: String = ManagedIdentityCredential.defaultEndpoint,
        http: HTTPClient = .shared
    ) async throws -> (configuration: ARMClient.Configuration, credential: any TokenCredential) {
        var cloud: AzureCloud
        if !config.resourceManagerEndpoint.isEmpty {
            cloud = try await metadata(config.resourceManagerEndpoint, http: http)
        } else if let named = AzureCloud.named(config.cloud) {
            cloud = named
        } else {
            throw Unsupported(description: "unknown cloud \"\(config.cloud)\" and no resourceManagerEndpoint")
        }
        if !config.authorityHost.isEmpty { cloud.authorityHost = config.authorityHost }
        let source: any TokenCredential
        if config.useFederatedWorkloadIdentityExtension {
            source = AzureADCredential(
                authorityHost: cloud.authorityHost, tenantID: config.tenantID, clientID: config.aadClientID,
                secret: .federatedTokenFile(config.aadFederatedTokenFile), http: http)
        } else if config.useManagedIdentityExtension {
            source = ManagedIdentityCredential(endpoint: imdsEndpoint, identity: config.userAssignedIdentityID, http: http)
        } else if !config.aadClientSecret.isEmpty {
            source = AzureADCredential(
                authorityHost: cloud.authorityHost, tenantID: config.tenantID, clientID: config.aadClientID,
                secret: .clientSecret(config.aadClientSecret), http: http)
        } else if !config.aadClientCertPath.isEmpty {
            throw Unsupported(description: "client certificate credentials (aadClientCertPath) are not supported; use workload identity, a managed identity or a client secret")
        } else {
            throw Unsupported(description: "no credentials provided for Azure cloud provider")
        }
        return (
            ARMClient.Configuration(resourceManagerEndpoint: cloud.resourceManagerEndpoint, scope: cloud.scope, userAgent: userAgent),
            CachingCredential(source)
        )
    }

    /// A cloud's endpoints from its metadata (plain GET, no authentication).
    static func metadata(_ endpoint: String, http: HTTPClient) async throws -> AzureCloud {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        let url = "\(base)/metadata/endpoints?api-version=2019-05-01"
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw ARMClientError.transport(method: "GET", url: url, underlying: "\(error)")
        }
        guard response.status.code == 200, let json = try? JSONValue(parsing: Array(body.readableBytesView)) else {
            throw ARMClientError.malformed(method: "GET", url: url, reason: "cloud metadata answered \(response.status.code)")
        }
        let entries = json.arrayValue ?? [json]
        let entry =
            entries.first { ($0.objectValue?["resourceManager"]?.stringValue ?? "").hasPrefix(base) } ?? entries.first
        guard let object = entry?.objectValue, let manager = object["resourceManager"]?.stringValue,
            let authentication = object["authentication"]?.objectValue,
            let login = authentication["loginEndpoint"]?.stringValue,
            let audience = authentication["audiences"]?.arrayValue?.first?.stringValue
        else {
            throw ARMClientError.malformed(method: "GET", url: url, reason: "no resourceManager, loginEndpoint and audiences in the cloud metadata")
        }
        return AzureCloud(
            resourceManagerEndpoint: manager.hasSuffix("/") ? String(manager.dropLast()) : manager, authorityHost: login,
            audience: audience.hasSuffix("/") ? audience : audience + "/")
    }
}
