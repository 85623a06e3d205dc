import KubeModel

// Types shared by several networking kinds (reference-api §1.3).

/// A port of an exported or imported service: a core ServicePort without nodePort.
public struct FleetServicePort: Codable, Sendable, Hashable {
    public var name: String?
    /// `TCP` (the default), `UDP` or `SCTP`.
    public var `protocol`: String?
    public var appProtocol: String?
    public var port: Int32
    public var targetPort: IntOrString?

    public init(
        name: String? = nil, protocol: String? = nil, appProtocol: String? = nil, port: Int32,
        targetPort: IntOrString? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.appProtocol = appProtocol
        self.port = port
        self.targetPort = targetPort
    }

    /// The port of a core Service, without its node port.
    public init(_ port: ServicePort) {
        self.init(
            name: port.name, protocol: port.protocol, appProtocol: port.appProtocol, port: port.port,
            targetPort: port.targetPort)
    }

    /// The port as a core ServicePort.
    public var servicePort: ServicePort {
        ServicePort(name: name, protocol: `protocol`, appProtocol: appProtocol, port: port, targetPort: targetPort)
    }

    /// The protocol with its default applied.
    public var effectiveProtocol: String { `protocol` ?? "TCP" }
}

/// Where an exported object came from: its cluster, identity and the version that was exported.
public struct ExportedObjectReference: Codable, Sendable, Hashable {
    public var clusterId: String
    public var apiVersion: String?
    public var kind: String
    public var namespace: String
    public var name: String
    public var resourceVersion: String
    public var generation: Int64
    public var uid: String
    /// `<namespace>/<name>`.
    public var namespacedName: String
    /// When the current generation was exported, by the exporting cluster's clock.
    public var exportedSince: Time?

    public init(
        clusterId: String, apiVersion: String? = nil, kind: String, namespace: String, name: String,
        resourceVersion: String, generation: Int64, uid: String, exportedSince: Time? = nil
    ) {
        self.clusterId = clusterId
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.uid = uid
        self.namespacedName = "\(namespace)/\(name)"
        self.exportedSince = exportedSince
    }

    /// A reference to `object` in cluster `clusterId`, exported at `exportedSince`.
    public init<Object: Resource>(clusterId: String, object: Object, exportedSince: Time) {
        self.init(
            clusterId: clusterId, apiVersion: object.apiVersion ?? Object.apiVersion,
            kind: object.kind ?? Object.kind, namespace: object.metadata.namespace ?? "",
            name: object.metadata.name ?? "", resourceVersion: object.metadata.resourceVersion ?? "",
            generation: object.metadata.generation ?? 0, uid: object.metadata.uid ?? "",
            exportedSince: exportedSince)
    }
}

/// One exporting cluster of a ServiceImport.
public struct ClusterStatus: Codable, Sendable, Hashable {
    public var cluster: String

    public init(cluster: String) {
        self.cluster = cluster
    }
}

/// The resolved, fleet-wide state of an imported service (ServiceImport and InternalServiceImport).
public struct ServiceImportStatus: Codable, Sendable, Hashable {
    public var ips: [String]?
    /// `ClusterSetIP` or `Headless`.
    public var type: String?
    public var sessionAffinity: String?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var ports: [FleetServicePort]?
    public var clusters: [ClusterStatus]?

    public init(
        ips: [String]? = nil, type: String? = nil, sessionAffinity: String? = nil,
        sessionAffinityConfig: SessionAffinityConfig? = nil, ports: [FleetServicePort]? = nil,
        clusters: [ClusterStatus]? = nil
    ) {
        self.ips = ips
        self.type = type
        self.sessionAffinity = sessionAffinity
        self.sessionAffinityConfig = sessionAffinityConfig
        self.ports = ports
        self.clusters = clusters
    }

    /// The names of the exporting clusters.
    public var clusterNames: [String] { (clusters ?? []).map(\.cluster) }

    /// The service type every resolved ServiceImport gets.
    public static let clusterSetIP = "ClusterSetIP"
}

/// `{name}`: a reference to an object in the same namespace.
public struct LocalObjectName: Codable, Sendable, Hashable {
    public var name: String

    public init(name: String) {
        self.name = name
    }
}

/// The clusters importing a hub ServiceImport, stored as JSON in the `service-in-use-by`
/// annotation. The key is capitalised on the wire, as the reference writes it.
public struct ServiceInUseBy: Codable, Sendable, Hashable {
    /// Hub namespace of each importing cluster (`fleet-member-<c>`) → its cluster ID.
    public var memberClusters: [String: String]

    public init(memberClusters: [String: String] = [:]) {
        self.memberClusters = memberClusters
    }

    private enum CodingKeys: String, CodingKey {
        case memberClusters = "MemberClusters"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        memberClusters = try container.decodeIfPresent([String: String].self, forKey: .memberClusters) ?? [:]
    }
}
