import KubeModel

// EndpointSliceExport and EndpointSliceImport (reference-api §1.8): a member's EndpointSlice as
// uploaded to the hub, and the copy the hub hands to each importing member. Both carry the same
// spec and no status.
//
// Beyond the reference: endpoints keep their ready/serving/terminating conditions, and IPv6
// slices are allowed (the reference has only `IPv4` and ready addresses). Objects written by the
// reference still validate; older readers prune the extra fields.

/// A member's EndpointSlice on the hub (networking.fleet.azure.com/v1alpha1).
public struct EndpointSliceExport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "EndpointSliceExport"
    public static let plural = "endpointsliceexports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: EndpointSliceExportSpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: EndpointSliceExportSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

/// An exported EndpointSlice handed to an importing member (networking.fleet.azure.com/v1alpha1).
public struct EndpointSliceImport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "EndpointSliceImport"
    public static let plural = "endpointsliceimports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: EndpointSliceExportSpec

    public init(metadata: ObjectMeta = ObjectMeta(), spec: EndpointSliceExportSpec) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
    }
}

public struct EndpointSliceExportSpec: Codable, Sendable, Hashable {
    /// `IPv4` (the default) or `IPv6`.
    public var addressType: String
    public var endpoints: [ExportedEndpoint]
    public var ports: [EndpointPort]?
    public var endpointSliceReference: ExportedObjectReference
    public var ownerServiceReference: OwnerServiceReference

    public init(
        addressType: String = "IPv4", endpoints: [ExportedEndpoint], ports: [EndpointPort]? = nil,
        endpointSliceReference: ExportedObjectReference, ownerServiceReference: OwnerServiceReference
    ) {
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
        self.endpointSliceReference = endpointSliceReference
        self.ownerServiceReference = ownerServiceReference
    }

    private enum CodingKeys: String, CodingKey {
        case addressType, endpoints, ports, endpointSliceReference, ownerServiceReference
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        addressType = try container.decodeIfPresent(String.self, forKey: .addressType) ?? "IPv4"
        endpoints = try container.decodeIfPresent([ExportedEndpoint].self, forKey: .endpoints) ?? []
        ports = try container.decodeIfPresent([EndpointPort].self, forKey: .ports)
        endpointSliceReference = try container.decode(ExportedObjectReference.self, forKey: .endpointSliceReference)
        ownerServiceReference = try container.decode(OwnerServiceReference.self, forKey: .ownerServiceReference)
    }
}

/// One exported endpoint: its addresses and, beyond the reference, its conditions, hostname
/// (per-endpoint DNS names of headless services) and zone.
public struct ExportedEndpoint: Codable, Sendable, Hashable {
    public var addresses: [String]
    public var conditions: EndpointConditions?
    public var hostname: String?
    public var zone: String?

    public init(addresses: [String], conditions: EndpointConditions? = nil, hostname: String? = nil, zone: String? = nil) {
        self.addresses = addresses
        self.conditions = conditions
        self.hostname = hostname
        self.zone = zone
    }

    /// The exported form of an EndpointSlice's endpoint.
    public init(_ endpoint: Endpoint) {
        self.init(addresses: endpoint.addresses, conditions: endpoint.conditions, hostname: endpoint.hostname, zone: endpoint.zone)
    }
}

/// The Service an exported EndpointSlice belongs to.
public struct OwnerServiceReference: Codable, Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// `<namespace>/<name>`.
    public var namespacedName: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
        self.namespacedName = "\(namespace)/\(name)"
    }
}

extension OpenAPISchema {
    /// `OwnerServiceReference`: a Service by namespace and name.
    static let ownerServiceReference = OpenAPISchema.object(
        "The reference to the owner Service.",
        properties: [
            "namespace": .string("The namespace of the referred Service."),
            "name": .string("The name of the referred Service."),
            "namespacedName": .string("The namespaced name of the referred Service."),
        ],
        required: ["name", "namespace", "namespacedName"])
}

extension EndpointSliceExportSpec {
    static let schema = OpenAPISchema.object(
        "EndpointSliceExportSpec specifies the spec of an exported EndpointSlice.",
        properties: [
            "addressType": OpenAPISchema.string(
                "The type of the addresses in the slice: IPv4 or IPv6.")
                .enumValues(["IPv4", "IPv6"]).defaultValue(.string("IPv4")),
            "endpoints": OpenAPISchema.array(
                "A list of unique endpoints in the exported EndpointSlice.",
                of: .object(
                    "Endpoint represents a single logical backend implementing a service.",
                    properties: [
                        "addresses": OpenAPISchema.array(
                            "The addresses of this endpoint.", of: .string()
                        ).atomicList(),
                        "conditions": .object(
                            "The endpoint's conditions, as in the source EndpointSlice.",
                            properties: [
                                "ready": .boolean("ready indicates that this endpoint is prepared to receive traffic."),
                                "serving": .boolean("serving is identical to ready except that it is set regardless of the terminating state of endpoints."),
                                "terminating": .boolean("terminating indicates that this endpoint is terminating."),
                            ]),
                        "hostname": .string(
                            "hostname of this endpoint, as in the source EndpointSlice (per-endpoint DNS names of headless services)."),
                        "zone": .string("zone is the name of the Zone this endpoint exists in."),
                    ],
                    required: ["addresses"])
            ).atomicList(),
            "ports": OpenAPISchema.array(
                "The list of network ports exposed by each endpoint in this slice.", of: .endpointPort
            ).atomicList(),
            "endpointSliceReference": OpenAPISchema.exportedObjectReference.describing(
                "The reference to the source EndpointSlice."),
            "ownerServiceReference": OpenAPISchema.ownerServiceReference,
        ],
        required: ["addressType", "endpointSliceReference", "endpoints", "ownerServiceReference"])
}

extension EndpointSliceExport {
    /// The CRD of EndpointSliceExport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "EndpointSliceExport is a data transport type that member clusters in the fleet use to upload the spec of exported EndpointSlices to the hub cluster.",
                    properties: ["spec": EndpointSliceExportSpec.schema],
                    required: ["spec"], limitsNameLength: false))
        ],
        summary: """
            Internal: a member's EndpointSlice of an exported Service, uploaded to the hub namespace \
            `fleet-member-<cluster>` under a fleet-wide unique name. The hub copies it as an \
            EndpointSliceImport into the namespace of the cluster importing the service.
            """)
}

extension EndpointSliceImport {
    /// The CRD of EndpointSliceImport (no status subresource, as in the reference).
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "EndpointSliceImport is a data transport type that hub cluster uses to distribute exported EndpointSlices to member clusters.",
                    properties: ["spec": EndpointSliceExportSpec.schema],
                    required: ["spec"], limitsNameLength: false),
                hasStatusSubresource: false)
        ],
        summary: """
            Internal: an exported EndpointSlice handed by the hub to an importing member, in the hub \
            namespace `fleet-member-<importer>`. The member turns it into an EndpointSlice of the \
            derived Service in its `fleet-system` namespace.
            """)
}
