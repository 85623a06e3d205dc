import Foundation

// `DIR/fleet.json`: where a running local fleet's clusters are, for scripts (DESIGN.md's shape):
// `{"hub": {"name", "server"}, "members": [{"name", "server", "podCIDR", "serviceCIDR",
// "loadBalancerCIDR", "dns"}]}`, `dns` as `IP:port`.

public struct FleetFile: Sendable, Codable, Hashable {
    public struct Hub: Sendable, Codable, Hashable {
        public var name: String
        public var server: String
    }

    public var hub: Hub
    public var members: [LocalFleetSession.MemberEndpoints]

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
