import KubeModel

// ServiceImport of the Multi-Cluster Services API (multicluster.x-k8s.io): the clusterset's view of
// an exported service in an importing cluster. Written only by the member agent, from the hub's
// resolution (a ClusterSetImport in the member's hub namespace), in every member where the
// service's namespace exists; users never create it.

/// A service imported through the MCS API (multicluster.x-k8s.io/v1beta1 ServiceImport).
public struct MCSServiceImport: Resource, Hashable {
    public static let group = MCSGroup.name
    public static let version = MCSGroup.v1beta1
    public static let kind = "ServiceImport"
    public static let plural = "serviceimports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MCSServiceImportSpec
    public var status: MCSServiceImportStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: MCSServiceImportSpec, status: MCSServiceImportStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The imported service's properties, resolved from every exporting cluster.
public struct MCSServiceImportSpec: Codable, Sendable, Hashable {
    public var ports: [MCSServicePort]
    /// The ClusterSetIP(s), one per family of `ipFamilies`, in the same order; none when headless.
    public var ips: [String]?
    /// `ClusterSetIP` or `Headless`.
    public var type: String
    public var sessionAffinity: String?
    public var sessionAffinityConfig: SessionAffinityConfig?
    public var ipFamilies: [String]?
    public var internalTrafficPolicy: String?
    public var trafficDistribution: String?

    public init(
        ports: [MCSServicePort] = [], ips: [String]? = nil, type: String = MCSServiceImportType.clusterSetIP,
        sessionAffinity: String? = nil, sessionAffinityConfig: SessionAffinityConfig? = nil, ipFamilies: [String]? = nil,
        internalTrafficPolicy: String? = nil, trafficDistribution: String? = nil
    ) {
        self.ports = ports
        self.ips = ips
        self.type = type
        self.sessionAffinity = sessionAffinity
        self.sessionAffinityConfig = sessionAffinityConfig
        self.ipFamilies = ipFamilies
        self.internalTrafficPolicy = internalTrafficPolicy
        self.trafficDistribution = trafficDistribution
    }

    private enum CodingKeys: String, CodingKey {
        case ports, ips, type, sessionAffinity, sessionAffinityConfig, ipFamilies, internalTrafficPolicy, trafficDistribution
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ports = try container.decodeIfPresent([MCSServicePort].self, forKey: .ports) ?? []
        ips = try container.decodeIfPresent([String].self, forKey: .ips)
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? MCSServiceImportType.clusterSetIP
        sessionAffinity = try container.decodeIfPresent(String.self, forKey: .sessionAffinity)
        sessionAffinityConfig = try container.decodeIfPresent(SessionAffinityConfig.self, forKey: .sessionAffinityConfig)
        ipFamilies = try container.decodeIfPresent([String].self, forKey: .ipFamilies)
        internalTrafficPolicy = try container.decodeIfPresent(String.self, forKey: .internalTrafficPolicy)
        trafficDistribution = try container.decodeIfPresent(String.self, forKey: .trafficDistribution)
    }
}

/// A port of an imported service: a ServicePort without targetPort or nodePort (per-cluster details).
public struct MCSServicePort: Codable, Sendable, Hashable {
    public var name: String?
    /// `TCP` (the default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// Omitted when unset (never `""`).
    public var appProtocol: String?
    public var port: Int32

    public init(name: String? = nil, protocol: String? = nil, appProtocol: String? = nil, port: Int32) {
        self.name = name
        self.protocol = `protocol`
        self.appProtocol = appProtocol
        self.port = port
    }

    /// The protocol with its default applied.
    public var effectiveProtocol: String { `protocol` ?? "TCP" }
}

public struct MCSServiceImportStatus: Codable, Sendable, Hashable {
    /// The exporting clusters whose endpoints back the import.
    public var clusters: [ClusterStatus]?
    public var conditions: [Condition]?

