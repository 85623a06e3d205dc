import ARMServer
import ClusterDNS
import Foundation
import Logging

// The local fleet's Azure (`fleetnet up --traffic-manager`): an ARM-compatible server holding one
// subscription with a resource group for Traffic Manager profiles and a node resource group per
// member, where the member's LoadBalancer provider registers a public IP for every address it
// hands out (LocalPublicIPs). The hub's and each member's managers authenticate as their own
// Azure AD application with a client secret, from a cloud config written under `DIR/azure/`, and
// hold the roles the Traffic Manager how-to asks for: the hub in the profiles' group and in every
// node group (Azure checks that the caller can read an endpoint's target), a member in its own.
// A DNS server answers `*.trafficmanager.net` from the profiles, with the endpoints' health from
// a prober that follows each profile's monitor settings.

/// The Azure side of a local fleet.
public final class LocalAzure: Sendable {
    public static let subscription = "f1ee7000-0000-4000-8000-000000000001"
    public static let tenant = "f1ee7000-0000-4000-8000-0000000000aa"
    /// Where users put Traffic Manager profiles (`spec.resourceGroup` of a TrafficManagerProfile).
    public static let profileGroup = "fleetnet-traffic-manager"
    /// The cloud config's `location`. Each member's public IPs are in a region named after the
    /// member, so their DNS names are `<label>.<member>.cloudapp.azure.com`.
    public static let location = "local"
    static let hubClientID = "fleetnet-hub-net-controller-manager"

    /// A member's node resource group, where its load balancers' public IPs live.
    public static func nodeGroup(_ member: String) -> String { "fleetnet-\(member)-nodes" }

    static func clientID(member: String) -> String { "fleetnet-\(member)-net-controller-manager" }

    /// The address the DNS server prefers (port 53 where the process may bind it).
    static let dnsHost = "127.250.0.53"

    public let server: ARMServer
    public var store: ARMStore { server.store }
    public let prober: TrafficManagerProber
    private let members: [String]
    private let secret = UUID().uuidString
    private let logger: Logger

    /// `probeInterval` replaces every profile's monitoring interval (tests).
    public init(members: [String], probeInterval: Duration? = nil, logger: Logger) {
        let identities = ARMIdentities()
        let store = ARMStore()
        identities.register(clientID: Self.hubClientID, tenant: Self.tenant, credential: .clientSecret(secret))
        store.addResourceGroup(Self.profileGroup, subscription: Self.subscription)
        identities.grant(Self.hubClientID, group: Self.profileGroup, subscription: Self.subscription)
        for member in members {
            let group = Self.nodeGroup(member)
            store.addResourceGroup(group, subscription: Self.subscription)
            identities.register(clientID: Self.clientID(member: member), tenant: Self.tenant, credential: .clientSecret(secret))
            identities.grant(Self.clientID(member: member), group: group, subscription: Self.subscription)
            identities.grant(Self.hubClientID, group: group, subscription: Self.subscription)
        }
        identities.requireAuthentication()
        self.members = members
        self.logger = logger
        self.server = ARMServer(store: store, identities: identities, logger: logger)
        self.prober = TrafficManagerProber(store: store, intervalOverride: probeInterval, logger: logger)
    }

    /// Starts the DNS server of `*.trafficmanager.net` (and the endpoints' targets).
    public func startDNS() async throws -> DNSServer {
        let handler = TrafficManagerDNSHandler(store: store, prober: prober)
        do {
            return try await DNSServer.start(host: Self.dnsHost, port: 53, handler: handler, logger: logger)
        } catch {
            logger.info("the Traffic Manager DNS cannot listen on \(Self.dnsHost):53 (\(error)); using a free port")
            return try await DNSServer.start(host: Self.dnsHost, port: 0, handler: handler, logger: logger)
        }
    }

    /// The public IPs of `member`'s load balancers.
    public func publicIPs(member: String) -> LocalPublicIPs {
        LocalPublicIPs(store: store, subscription: Self.subscription, group: Self.nodeGroup(member), location: member)
    }

    /// Writes the cloud configs (`DIR/azure/hub.json`, `DIR/azure/<member>.json`, mode 0600)
    /// and returns their paths by "hub" and member name.
    public func writeCloudConfigs(to directory: URL) async throws -> [String: String] {
        let url = try await server.url()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var paths: [String: String] = [:]
        let entries = [("hub", Self.hubClientID, Self.profileGroup)] + members.map { ($0, Self.clientID(member: $0), Self.nodeGroup($0)) }
        for (name, clientID, group) in entries {
            let config: [String: Any] = [
                "cloud": "AzureLocalFleet", "resourceManagerEndpoint": url, "tenantId": Self.tenant,
                "subscriptionId": Self.subscription, "resourceGroup": group, "location": Self.location,
                "useManagedIdentityExtension": false, "aadClientId": clientID, "aadClientSecret": secret,
            ]
            let file = directory.appendingPathComponent("\(name).json")
            let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
            try data.write(to: file)
            paths[name] = file.path
        }
        return paths
    }
}
