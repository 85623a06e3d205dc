// core/v1 Service.

/// A named abstraction over a set of pods (core/v1 Service).
public struct Service: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Service"
    public static let plural = "services"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var spec: ServiceSpec?
    public var status: ServiceStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: ServiceSpec? = nil,
        status: ServiceStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try container.decodeIfPresent(ServiceSpec.self, forKey: .spec)
        self.status = try container.decodeIfPresent(ServiceStatus.self, forKey: .status)
    }
}

public struct ServiceSpec: Codable, Sendable, Hashable {
    public var ports: [ServicePort]?
    public var selector: [String: String]?
    public var clusterIP: String?
    public var clusterIPs: [String]?
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    public var externalIPs: [String]?
    public var sessionAffinity: String?
    public var loadBalancerIP: String?
    public var loadBalancerSourceRanges: [String]?
    public var externalName: String?
    public var externalTrafficPolicy: String?
    public var healthCheckNodePort: Int32?
    public var publishNotReadyAddresses: Bool?
    public var ipFamilies: [String]?
    public var ipFamilyPolicy: String?
    public var allocateLoadBalancerNodePorts: Bool?
    public var loadBalancerClass: String?
    public var internalTrafficPolicy: String?
    public var sessionAffinityConfig: SessionAffinityConfig?
    /// `PreferClose` (or `PreferSameZone`, `PreferSameNode` in newer releases).
    public var trafficDistribution: String?

    public init(
        ports: [ServicePort]? = nil,
        selector: [String: String]? = nil,
        clusterIP: String? = nil,
        clusterIPs: [String]? = nil,
        type: String? = nil,
        externalIPs: [String]? = nil,
        sessionAffinity: String? = nil,
        loadBalancerIP: String? = nil,
        loadBalancerSourceRanges: [String]? = nil,
        externalName: String? = nil,
        externalTrafficPolicy: String? = nil,
        healthCheckNodePort: Int32? = nil,
        publishNotReadyAddresses: Bool? = nil,
        ipFamilies: [String]? = nil,
        ipFamilyPolicy: String? = nil,
        allocateLoadBalancerNodePorts: Bool? = nil,
        loadBalancerClass: String? = nil,
        internalTrafficPolicy: String? = nil,
        sessionAffinityConfig: SessionAffinityConfig? = nil,
        trafficDistribution: String? = nil
    ) {
        self.ports = ports
        self.selector = selector
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.type = type
        self.externalIPs = externalIPs
        self.sessionAffinity = sessionAffinity
        self.loadBalancerIP = loadBalancerIP
        self.loadBalancerSourceRanges = loadBalancerSourceRanges
        self.externalName = externalName
        self.externalTrafficPolicy = externalTrafficPolicy
        self.healthCheckNodePort = healthCheckNodePort
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.ipFamilies = ipFamilies
        self.ipFamilyPolicy = ipFamilyPolicy
        self.allocateLoadBalancerNodePorts = allocateLoadBalancerNodePorts
        self.loadBalancerClass = loadBalancerClass
        self.internalTrafficPolicy = internalTrafficPolicy
        self.sessionAffinityConfig = sessionAffinityConfig
        self.trafficDistribution = trafficDistribution
    }
}

/// How `ClientIP` session affinity behaves (core/v1 SessionAffinityConfig).
public struct SessionAffinityConfig: Codable, Sendable, Hashable {
    public var clientIP: ClientIPConfig?

    public init(clientIP: ClientIPConfig? = nil) {
        self.clientIP = clientIP
    }
}

public struct ClientIPConfig: Codable, Sendable, Hashable {
    /// Seconds a client sticks to one endpoint; 1–86400, default 10800.
    public var timeoutSeconds: Int32?

    public init(timeoutSeconds: Int32? = nil) {
        self.timeoutSeconds = timeoutSeconds
    }
}

public struct ServicePort: Codable, Sendable, Hashable {
    public var name: String?
    /// `TCP`, `UDP` or `SCTP`.
    public var `protocol`: String?
    public var appProtocol: String?
    public var port: Int32
    public var targetPort: IntOrString?
    public var nodePort: Int32?

    public init(
        name: String? = nil,
        `protocol`: String? = nil,
        appProtocol: String? = nil,
        port: Int32,
        targetPort: IntOrString? = nil,
        nodePort: Int32? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.appProtocol = appProtocol
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
    }
}

public struct ServiceStatus: Codable, Sendable, Hashable {
    public var loadBalancer: LoadBalancerStatus?
    public var conditions: [Condition]?

    public init(
        loadBalancer: LoadBalancerStatus? = nil,
        conditions: [Condition]? = nil
    ) {
        self.loadBalancer = loadBalancer
        self.conditions = conditions
    }
}

public struct LoadBalancerStatus: Codable, Sendable, Hashable {
    public var ingress: [LoadBalancerIngress]?

    public init(
        ingress: [LoadBalancerIngress]? = nil
    ) {
        self.ingress = ingress
    }
}

public struct LoadBalancerIngress: Codable, Sendable, Hashable {
    public var ip: String?
    public var hostname: String?
    public var ipMode: String?
    public var ports: [PortStatus]?

    public init(
        ip: String? = nil,
        hostname: String? = nil,
        ipMode: String? = nil,
        ports: [PortStatus]? = nil
    ) {
        self.ip = ip
        self.hostname = hostname
        self.ipMode = ipMode
        self.ports = ports
    }
}

public struct PortStatus: Codable, Sendable, Hashable {
    public var port: Int32
    public var `protocol`: String
    public var error: String?

    public init(
        port: Int32,
        `protocol`: String,
        error: String? = nil
    ) {
        self.port = port
        self.protocol = `protocol`
        self.error = error
    }
}
