import FleetAPI
import KubeModel
import KubeRuntime

// What a member cluster's DNS answers, as CoreDNS's `kubernetes` plugin (zone `cluster.local`)
// and `multicluster` plugin (zone `clusterset.local`, the MCS DNS specification 1.0.0) would, read
// from the member's informer caches:
//
// cluster.local (local Services only)
//   <svc>.<ns>.svc.cluster.local            A/AAAA: the cluster IPs; headless: ready endpoints;
//                                           ExternalName: CNAME
//   <hostname>.<svc>.<ns>.svc.cluster.local A/AAAA of that endpoint (headless)
//   _<port>._<proto>.<svc>.<ns>.svc…        SRV per named port (headless: one per ready endpoint)
//   dns-version.cluster.local               TXT "1.1.0"
// clusterset.local (multicluster.x-k8s.io ServiceImports of this member)
//   <svc>.<ns>.svc.clusterset.local         A/AAAA: the import's ClusterSetIPs; headless: the
//                                           ready endpoints of every exporting cluster (none
//                                           ready: NXDOMAIN)
//   <hostname>.<clusterid>.<svc>.<ns>.svc…  A/AAAA of that endpoint (headless); hostname is the
//                                           endpoint's, else its IP with `.`/`:` → `-`
//   _<port>._<proto>.<svc>.<ns>.svc…        SRV per named port (headless: per ready endpoint)
//   <svc>.<ns>.svc.clusterset.local SRV     one SRV per named port (headless: per endpoint and
//                                           port), identical records once (RFC 2181)
//   dns-version.clusterset.local            TXT "1.0.0"
// Names nobody exports are NXDOMAIN; names that exist without records of the asked type get an
// empty answer (NODATA); `<clusterid>.<svc>.<ns>.svc.clusterset.local` does not exist (reserved).
// Names are case-insensitive; the caller passes them lower-cased without the final dot.

/// One record's data, as this lookup produces it.
public enum ClusterDNSRecord: Sendable, Hashable {
    case a(String)
    case aaaa(String)
    /// Priority 0, weight 50 (as Lighthouse and CoreDNS answer), port and target (with the final dot).
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
    case txt(String)
    /// Target with the final dot.
    case cname(String)
}

/// The record types a question can ask for.
public enum ClusterDNSQueryType: Sendable, Hashable {
    case a, aaaa, srv, txt, cname, any
    case other
}

/// The outcome of a lookup.
public enum ClusterDNSLookup: Sendable, Hashable {
    /// The name exists; these are its records of the asked type (empty: NODATA).
    case records([ClusterDNSRecord])
    /// The name does not exist in a zone of ours (NXDOMAIN).
    case nameError
    /// The name is in none of our zones.
    case notAuthoritative
}

/// The records of one member cluster's `cluster.local` and `clusterset.local` zones.
public struct ClusterDNSRecords: Sendable {
    public static let clusterDomain = "cluster.local"
    public static let clusterSetDomain = "clusterset.local"
    /// TTL of every answer (CoreDNS's and Lighthouse's default).
    public static let ttl: UInt32 = 5
    static let srvPriority: UInt16 = 0
    static let srvWeight: UInt16 = 50

    let services: InformerStore<Service>
    let slices: InformerStore<EndpointSlice>
    let imports: InformerStore<MCSServiceImport>

    public init(services: InformerStore<Service>, slices: InformerStore<EndpointSlice>, imports: InformerStore<MCSServiceImport>) {
        self.services = services
        self.slices = slices
        self.imports = imports
    }

    /// The answer for `name` (lower-case, without the final dot) and `type`.
    public func lookup(_ name: String, type: ClusterDNSQueryType) -> ClusterDNSLookup {
        if let relative = Self.relative(name, to: Self.clusterSetDomain) {
            return clusterSet(relative, type: type)
        }
        if let relative = Self.relative(name, to: Self.clusterDomain) {
            return cluster(relative, type: type)
        }
        return .notAuthoritative
    }

    /// The labels of `name` before `zone` (nil when `name` is not in `zone`).
    static func relative(_ name: String, to zone: String) -> [Substring]? {
        if name == zone { return [] }
        guard name.hasSuffix("." + zone) else { return nil }
        return name.dropLast(zone.count + 1).split(separator: ".", omittingEmptySubsequences: false)
    }

    // MARK: clusterset.local