    public init(clusters: [ClusterStatus]? = nil, conditions: [Condition]? = nil) {
        self.clusters = clusters
        self.conditions = conditions
    }
}

extension OpenAPISchema {
    /// A ServicePort of the MCS API (no targetPort).
    static let mcsServicePort = OpenAPISchema.object(
        "ServicePort represents the port on which the service is exposed.",
        properties: [
            "name": .string(
                "The name of this port within the service. This must be a DNS_LABEL. All ports within a ServiceSpec must have unique names."),
            "protocol": OpenAPISchema.string(
                "The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\". Default is TCP.")
                .defaultValue(.string("TCP")),
            "appProtocol": .string("The application protocol for this port."),
            "port": OpenAPISchema.int32("The port that will be exposed by this service.").minimum(1).maximum(65535),
        ],
        required: ["port"])
}

extension MCSServiceImport {
    static let specSchema = OpenAPISchema.object(
        "spec defines the behavior of a ServiceImport.",
        properties: [
            "ports": OpenAPISchema.array("ports are the ports of the imported service.", of: .mcsServicePort).atomicList(),
            "ips": OpenAPISchema.array("ip will be used as the VIP for this service when type is ClusterSetIP.", of: .string())
                .maxItems(2),
            "type": OpenAPISchema.string(
                "type defines the type of this service. Must be ClusterSetIP or Headless. The ClusterSetIP type reflects exported Service(s) with type ClusterIP and the Headless type reflects exported Service(s) with type Headless. A ServiceImport with type ClusterSetIP SHOULD populate `.status.ips` with virtual IP address(es) where the service can be reached from within the importing cluster. If exported Services of the same name and namespace in a given ClusterSet have differing types, a \"Conflict\" status condition SHOULD be reported in ServiceExport status.")
                .enumValues([MCSServiceImportType.clusterSetIP, MCSServiceImportType.headless]),
            "sessionAffinity": .string(
                "Supports \"ClientIP\" and \"None\". Used to maintain session affinity. Enable client IP based session affinity. Must be ClientIP or None. Defaults to None. Ignored when type is Headless."),
            "sessionAffinityConfig": .sessionAffinityConfig,
            "ipFamilies": OpenAPISchema.array(
                "IPFamilies identifies all the IPFamilies assigned for this ServiceImport.",
                of: OpenAPISchema.string("IPFamily represents the IP Family (IPv4 or IPv6).")
                    .enumValues(["IPv4", "IPv6"])
            ).maxItems(2).atomicList(),
            "internalTrafficPolicy": .string(
                "InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP. If set to \"Local\", the proxy will assume that pods only want to talk to endpoints of the service on the same node as the pod, dropping the traffic if there are no local endpoints. The default value, \"Cluster\", uses the standard behavior of routing to all endpoints evenly."),
            "trafficDistribution": .string(
                "TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints. Implementations can use this field as a hint, but are not required to guarantee strict adherence."),
        ],
        required: ["ports", "type"])

    static let schema = OpenAPISchema.root(
        "ServiceImport describes a service imported from clusters in a ClusterSet.",
        properties: [
            "spec": specSchema,
            "status": .object(
                "status contains information about the exported services that form the multi-cluster service referenced by this ServiceImport.",
                properties: [
                    "clusters": .clusterStatusList,
                    "conditions": .conditions("Conditions of the import: Ready."),
                ]),
        ],
        required: ["spec"],
        limitsNameLength: false)

    private static let columns: [CRDDefinition.PrinterColumn] = [
        .init(name: "Type", jsonPath: ".spec.type"),
        .init(name: "IP", jsonPath: ".spec.ips"),
        .age,
    ]

    /// The CRD of the MCS ServiceImport. The short name `svcimport` stays with the fleet kind (see
    /// docs/api.md); `svcim` names this one.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["svcim"], categories: [],
        labels: MCSCRDs.labels,
        versions: [
            .init(name: MCSGroup.v1alpha1, storage: false, schema: schema, printerColumns: columns),
            .init(name: MCSGroup.v1beta1, storage: true, schema: schema, printerColumns: columns),
        ],
        summary: """
            The Multi-Cluster Services API's import (KEP-1645), written by the member agent in every \
            member where the service's namespace exists (exporters included) while at least one \
            cluster exports the service through the MCS API, and deleted when the last export goes. \
            `spec.ips` is the ClusterSetIP of this member (the cluster IP of the derived Service \
            named by the annotation `multicluster.kubernetes.io/derived-service`); headless imports \
            have none. The exporting clusters' endpoints are EndpointSlices in the same namespace, \
            labelled `multicluster.kubernetes.io/service-name` and `…/source-cluster`.
            """,
        conditions: [
            .init(type: "Ready", status: "True", reason: "Ready", message: "The import is ready."),
            .init(type: "Ready", status: "Unknown", reason: "Pending", message: "The ClusterSetIP is being allocated."),
        ])
}

/// The MCS API's CRDs as we install them.
public enum MCSCRDs {
    /// Labels mcs-api puts on its CRDs.
    public static let labels = [
        MCSLabels.releaseVersion: MCSGroup.releaseVersion,
        MCSLabels.crdSchemaRevision: MCSGroup.crdSchemaRevision,
    ]

    public static let all: [CRDDefinition] = [MCSServiceExport.definition, MCSServiceImport.definition]
}
