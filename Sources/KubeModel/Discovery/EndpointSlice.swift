// discovery/v1 EndpointSlice.

/// A subset of the endpoints of a service (discovery/v1 EndpointSlice).
public struct EndpointSlice: Resource, Hashable {
    public static let group = "discovery.k8s.io"
    public static let version = "v1"
    public static let kind = "EndpointSlice"
    public static let plural = "endpointslices"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: String
    public var endpoints: [Endpoint]
    public var ports: [EndpointPort]?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        addressType: String = "IPv4",
        endpoints: [Endpoint] = [],
        ports: [EndpointPort]? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, addressType, endpoints, ports
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.addressType = try container.decodeIfPresent(String.self, forKey: .addressType) ?? "IPv4"
        self.endpoints = try container.decodeIfPresent([Endpoint].self, forKey: .endpoints) ?? []
        self.ports = try container.decodeIfPresent([EndpointPort].self, forKey: .ports)
    }
}

public struct Endpoint: Codable, Sendable, Hashable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var targetRef: ObjectReference?
    public var nodeName: String?
    public var zone: String?
    public var hints: JSONValue?

    public init(
        addresses: [String] = [],
        conditions: EndpointConditions? = nil,
        hostname: String? = nil,
        targetRef: ObjectReference? = nil,
        nodeName: String? = nil,
        zone: String? = nil,
        hints: JSONValue? = nil
    ) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.targetRef = targetRef
        self.nodeName = nodeName
        self.zone = zone
        self.hints = hints
    }

    private enum CodingKeys: String, CodingKey {
        case addresses, conditions, hostname, targetRef, nodeName, zone, hints
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.addresses = try container.decodeIfPresent([String].self, forKey: .addresses) ?? []
        self.conditions = try container.decodeIfPresent(EndpointConditions.self, forKey: .conditions)
        self.hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        self.targetRef = try container.decodeIfPresent(ObjectReference.self, forKey: .targetRef)
        self.nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        self.zone = try container.decodeIfPresent(String.self, forKey: .zone)
        self.hints = try container.decodeIfPresent(JSONValue.self, forKey: .hints)
    }
}

public struct EndpointConditions: Codable, Sendable, Hashable {
    public var ready: Bool?
    public var serving: Bool?
    public var terminating: Bool?

    public init(
        ready: Bool? = nil,
        serving: Bool? = nil,
        terminating: Bool? = nil
    ) {
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
    }
}

public struct EndpointPort: Codable, Sendable, Hashable {
    public var name: String?
    public var `protocol`: String?
    public var port: Int32?
    public var appProtocol: String?

    public init(
        name: String? = nil,
        `protocol`: String? = nil,
        port: Int32? = nil,
        appProtocol: String? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.appProtocol = appProtocol
    }
}