    private func clusterSet(_ labels: [Substring], type: ClusterDNSQueryType) -> ClusterDNSLookup {
        if labels.isEmpty { return .records([]) }
        if labels == ["dns-version"] { return .records(type.wants(.txt) ? [.txt("1.0.0")] : []) }
        // [_port, _proto,] [hostname, clusterid,] svc, ns, "svc"
        guard labels.count >= 3, labels[labels.count - 1] == "svc" else { return labels == ["svc"] ? .records([]) : .nameError }
        let namespace = String(labels[labels.count - 2])
        let service = String(labels[labels.count - 3])
        guard let serviceImport = imports.get(namespace: namespace, name: service), !serviceImport.metadata.isDeleting else {
            return .nameError
        }
        let prefix = labels.dropLast(3)
        let fqdn = "\(service).\(namespace).svc.\(Self.clusterSetDomain)."
        let isHeadless = serviceImport.spec.type == MCSServiceImportType.headless
        let endpoints = isHeadless ? clusterSetEndpoints(namespace: namespace, service: service) : []
        let namedPorts = serviceImport.spec.ports.filter { !($0.name ?? "").isEmpty }

        switch prefix.count {
        case 0:
            if isHeadless && endpoints.isEmpty { return .nameError }
            var records: [ClusterDNSRecord] = []
            if isHeadless {
                records += endpoints.flatMap { Self.addressRecords($0.addresses, type: type) }
                if type.wants(.srv) {
                    for endpoint in endpoints {
                        let target = "\(endpoint.hostLabel).\(endpoint.cluster).\(fqdn)"
                        records += namedPorts.map { Self.srv(port: $0.port, target: target) }
                    }
                }
            } else {
                records += Self.addressRecords(serviceImport.spec.ips ?? [], type: type)
                if type.wants(.srv) { records += namedPorts.map { Self.srv(port: $0.port, target: fqdn) } }
            }
            return .records(Self.distinct(records))
        case 2 where prefix.first?.hasPrefix("_") == true:
            return clusterSetSRV(
                port: prefix.first!, proto: prefix.last!, ports: namedPorts, endpoints: endpoints, isHeadless: isHeadless, fqdn: fqdn,
                type: type)
        case 2:
            // <hostname>.<clusterid>: an endpoint of a headless service.
            guard isHeadless else { return .nameError }
            let matching = endpoints.filter { $0.hostLabel == prefix.first! && $0.cluster == prefix.last! }
            guard !matching.isEmpty else { return .nameError }
            return .records(Self.distinct(matching.flatMap { Self.addressRecords($0.addresses, type: type) }))
        default:
            // `<clusterid>.<svc>…` is reserved; anything else under the service is not a name.
            return .nameError
        }
    }

    private func clusterSetSRV(
        port: Substring, proto: Substring, ports: [MCSServicePort], endpoints: [ClusterSetEndpoint], isHeadless: Bool, fqdn: String,
        type: ClusterDNSQueryType
    ) -> ClusterDNSLookup {
        let matching = ports.filter { "_\($0.name ?? "")" == port && "_\($0.effectiveProtocol.lowercased())" == proto }
        guard !matching.isEmpty, !isHeadless || !endpoints.isEmpty else { return .nameError }
        guard type.wants(.srv) else { return .records([]) }
        if isHeadless {
            return .records(
                Self.distinct(
                    endpoints.flatMap { endpoint in
                        matching.map { Self.srv(port: $0.port, target: "\(endpoint.hostLabel).\(endpoint.cluster).\(fqdn)") }
                    }))
        }
        return .records(Self.distinct(matching.map { Self.srv(port: $0.port, target: fqdn) }))
    }

    /// A ready endpoint of an imported service: its cluster, DNS label and addresses.
    struct ClusterSetEndpoint: Hashable {
        var cluster: String
        var hostLabel: String
        var addresses: [String]
    }

    /// The ready endpoints of the MCS EndpointSlices of `service`, sorted by cluster and label.
    private func clusterSetEndpoints(namespace: String, service: String) -> [ClusterSetEndpoint] {
        var endpoints: [ClusterSetEndpoint] = []
        for slice in slices.list(namespace: namespace) where slice.metadata.labels?[MCSLabels.serviceName] == service {
            guard !slice.metadata.isDeleting, let cluster = slice.metadata.labels?[MCSLabels.sourceCluster] else { continue }
            for endpoint in slice.endpoints where endpoint.conditions?.ready ?? true {
                guard let first = endpoint.addresses.first else { continue }
                endpoints.append(
                    ClusterSetEndpoint(
                        cluster: cluster, hostLabel: (endpoint.hostname?.isEmpty == false ? endpoint.hostname! : Self.dashed(first)).lowercased(),
                        addresses: endpoint.addresses))
            }
        }
        return endpoints.sorted { ($0.cluster, $0.hostLabel) < ($1.cluster, $1.hostLabel) }
    }

    // MARK: cluster.local

