import KubeModel

// InternalServiceImport: a member's claim on a hub ServiceImport, in `fleet-member-<cluster>`
// (reference-api §1.7). The hub fills its status with the ServiceImport's while the claim holds.

/// A member's import request on the hub (networking.fleet.azure.com/v1alpha1).
public struct InternalServiceImport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "InternalServiceImport"
    public static let plural = "internalserviceimports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: InternalServiceImportSpec
    public var status: ServiceImportStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(), spec: InternalServiceImportSpec, status: ServiceImportStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct InternalServiceImportSpec: Codable, Sendable, Hashable {
    /// The member ServiceImport this claim stands for; its namespace/name name the hub ServiceImport.
    public var serviceImportReference: ExportedObjectReference

    public init(serviceImportReference: ExportedObjectReference) {
        self.serviceImportReference = serviceImportReference
    }
}

extension InternalServiceImport {
    /// The CRD of InternalServiceImport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["internalsvcimport"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "InternalServiceImport is a data transport type that hub cluster uses to report the spec of imported Service to member clusters, and member clusters use to request an import.",
                    properties: [
                        "spec": .object(
                            "InternalServiceImportSpec specifies the spec of an imported Service.",
                            properties: [
                                "serviceImportReference": OpenAPISchema.exportedObjectReference.describing(
                                    "A reference to the ServiceImport in the member cluster that requests the import.")
                            ],
                            required: ["serviceImportReference"]),
                        "status": OpenAPISchema.serviceImportStatus.describing(
                            "The status of the hub ServiceImport, copied while this import holds it."),
                    ],
                    required: ["spec"],
                    limitsNameLength: false))
        ],
        summary: """
            Internal: a member's request to import a fleet service, in the hub namespace \
            `fleet-member-<cluster>`. The first importer claims the hub ServiceImport; while the \
            claim holds, the hub copies the ServiceImport's status here and the member copies it to \
            its own ServiceImport.
            """)
}
