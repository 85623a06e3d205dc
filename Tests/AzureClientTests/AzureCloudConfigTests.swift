import ARMServer
import AsyncHTTPClient
import AzureClient
import Foundation
import Testing

// azure.json as the managers read it: JSON or YAML, trimmed values, the AZURE_* environment on
// top, errors that name the key; and the connection made from it: the cloud's endpoints (named,
// or from a custom cloud's metadata) and the credential azclient would choose.

@Suite struct AzureCloudConfigTests {
    static let json = """
        {"cloud": "AzurePublicCloud", "tenantId": " t1 ", "subscriptionId": "sub-1", "resourceGroup": "fleet-rg",
         "location": "eastus", "aadClientId": "hub-app", "aadClientSecret": "s3cret", "unknownKey": 1}
        """

    @Test func jsonAndYamlReadAlikeTrimmedWithTheEnvironmentOnTop() throws {
        let fromJSON = try AzureCloudConfig.parse(Self.json)
        let fromYAML = try AzureCloudConfig.parse(
            """
            cloud: AzurePublicCloud
            tenantId: t1
            subscriptionId: sub-1
            resourceGroup: fleet-rg
            location: eastus
            aadClientId: hub-app
            aadClientSecret: s3cret
            """)
        #expect(fromJSON == fromYAML)
        #expect(fromJSON.tenantID == "t1" && fromJSON.vnetResourceGroup == "fleet-rg")
        try fromJSON.validate()

        var workload = fromJSON
        workload.apply(environment: [
            "AZURE_TENANT_ID": "t2", "AZURE_CLIENT_ID": "member-wi", "AZURE_FEDERATED_TOKEN_FILE": "/var/run/secrets/azure/tokens/azure-identity-token",
            "AZURE_AUTHORITY_HOST": "https://login.example/",
        ])
        #expect(workload.tenantID == "t2" && workload.aadClientID == "member-wi")
        #expect(workload.useFederatedWorkloadIdentityExtension && workload.authorityHost == "https://login.example/")
        // Workload identity needs no secret and no useManagedIdentityExtension (the reference does).
        workload.aadClientSecret = ""
        try workload.validate()
    }

    @Test(arguments: [
        ("{\"cloud\": \"AzurePublicCloud\", \"resourceGroup\": \"g\", \"location\": \"l\", \"aadClientId\": \"a\", \"aadClientSecret\": \"s\"}", "subscriptionId is required"),
        ("{\"cloud\": \"Moon\", \"subscriptionId\": \"s\", \"resourceGroup\": \"g\", \"location\": \"l\", \"useManagedIdentityExtension\": true}", "set resourceManagerEndpoint"),
        ("{\"cloud\": \"AzureCloud\", \"subscriptionId\": \"s\", \"resourceGroup\": \"g\", \"location\": \"l\"}", "no credentials"),
        ("{\"cloud\": \"AzureCloud\", \"subscriptionId\": \"s\", \"resourceGroup\": \"g\", \"location\": \"l\", \"userAssignedIdentityID\": \"x\", \"aadClientId\": \"a\", \"aadClientSecret\": \"s\"}", "useManagedIdentityExtension is false"),
        ("[1, 2]", "not an object"),
        ("{\"cloud\": [", "neither JSON nor YAML"),
    ])
    func invalidConfigsSayWhatIsWrong(text: String, expected: String) throws {
        let error = #expect(throws: AzureCloudConfig.Invalid.self) {
            try AzureCloudConfig.parse(text, path: "azure.json").validate(path: "azure.json")
        }
        #expect(error?.description.contains(expected) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("cloud config azure.json:") == true)
    }

    @Test func aMissingFileNamesTheFlag() {
        let error = #expect(throws: AzureCloudConfig.Invalid.self) {
            _ = try AzureCloudConfig.load(path: "/nonexistent/azure.json", environment: [:])
        }
        #expect(error?.description.contains("--cloud-config") == true)
    }

    @Test func aCustomCloudsEndpointsComeFromItsMetadataAndItsCredentialWorks() async throws {
        let identities = ARMIdentities()
        identities.register(clientID: "hub-app", tenant: "t1", credential: .clientSecret("s3cret"))
        identities.grant("hub-app", group: ARMClientTests.group, subscription: ARMClientTests.subscription)
        identities.requireAuthentication()
        try await ARMClientTests.withServer(identities: identities) { server, url in
            var config = try AzureCloudConfig.parse(Self.json)
            config.cloud = "AzureLocalFleet"
            config.resourceManagerEndpoint = url
            try config.validate()
            let (configuration, credential) = try await AzureConnection.make(config, userAgent: "fleet-hub-net-controller-manager", http: ARMClientTests.http)
            #expect(configuration.resourceManagerEndpoint == url)
            #expect(configuration.scope == ARMServer.audience + ".default")
            let client = ARMClient(configuration: configuration, credential: credential, http: ARMClientTests.http, logger: ARMClientTests.quiet)
            server.store.putPublicIP(.init(name: "pip", ipAddress: "127.201.0.1"), group: ARMClientTests.group, subscription: ARMClientTests.subscription)
            #expect(try await client.listPublicIPs(subscription: config.subscriptionID, group: config.resourceGroup).count == 1)

            // A managed identity goes to IMDS; a certificate is refused with the reason.
            var managed = config
            managed.aadClientSecret = ""
            managed.useManagedIdentityExtension = true
            identities.register(clientID: "mi", credential: .managed)
            identities.grant("mi", group: ARMClientTests.group, subscription: ARMClientTests.subscription)
            let (_, imds) = try await AzureConnection.make(managed, userAgent: "x", imdsEndpoint: url, http: ARMClientTests.http)
            #expect(try await imds.fetchToken(scope: configuration.scope).token.hasPrefix("token-"))
            var certificate = config
            certificate.aadClientSecret = ""
            certificate.aadClientCertPath = "/etc/cert.pem"
            await #expect(throws: AzureConnection.Unsupported.self) { _ = try await AzureConnection.make(certificate, userAgent: "x") }
        }
    }
}