    private func cluster(_ labels: [Substring], type: ClusterDNSQueryType) -> ClusterDNSLookup {
        if labels.isEmpty { return .records([]) }
        if labels == ["dns-version"] { return .records(type.wants(.txt) ? [.txt("1.1.0")] : []) }
        guard labels.count >= 3, labels[labels.count - 1] == "svc" else {
            return labels == ["svc"] || (labels.count == 2 && labels[1] == "svc") ? .records([]) : .nameError
        }
        let namespace = String(labels[labels.count - 2])
        let name = String(labels[labels.count - 3])
        guard let service = services.get(namespace: namespace, name: name), !service.metadata.isDeleting, let spec = service.spec else {
            return .nameError
        }
        let prefix = labels.dropLast(3)
        let fqdn = "\(name).\(namespace).svc.\(Self.clusterDomain)."
        if spec.type == "ExternalName" {
            guard prefix.isEmpty, let target = spec.externalName else { return .nameError }
            return .records(type == .any || type == .cname || type == .a || type == .aaaa ? [.cname(target + ".")] : [])
        }
        let isHeadless = spec.clusterIP == "None"
        let endpoints = isHeadless ? localEndpoints(namespace: namespace, service: name) : []
        let namedPorts = (spec.ports ?? []).filter { !($0.name ?? "").isEmpty }
        switch prefix.count {
        case 0:
            var records: [ClusterDNSRecord] = []
            if isHeadless {
                records += endpoints.flatMap { Self.addressRecords($0.addresses, type: type) }
            } else {
                records += Self.addressRecords(spec.clusterIPs ?? spec.clusterIP.map { [$0] } ?? [], type: type)
            }
            return .records(Self.distinct(records))
        case 2 where prefix.first?.hasPrefix("_") == true:
            let matching = namedPorts.filter {
                "_\($0.name ?? "")" == prefix.first! && "_\(($0.protocol ?? "TCP").lowercased())" == prefix.last!
            }
            guard !matching.isEmpty else { return .nameError }
            guard type.wants(.srv) else { return .records([]) }
            if isHeadless {
                return .records(
                    Self.distinct(
                        endpoints.flatMap { endpoint in matching.map { Self.srv(port: $0.port, target: "\(endpoint.hostLabel).\(fqdn)") } }))
            }
            return .records(Self.distinct(matching.map { Self.srv(port: $0.port, target: fqdn) }))
        case 1 where isHeadless:
            let matching = endpoints.filter { $0.hostLabel == prefix.first! }
            guard !matching.isEmpty else { return .nameError }
            return .records(Self.distinct(matching.flatMap { Self.addressRecords($0.addresses, type: type) }))
        default:
            return .nameError
        }
    }

    /// The ready endpoints of a local Service's EndpointSlices (those the EndpointSlice controller
    /// manages, not imported ones).
    private func localEndpoints(namespace: String, service: String) -> [ClusterSetEndpoint] {
        var endpoints: [ClusterSetEndpoint] = []
        for slice in slices.list(namespace: namespace)
        where slice.metadata.labels?[FleetLabels.serviceName] == service && slice.metadata.labels?[MCSLabels.serviceName] == nil {
            for endpoint in slice.endpoints where endpoint.conditions?.ready ?? true {
                guard let first = endpoint.addresses.first else { continue }
                endpoints.append(
                    ClusterSetEndpoint(
                        cluster: "", hostLabel: (endpoint.hostname?.isEmpty == false ? endpoint.hostname! : Self.dashed(first)).lowercased(),
                        addresses: endpoint.addresses))
            }
        }
        return endpoints.sorted { $0.hostLabel < $1.hostLabel }
    }

    // MARK: Helpers

    static func addressRecords(_ addresses: [String], type: ClusterDNSQueryType) -> [ClusterDNSRecord] {
        addresses.compactMap { address in
            let isIPv6 = address.contains(":")
            if isIPv6 { return type.wants(.aaaa) ? .aaaa(address) : nil }
            return type.wants(.a) ? .a(address) : nil
        }
    }

    static func srv(port: Int32, target: String) -> ClusterDNSRecord {
        .srv(priority: srvPriority, weight: srvWeight, port: UInt16(clamping: port), target: target)
    }

    /// `10.244.0.5` → `10-244-0-5`, `fd00::5` → `fd00--5`.
    static func dashed(_ address: String) -> String {
        address.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: ":", with: "-")
    }

    /// `records` without repeats, in first-seen order.
    static func distinct(_ records: [ClusterDNSRecord]) -> [ClusterDNSRecord] {
        var seen: Set<ClusterDNSRecord> = []
        return records.filter { seen.insert($0).inserted }
    }
}

extension ClusterDNSQueryType {
    /// Whether a question of this type is answered with records of `kind`.
    func wants(_ kind: ClusterDNSQueryType) -> Bool { self == kind || self == .any }
}
