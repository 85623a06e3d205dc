import KubeModel

// ServiceImport: the fleet-wide view of an exported service (reference-api §1.5). On the hub it
// is resolved from every cluster's export; in a member it is the import a MultiClusterService
// created, with its status copied from the hub.

/// A service imported from the fleet (networking.fleet.azure.com/v1alpha1).
public struct ServiceImport: Resource, Hashable {
    public static let group = NetworkingGroup.name
    public static let version = NetworkingGroup.v1alpha1
    public static let kind = "ServiceImport"
    public static let plural = "serviceimports"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var status: ServiceImportStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), status: ServiceImportStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.status = status
    }
}

extension ServiceImport {
    /// The CRD of ServiceImport.
    public static let definition = CRDDefinition(
        group: group, kind: kind, plural: plural, shortNames: ["svcimport"],
        categories: [NetworkingGroup.category],
        versions: [
            .init(
                name: NetworkingGroup.v1alpha1, storage: true,
                schema: .root(
                    "ServiceImport describes a service imported from clusters in a ClusterSet.",
                    properties: ["status": .serviceImportStatus],
                    limitsNameLength: true))
        ],
        summary: """
            The fleet-wide view of an exported service, written by the controllers (users do not \
            create it). On the hub, in the service's namespace, its status holds the resolved ports \
            and the clusters exporting without conflict; the annotation \
            `networking.fleet.azure.com/service-in-use-by` names the cluster importing it. In a \
            member, a MultiClusterService creates one named by `spec.serviceImport.name` and its \
            status mirrors the hub's.
            """)
}
