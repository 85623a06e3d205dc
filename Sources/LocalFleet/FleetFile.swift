import Foundation

// `DIR/fleet.json`: where a running local fleet's clusters are, for scripts (DESIGN.md's shape):
// `{"hub": {"name", "server"}, "members": [{"name", "server", "podCIDR", "serviceCIDR",
// "loadBalancerCIDR", "dns"}], "trafficManager": {"armEndpoint", "dns", "subscriptionId",
// "resourceGroup"}}`, `dns` as `IP:port`, `trafficManager` only when it runs.

public struct FleetFile: Sendable, Codable, Hashable {
    public struct Hub: Sendable, Codable, Hashable {
        public var name: String
        public var server: String
    }

    /// The local Azure of `fleetnet up --traffic-manager`.
    public struct TrafficManager: Sendable, Codable, Hashable {
        /// The ARM-compatible server's URL.
        public var armEndpoint: String
        /// The DNS server of `*.trafficmanager.net`, `IP:port`.
        public var dns: String
        public var subscriptionId: String
        /// The resource group for TrafficManagerProfiles (`spec.resourceGroup`).
        public var resourceGroup: String
    }

    public var hub: Hub
    public var members: [LocalFleetSession.MemberEndpoints]
    public var trafficManager: TrafficManager?

    /// Writes the file (sorted keys, readable), replacing it atomically.
    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    public static func read(from url: URL) throws -> FleetFile {
        try JSONDecoder().decode(FleetFile.self, from: Data(contentsOf: url))
    }
}
