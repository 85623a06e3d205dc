import KubeModel

// ServiceExport: a member cluster's request to export the Service of the same namespace/name to
// the fleet (reference-api §1.4). v1beta1 is stored and used by the controllers; v1alpha1 is
// served with the same schema.

/// A Service exported to the fleet (networking.fleet.azure.com/v1beta1).
public struct ServiceExport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1beta1
    public static let kind = "ServiceExport"
    public static let plural = "serviceexports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var status: ServiceExportStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), status: ServiceExportStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.status = status
    }
}

/// The v1alpha1 form of ServiceExport (same fields).
public struct ServiceExportV1Alpha1: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "ServiceExport"
    public static let plural = "serviceexports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var status: ServiceExportStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), status: ServiceExportStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.status = status
    }
}

public struct ServiceExportStatus: Codable, Sendable, Hashable {
    /// `Valid` and `Conflict`.
    public var conditions: [Condition]?

    public init(conditions: [Condition]? = nil) {
        self.conditions = conditions
    }
}

extension ServiceExport {
    static let schema = OpenAPISchema.root(
        "ServiceExport declares that the associated service should be exported to other clusters.",
        properties: [
            "status": .object(
                "ServiceExportStatus contains the current status of an export.",
                properties: [
                    "conditions": .conditions("Conditions of the export: Valid and Conflict.")
                ])
        ],
        limitsNameLength: true)

    /// The CRD of ServiceExport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["svcexport"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(name: NetworkingGroup.v1alpha1, storage: false, schema: schema, printerColumns: columns),
            .init(name: NetworkingGroup.v1beta1, storage: true, schema: schema, printerColumns: columns),
        ],
        summary: """
            Exports the Service of the same namespace and name from a member cluster to the fleet. \
            It has no spec: its presence is the request. Services of the same namespace and name \
            exported from several clusters form one fleet-wide service (namespace sameness). The \
            annotation `networking.fleet.azure.com/weight` (an integer in [0, 1000], default 1) sets \
            the export's weight; 0 withdraws the export while keeping it valid.
            """,
        conditions: [
            .init(type: "Valid", status: "True", reason: "ServiceIsValid", message: "service <ns>/<name> is valid for export"),
            .init(type: "Valid", status: "True", reason: "ServiceIsValid", message: "exported service <ns>/<name> with 0 weight"),
            .init(type: "Valid", status: "False", reason: "ServiceNotFound", message: "service <ns>/<name> is not found"),
            .init(type: "Valid", status: "False", reason: "ServiceIneligible", message: "service <ns>/<name> is not eligible for export"),
            .init(
                type: "Valid", status: "False", reason: "ServiceExportInvalidWeightAnnotation",
                message: "serviceExport <ns>/<name> has an invalid weight annotation, err = <err>"),
            .init(
                type: "Conflict", status: "Unknown", reason: "ServicePendingConflictResolution",
                message: "service <ns>/<name> is pending export conflict resolution"),
            .init(type: "Conflict", status: "False", reason: "NoConflictFound", message: "service <ns>/<name> is exported without conflict"),
            .init(
                type: "Conflict", status: "True", reason: "ConflictFound",
                message: "service <ns>/<name> is in conflict with other exported services"),
        ])

    private static let columns: [CRDDefinition.PrinterColumn] = [
        .conditionStatus("Is-Valid", type: ServiceExportConditions.valid),
        .conditionStatus("Is-Conflicted", type: ServiceExportConditions.conflict),
        .age,
    ]
}
