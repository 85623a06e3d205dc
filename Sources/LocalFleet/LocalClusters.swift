import Foundation
import KubeServer
import Logging

// The API servers of a local fleet: `hub` and `member-<i>`, each HTTPS with its own CA and an
// admin identity in group system:masters (the kubeconfig's user).

public struct LocalClusters: Sendable {
    public struct Entry: Sendable {
        public var context: String
        public var server: APIServer
        public var authority: CertificateAuthority
        public var admin: IssuedCertificate
    }

    public private(set) var servers: [Entry] = []
    /// Each member's bearer token on the hub (member name → token), for its agents.
    public let memberTokens: [String: String]

    public init(memberCount: Int, logger: Logger) throws {
        let members = (0..<memberCount).map { "member-\($0 + 1)" }
        let names = ["hub"] + members
        var tokens: [String: String] = [:]
        var hubTokens = StaticTokenTable()
        for member in members {
            let token = (0..<32).map { _ in String(Int.random(in: 0...255) | 0x100, radix: 16).dropFirst() }.joined()
            tokens[member] = token
            hubTokens.add(token: token, user: UserInfo(name: FleetMembership.agentUser(member)))
        }
        memberTokens = tokens
        for (index, name) in names.enumerated() {
            let authority = try CertificateAuthority.makeSelfSigned(name: "fleetnet-\(name)")
            let serverCertificate = try authority.issueServerCertificate(
                commonName: name, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"])
            let admin = try authority.issueClientCertificate(user: "fleetnet-admin", groups: ["system:masters"])
            // Service IPs per cluster as DESIGN.md assigns them: member-i gets 127.(100+i).0.0/16, on
            // loopback so that its kube-proxy serves them (shared by the fleets of this process); the
            // hub, which serves no traffic, 10.100.0.0/16.
            let options =
                index == 0
                ? ServerOptions(serviceClusterIPRange: "10.100.0.0/16")
                : ServerOptions(serviceClusterIPRange: Self.serviceCIDR(member: index), sharesServiceIPsInProcess: true)
            let server = try APIServer(
                configuration: APIServerConfiguration(
                    name: name, transport: .tls(authority: authority, serverCertificate: serverCertificate),
                    tokens: index == 0 ? hubTokens : StaticTokenTable(), options: options),
                logger: logger)
            servers.append(Entry(context: name, server: server, authority: authority, admin: admin))
        }
    }

    /// The Service cluster IP range of member `index` (1-based).
    public static func serviceCIDR(member index: Int) -> String { "127.\(100 + index).0.0/16" }
    /// The pod IP range of member `index` (1-based).
    public static func podCIDR(member index: Int) -> String { "127.\(10 + index).0.0/16" }
    /// The LoadBalancer IP range of member `index` (1-based).
    public static func loadBalancerCIDR(member index: Int) -> String { "127.\(200 + index).0.0/16" }

    /// Writes the kubeconfig (contexts `hub`, `member-1`, …); call once the servers listen.
    public func writeKubeconfig(to url: URL) async throws {
        var entries: [KubeconfigEntry] = []
        for entry in servers {
            entries.append(
                KubeconfigEntry(
                    context: entry.context, server: try await entry.server.url(),
                    certificateAuthorityPEM: try entry.authority.certificatePEM,
                    clientCertificatePEM: try entry.admin.certificatePEM, clientKeyPEM: entry.admin.privateKeyPEM))
        }
        try KubeconfigWriter.write(entries, currentContext: "hub", to: url)
    }

    public struct UnknownCluster: Error, CustomStringConvertible {
        public let description: String
    }

    /// Writes a kubeconfig holding only `context`'s admin identity (what a manager process is given
    /// with `--kubeconfig`).
    public func writeKubeconfig(context: String, to url: URL) async throws {
        guard let entry = servers.first(where: { $0.context == context }) else {
            throw UnknownCluster(description: "no cluster named \(context) in this fleet")
        }
        let kubeconfig = KubeconfigEntry(
            context: entry.context, server: try await entry.server.url(),
            certificateAuthorityPEM: try entry.authority.certificatePEM,
            clientCertificatePEM: try entry.admin.certificatePEM, clientKeyPEM: entry.admin.privateKeyPEM)
        try KubeconfigWriter.write([kubeconfig], currentContext: context, to: url)
    }
}
