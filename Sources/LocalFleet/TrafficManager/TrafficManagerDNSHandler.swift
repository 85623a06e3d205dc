import ARMServer
import ClusterDNS

// The local fleet's Traffic Manager DNS: `<relativeName>.trafficmanager.net` is answered, as Azure
// answers it, with a CNAME to the chosen endpoint's target (`<label>.<location>.cloudapp.azure.com`,
// TTL the profile's `dnsConfig.ttl`) and — being authoritative for the targets too — the target's
// A record (the public IP's address). A profile that does not exist or is disabled is NXDOMAIN;
// one with no endpoint to answer with is NODATA. Names outside the two zones are REFUSED.

struct TrafficManagerDNSHandler: DNSQueryHandler {
    static let zone = "trafficmanager.net"
    static let targetZone = "cloudapp.azure.com"
    /// TTL of the targets' A records.
    static let targetTTL: UInt32 = 10

    let store: ARMStore
    let prober: TrafficManagerProber

    func answer(_ question: DNSQuestion, from client: String?) async -> DNSAnswer {
        let name = question.name.lowercased()
        let wantsAddress = question.type == .a || question.type == .any
        if name == Self.zone || name == Self.targetZone { return .noData(authority: Self.soa(name)) }
        if name.hasSuffix("." + Self.zone) {
            let relativeName = String(name.dropLast(Self.zone.count + 1))
            let authority = Self.soa(Self.zone)
            guard let profile = store.profile(relativeName: relativeName),
                (profile.properties["profileStatus"]?.stringValue ?? "Enabled").lowercased() == "enabled"
            else { return .nameError(authority: authority) }
            var generator = SystemRandomNumberGenerator()
            guard
                let choice = TrafficManagerRouting.choose(
                    in: profile, address: { store.publicIP(withID: $0.targetResourceID)?.ipAddress },
                    isDegraded: { prober.isDegraded($0, of: profile) }, using: &generator)
            else { return .noData(authority: authority) }
            let ttl = UInt32(clamping: profile.properties["dnsConfig"]?.objectValue?["ttl"]?.intValue ?? 60)
            var records = [DNSResourceRecord.cname(name: name, target: choice.endpoint.target.lowercased(), ttl: ttl)]
            if wantsAddress {
                records.append(.a(name: choice.endpoint.target.lowercased(), address: choice.address, ttl: Self.targetTTL))
            }
            return .records(records)
        }
        if name.hasSuffix("." + Self.targetZone) {
            guard let ip = store.publicIP(fqdn: name) else { return .nameError(authority: Self.soa(Self.targetZone)) }
            return wantsAddress
                ? .records([.a(name: name, address: ip.ipAddress, ttl: Self.targetTTL)]) : .noData(authority: Self.soa(Self.targetZone))
        }
        return .refused
    }

    static func soa(_ zone: String) -> DNSResourceRecord {
        .soa(
            name: zone, mname: "ns1.fleetnet.local", rname: "hostmaster.fleetnet.local", serial: 1, refresh: 900, retry: 300,
            expire: 604_800, minimum: 30, ttl: 30)
    }
}
