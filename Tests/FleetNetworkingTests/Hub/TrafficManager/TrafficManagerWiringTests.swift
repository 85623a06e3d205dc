import AzureClient
import FleetNetworking
import Foundation
import Testing

// How hub-net-controller-manager starts the Traffic Manager controllers: off by the flag; off,
// with a log line, without a cloud config file; refused with the reason for an invalid file;
// on with a valid one.

@Suite struct TrafficManagerWiringTests {
    @Test func theFlagAndTheCloudConfigDecide() async throws {
        try await Hub.run(clusters: []) { _, context in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tm-wiring-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("azure.json").path

            #expect(try TrafficManagerControllers.make(context, enabled: false, cloudConfigPath: path, logger: FleetTestbed.quiet).isEmpty)
            #expect(try TrafficManagerControllers.make(context, enabled: true, cloudConfigPath: path, logger: FleetTestbed.quiet).isEmpty)

            try Data(#"{"cloud": "AzurePublicCloud", "resourceGroup": "rg", "location": "eastus", "useManagedIdentityExtension": true}"#.utf8)
                .write(to: URL(fileURLWithPath: path))
            let invalid = #expect(throws: AzureCloudConfig.Invalid.self) {
                _ = try TrafficManagerControllers.make(context, enabled: true, cloudConfigPath: path, logger: FleetTestbed.quiet)
            }
            #expect(invalid?.description.contains("subscriptionId is required") == true)

            try Data(
                #"{"cloud": "AzurePublicCloud", "subscriptionId": "s", "resourceGroup": "rg", "location": "eastus", "useManagedIdentityExtension": true}"#
                    .utf8
            ).write(to: URL(fileURLWithPath: path))
            let controllers = try TrafficManagerControllers.make(context, enabled: true, cloudConfigPath: path, logger: FleetTestbed.quiet)
            #expect(controllers.map(\.name) == ["trafficmanagerprofile", "trafficmanagerbackend"])
        }
    }
}
