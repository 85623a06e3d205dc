import KubeModel

// ServiceExport of the Multi-Cluster Services API (multicluster.x-k8s.io): marks the Service of
// the same namespace and name for export to the clusterset. The member agent uploads it to the
// hub as an InternalServiceExport with `spec.clusterSetExport` set; the hub resolves all exports of
// the service by the KEP-1645 rules and its Conflict condition comes back here.

/// A Service exported through the MCS API (multicluster.x-k8s.io/v1beta1 ServiceExport).
public struct MCSServiceExport: Resource, Hashable {
    public static let group = MCSGroup.name
    public static let version = MCSGroup.v1beta1
    public static let kind = "ServiceExport"
    public static let plural = "serviceexports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: MCSServiceExportSpec?
    public var status: MCSServiceExportStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: MCSServiceExportSpec? = nil, status: MCSServiceExportStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct MCSServiceExportSpec: Codable, Sendable, Hashable {
    /// Labels to put on the ServiceImport of every importing cluster.
    public var exportedLabels: [String: String]?
    /// Annotations to put on the ServiceImport of every importing cluster.
    public var exportedAnnotations: [String: String]?

    public init(exportedLabels: [String: String]? = nil, exportedAnnotations: [String: String]? = nil) {
        self.exportedLabels = exportedLabels
        self.exportedAnnotations = exportedAnnotations
    }
}

/// The status of an MCS ServiceExport: its conditions (`Valid`, `Ready` and `Conflict`), the
/// same shape as the fleet ServiceExport's.
public typealias MCSServiceExportStatus = ServiceExportStatus

extension MCSServiceExport {
    static let schema = OpenAPISchema.root(
        "ServiceExport declares that the Service with the same name and namespace as this export should be consumable from other clusters.",
        properties: [
            "spec": .object(
                "spec defines the behavior of a ServiceExport.",
                properties: [
                    "exportedLabels": .stringMap(
                        "exportedLabels describes the labels exported. It is optional for implementation."),
                    "exportedAnnotations": .stringMap(
                        "exportedAnnotations describes the annotations exported. It is optional for implementation."),
                ]),
            "status": .object(
                "status describes the current state of an exported service. Service configuration comes from the Service that had the same name and namespace as this ServiceExport. Populated by the multi-cluster service implementation's controller.",
                properties: [
                    "conditions": .conditions("Conditions of the export: Valid, Ready and Conflict.")
                ]),
        ],
        limitsNameLength: false)

    /// The CRD of the MCS ServiceExport. The short name `svcexport` stays with the fleet kind (see
    /// docs/api.md, "Two ServiceExport kinds"); `svcex` names this one.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["svcex"], categories: [],
        labels: MCSCRDs.labels,
        versions: [
            .init(name: MCSGroup.v1alpha1, storage: false, schema: schema, printerColumns: [.age]),
            .init(name: MCSGroup.v1beta1, storage: true, schema: schema, printerColumns: [.age]),
        ],
        summary: """
            The Multi-Cluster Services API's export (KEP-1645): exports the Service of the same \
            namespace and name from this member to every member of the fleet, which gets a \
            `multicluster.x-k8s.io` ServiceImport and the exporting clusters' EndpointSlices. All \
            exports of one namespace/name form one service; where they disagree, the oldest export \
            (by `creationTimestamp`, then cluster name) wins each property and every export reports \
            the `Conflict`. `spec.exportedLabels`/`exportedAnnotations` go onto the ServiceImports.
            """,
        conditions: [
            .init(type: "Valid", status: "True", reason: "Valid", message: "The ServiceExport and its Service are exportable."),
            .init(type: "Valid", status: "False", reason: "NoService", message: "Service <ns>/<name> is not found."),
            .init(
                type: "Valid", status: "False", reason: "InvalidServiceType",
                message: "Service <ns>/<name> is of type ExternalName, which cannot be exported."),
            .init(type: "Ready", status: "True", reason: "Exported", message: "The service is exported to the fleet."),
            .init(type: "Ready", status: "Unknown", reason: "Pending", message: "The export is waiting for the hub."),
            .init(
                type: "Ready", status: "False", reason: "Failed",
                message: "The export takes no part in the service (a type or export-API conflict)."),
            .init(type: "Conflict", status: "False", reason: "NoConflicts", message: "All exports of the service agree."),
            .init(
                type: "Conflict", status: "True", reason: "PortConflict,SessionAffinityConflict",
                message: "One sentence per conflicting property, naming the clusters and the winning value."),
            .init(
                type: "Conflict", status: "True", reason: "ExportAPIConflict",
                message: "The service is exported through networking.fleet.azure.com by an older export."),
        ])
}
