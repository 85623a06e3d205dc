import KubeModel

// TrafficManagerProfile: an Azure Traffic Manager profile for DNS-based global load balancing
// (reference-api §1.10). v1beta1 is stored; v1alpha1 is served with the same schema minus the two
// timeout rules. The controllers for it come with the Traffic Manager work; the API is here so
// that the reference's manifests validate the same way.

/// An Azure Traffic Manager profile (networking.fleet.azure.com/v1beta1).
public struct TrafficManagerProfile: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1beta1
    public static let kind = "TrafficManagerProfile"
    public static let plural = "trafficmanagerprofiles"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: TrafficManagerProfileSpec
    public var status: TrafficManagerProfileStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: TrafficManagerProfileSpec,
        status: TrafficManagerProfileStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// The v1alpha1 form of TrafficManagerProfile (same fields).
public struct TrafficManagerProfileV1Alpha1: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "TrafficManagerProfile"
    public static let plural = "trafficmanagerprofiles"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: TrafficManagerProfileSpec
    public var status: TrafficManagerProfileStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: TrafficManagerProfileSpec,
        status: TrafficManagerProfileStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct TrafficManagerProfileSpec: Codable, Sendable, Hashable {
    /// The Azure resource group of the profile; immutable.
    public var resourceGroup: String
    public var monitorConfig: MonitorConfig?

    public init(resourceGroup: String, monitorConfig: MonitorConfig? = nil) {
        self.resourceGroup = resourceGroup
        self.monitorConfig = monitorConfig
    }
}

/// How Traffic Manager probes the endpoints' health.
public struct MonitorConfig: Codable, Sendable, Hashable {
    public var customHeaders: [MonitorConfigCustomHeader]?
    /// 10 or 30 (the default).
    public var intervalInSeconds: Int64?
    public var path: String?
    public var port: Int64?
    /// `HTTP` (the default), `HTTPS` or `TCP`.
    public var `protocol`: String?
    public var timeoutInSeconds: Int64?
    public var toleratedNumberOfFailures: Int64?

    public init(
        customHeaders: [MonitorConfigCustomHeader]? = nil, intervalInSeconds: Int64? = nil, path: String? = nil,
        port: Int64? = nil, protocol: String? = nil, timeoutInSeconds: Int64? = nil,
        toleratedNumberOfFailures: Int64? = nil
    ) {
        self.customHeaders = customHeaders
        self.intervalInSeconds = intervalInSeconds
        self.path = path
        self.port = port
        self.protocol = `protocol`
        self.timeoutInSeconds = timeoutInSeconds
        self.toleratedNumberOfFailures = toleratedNumberOfFailures
    }
}

public struct MonitorConfigCustomHeader: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct TrafficManagerProfileStatus: Codable, Sendable, Hashable {
    /// The profile's FQDN, `<namespace>-<name>.trafficmanager.net`.
    public var dnsName: String?
    public var resourceID: String?
    /// `Programmed`.
    public var conditions: [Condition]?

    public init(dnsName: String? = nil, resourceID: String? = nil, conditions: [Condition]? = nil) {
        self.dnsName = dnsName
        self.resourceID = resourceID
        self.conditions = conditions
    }
}

