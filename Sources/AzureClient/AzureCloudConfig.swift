import Foundation
import Yams

/// The Azure cloud configuration the managers read with the Traffic Manager feature on
/// (`--cloud-config`, default `/etc/kubernetes/provider/azure.json`; traffic-manager spec §8.1):
/// JSON or YAML, values whitespace-trimmed, then the AZURE_* environment applied on top as
/// azclient does (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE — which turns
/// workload identity on — and AZURE_AUTHORITY_HOST).
public struct AzureCloudConfig: Sendable, Equatable {
    public var cloud = ""
    public var tenantID = ""
    public var subscriptionID = ""
    public var resourceGroup = ""
    public var location = ""
    public var useManagedIdentityExtension = false
    public var userAssignedIdentityID = ""
    public var aadClientID = ""
    public var aadClientSecret = ""
    public var aadClientCertPath = ""
    public var aadFederatedTokenFile = ""
    public var useFederatedWorkloadIdentityExtension = false
    public var resourceManagerEndpoint = ""
    public var vnetName = ""
    public var vnetResourceGroup = ""
    /// From AZURE_AUTHORITY_HOST (the workload identity webhook sets it).
    public var authorityHost = ""

    public static let defaultPath = "/etc/kubernetes/provider/azure.json"

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let path: String
        public let reason: String
        public var description: String { "cloud config \(path): \(reason)" }
    }

    public init() {}

    /// Reads and validates `path`, with `environment` applied.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AzureCloudConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Invalid(path: path, reason: "cannot be read (\(error.localizedDescription)); pass --cloud-config with the path of azure.json")
        }
        var config = try parse(text, path: path)
        config.apply(environment: environment)
        try config.validate(path: path)
        return config
    }

    /// Parses JSON or YAML (JSON is YAML); unknown keys are ignored, as the reference does.
    public static func parse(_ text: String, path: String = "<cloud config>") throws -> AzureCloudConfig {
        let node: Any?
        do {
            node = try Yams.load(yaml: text)
        } catch {
            throw Invalid(path: path, reason: "is neither JSON nor YAML: \(error)")
        }
        guard let object = node as? [String: Any] else { throw Invalid(path: path, reason: "is not an object of settings") }
        func string(_ key: String) -> String {
            guard let value = object[key] else { return "" }
            return "\(value)".trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func bool(_ key: String) -> Bool {
            if let value = object[key] as? Bool { return value }
            return string(key).lowercased() == "true"
        }
        var config = AzureCloudConfig()
        config.cloud = string("cloud")
        config.tenantID = string("tenantId")
        config.subscriptionID = string("subscriptionId")
        config.resourceGroup = string("resourceGroup")
        config.location = string("location")
        config.useManagedIdentityExtension = bool("useManagedIdentityExtension")
        config.userAssignedIdentityID = string("userAssignedIdentityID")
        config.aadClientID = string("aadClientId")
        config.aadClientSecret = string("aadClientSecret")
        config.aadClientCertPath = string("aadClientCertPath")
        config.aadFederatedTokenFile = string("aadFederatedTokenFile")
        config.useFederatedWorkloadIdentityExtension = bool("useFederatedWorkloadIdentityExtension")
        config.resourceManagerEndpoint = string("resourceManagerEndpoint")
        config.vnetName = string("vnetName")
        config.vnetResourceGroup = string("vnetResourceGroup")
        if config.vnetResourceGroup.isEmpty { config.vnetResourceGroup = config.resourceGroup }
        return config
    }

    /// azclient's environment overrides.
    public mutating func apply(environment: [String: String]) {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
            return value
        }
        if let tenant = value("AZURE_TENANT_ID") { tenantID = tenant }
        if let client = value("AZURE_CLIENT_ID") { aadClientID = client }
        if let file = value("AZURE_FEDERATED_TOKEN_FILE") {
            aadFederatedTokenFile = file
            useFederatedWorkloadIdentityExtension = true
        }
        if let host = value("AZURE_AUTHORITY_HOST") { authorityHost = host }
    }

    /// The required keys, and a credential to use. Unlike the reference, a workload-identity
    /// configuration needs no `useManagedIdentityExtension: true` or dummy secret to pass.
    public func validate(path: String = "<cloud config>") throws {
        for (key, value) in [("cloud", cloud), ("subscriptionId", subscriptionID), ("resourceGroup", resourceGroup), ("location", location)]
        where value.isEmpty {
            throw Invalid(path: path, reason: "\(key) is required")
        }
        if AzureCloud.named(cloud) == nil && resourceManagerEndpoint.isEmpty {
            throw Invalid(
                path: path,
                reason: "cloud \"\(cloud)\" is not one of AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud; set resourceManagerEndpoint for another cloud")
        }
        if useFederatedWorkloadIdentityExtension {
            if aadClientID.isEmpty || tenantID.isEmpty || aadFederatedTokenFile.isEmpty {
                throw Invalid(path: path, reason: "workload identity needs aadClientId (or AZURE_CLIENT_ID), tenantId and a federated token file")
            }
        } else if !useManagedIdentityExtension {
            if !userAssignedIdentityID.isEmpty {
                throw Invalid(path: path, reason: "userAssignedIdentityID is set but useManagedIdentityExtension is false")
            }
            if aadClientID.isEmpty || aadClientSecret.isEmpty {
                throw Invalid(
                    path: path,
                    reason: "no credentials: set useManagedIdentityExtension, workload identity (AZURE_FEDERATED_TOKEN_FILE), or aadClientId and aadClientSecret")
            }
        }
    }
}

/// A cloud's endpoints: ARM, Azure AD, and the token audience.
public struct AzureCloud: Sendable, Equatable {
    public var resourceManagerEndpoint: String
    public var authorityHost: String
    public var audience: String

    public var scope: String { audience + ".default" }

    public static let publicCloud = AzureCloud(
        resourceManagerEndpoint: "https://management.azure.com", authorityHost: "https://login.microsoftonline.com/",
        audience: "https://management.core.windows.net/")
    public static let chinaCloud = AzureCloud(
        resourceManagerEndpoint: "https://management.chinacloudapi.cn", authorityHost: "https://login.chinacloudapi.cn/",
        audience: "https://management.core.chinacloudapi.cn/")
    public static let usGovernmentCloud = AzureCloud(
        resourceManagerEndpoint: "https://management.usgovcloudapi.net", authorityHost: "https://login.microsoftonline.us/",
        audience: "https://management.core.usgovcloudapi.net/")

    public static func named(_ name: String) -> AzureCloud? {
        switch name.lowercased() {
        case "azurepubliccloud", "azurecloud": publicCloud
        case "azurechinacloud": chinaCloud
        case "azureusgovernment", "azureusgovernmentcloud": usGovernmentCloud
        default: nil
        }
    }
}
