import ClusterDNS

// A member's DNS server answers with ClusterDNSRecords: this turns a question into the lookup and
// the lookup into DNS records (TTL 5 s), with an SOA in the authority section of NXDOMAIN and
// empty answers, as an authoritative server for cluster.local and clusterset.local. Names outside
// both zones are refused: the local fleet's DNS resolves no other names.

struct ClusterDNSHandler: DNSQueryHandler {
    let records: ClusterDNSRecords

    func answer(_ question: DNSQuestion, from client: String?) async -> DNSAnswer {
        let lookup = records.lookup(question.name, type: Self.queryType(question.type))
        switch lookup {
        case .notAuthoritative:
            return DNSAnswer(responseCode: .refused, isAuthoritative: false, answers: [], authorities: [], additionals: [])
        case .nameError:
            return DNSAnswer(
                responseCode: .nameError, isAuthoritative: true, answers: [], authorities: [soa(for: question.name)], additionals: [])
        case .records(let found):
            let answers = found.map { record(question.name, $0) }
            return DNSAnswer(
                responseCode: .noError, isAuthoritative: true, answers: answers,
                authorities: answers.isEmpty ? [soa(for: question.name)] : [], additionals: [])
        }
    }

    static func queryType(_ type: DNSRecordType) -> ClusterDNSQueryType {
        switch type {
        case .a: return .a
        case .aaaa: return .aaaa
        case .srv: return .srv
        case .txt: return .txt
        case .cname: return .cname
        case .any: return .any
        default: return .other
        }
    }

    private func record(_ name: String, _ data: ClusterDNSRecord) -> DNSResourceRecord {
        let ttl = ClusterDNSRecords.ttl
        switch data {
        case .a(let address): return DNSResourceRecord(name: name, type: .a, class: 1, ttl: ttl, data: .a(address))
        case .aaaa(let address): return DNSResourceRecord(name: name, type: .aaaa, class: 1, ttl: ttl, data: .aaaa(address))
        case .srv(let priority, let weight, let port, let target):
            return DNSResourceRecord(
                name: name, type: .srv, class: 1, ttl: ttl,
                data: .srv(priority: priority, weight: weight, port: port, target: Self.withoutFinalDot(target)))
        case .txt(let text): return DNSResourceRecord(name: name, type: .txt, class: 1, ttl: ttl, data: .txt([text]))
        case .cname(let target):
            return DNSResourceRecord(name: name, type: .cname, class: 1, ttl: ttl, data: .cname(Self.withoutFinalDot(target)))
        }
    }

    /// The SOA of the zone `name` is in.
    private func soa(for name: String) -> DNSResourceRecord {
        let zone = name == ClusterDNSRecords.clusterSetDomain || name.hasSuffix("." + ClusterDNSRecords.clusterSetDomain)
            ? ClusterDNSRecords.clusterSetDomain : ClusterDNSRecords.clusterDomain
        return DNSResourceRecord(
            name: zone, type: .soa, class: 1, ttl: ClusterDNSRecords.ttl,
            data: .soa(
                mname: "ns.dns.\(zone)", rname: "hostmaster.\(zone)", serial: 1, refresh: 7200, retry: 1800, expire: 86400,
                minimum: ClusterDNSRecords.ttl))
    }

    static func withoutFinalDot(_ name: String) -> String { name.hasSuffix(".") ? String(name.dropLast()) : name }
}