extension TrafficManagerProfile {
    static func schema(timeoutRules: Bool) -> OpenAPISchema {
        var monitorConfig = OpenAPISchema.object(
            "The endpoint monitoring settings of the Traffic Manager profile.",
            properties: [
                "customHeaders": OpenAPISchema.array(
                    "List of custom headers.",
                    of: .object(
                        properties: [
                            "name": OpenAPISchema.string("Header name.").minLength(1),
                            "value": OpenAPISchema.string("Header value.").minLength(1),
                        ],
                        required: ["name", "value"])
                ).maxItems(8).listMap(keys: ["name"]),
                "intervalInSeconds": OpenAPISchema.int64(
                    "The monitor interval for endpoints in this profile: 10 or 30 seconds.")
                    .enumValues([10, 30] as [Int64]).defaultValue(.int(30)),
                "path": OpenAPISchema.string("The path relative to the endpoint domain name used to probe for endpoint health.")
                    .defaultValue(.string("/")),
                "port": OpenAPISchema.int64("The TCP port used to probe for endpoint health.")
                    .defaultValue(.int(80)),
                "protocol": OpenAPISchema.string("The protocol (HTTP, HTTPS or TCP) used to probe for endpoint health.")
                    .enumValues(["HTTP", "HTTPS", "TCP"]).defaultValue(.string("HTTP")),
                "timeoutInSeconds": OpenAPISchema.int64(
                    "The monitor timeout for endpoints in this profile: 5 to 10 seconds when the interval is 30, 5 to 9 when it is 10.")
                    .minimum(5).maximum(10),
                "toleratedNumberOfFailures": OpenAPISchema.int64(
                    "The number of consecutive failed health checks that Traffic Manager tolerates before declaring an endpoint unhealthy.")
                    .minimum(0).maximum(9).defaultValue(.int(3)),
            ])
        if timeoutRules {
            monitorConfig = monitorConfig.validations([
                (
                    rule: "has(self.intervalInSeconds) && self.intervalInSeconds == 30 ? (!has(self.timeoutInSeconds) || (self.timeoutInSeconds >= 5 && self.timeoutInSeconds <= 10)) : true",
                    message: "timeoutInSeconds must be between 5 and 10 when intervalInSeconds is 30"
                ),
                (
                    rule: "has(self.intervalInSeconds) && self.intervalInSeconds == 10 ? (!has(self.timeoutInSeconds) || (self.timeoutInSeconds >= 5 && self.timeoutInSeconds <= 9)) : true",
                    message: "timeoutInSeconds must be between 5 and 9 when intervalInSeconds is 10"
                ),
            ])
        }
        return .root(
            "TrafficManagerProfile is used to manage a simple Azure Traffic Manager Profile using cloud native way.",
            properties: [
                "spec": .object(
                    "The desired state of TrafficManagerProfile.",
                    properties: [
                        "resourceGroup": OpenAPISchema.string(
                            "The name of the resource group to contain the Azure Traffic Manager resource corresponding to this profile. Immutable.")
                            .minLength(1).maxLength(90)
                            .validations([(rule: "self == oldSelf", message: "resourceGroup is immutable")]),
                        "monitorConfig": monitorConfig,
                    ],
                    required: ["resourceGroup"]),
                "status": .object(
                    "The observed status of TrafficManagerProfile.",
                    properties: [
                        "dnsName": .string("DNSName is the fully-qualified domain name (FQDN) of the Traffic Manager profile."),
                        "resourceID": .string("ResourceID is the fully qualified Azure resource Id for the resource."),
                        "conditions": .conditions("Current profile status."),
                    ]),
            ],
            required: ["spec"], limitsNameLength: true)
    }

    /// The CRD of TrafficManagerProfile.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["tmp"], categories: [NetworkingGroup.category],
        versions: [
            .init(name: NetworkingGroup.v1alpha1, storage: false, schema: schema(timeoutRules: false), printerColumns: columns),
            .init(name: NetworkingGroup.v1beta1, storage: true, schema: schema(timeoutRules: true), printerColumns: columns),
        ],
        summary: """
            An Azure Traffic Manager profile for DNS-based global load balancing, created in the hub \
            in the exported service's namespace. (The Traffic Manager controllers are not part of \
            this release; the API validates as the reference's does.)
            """,
        conditions: [
            .init(type: "Programmed", status: "True", reason: "Programmed", message: "Successfully configured the Azure Traffic Manager profile"),
            .init(
                type: "Programmed", status: "False", reason: "DNSNameNotAvailable",
                message: "Domain name is not available. Please choose a different profile name or namespace"),
            .init(type: "Programmed", status: "False", reason: "Invalid", message: "Invalid profile: <azure error>"),
            .init(type: "Programmed", status: "Unknown", reason: "Pending", message: "Failed to configure profile and retrying: <err>"),
        ])

    private static let columns: [CRDDefinition.PrinterColumn] = [
        .init(name: "DNS-Name", jsonPath: ".status.dnsName"),
        .conditionStatus("Is-Programmed", type: TrafficManagerProfileConditions.programmed),
        .age,
    ]
}
