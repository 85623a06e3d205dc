import KubeModel

// What a CustomResourceDefinition says about one kind, written once in Swift next to the kind's
// type. `customResourceDefinition()` turns it into the object the API server installs; the
// manifests under config/crd and docs/api.md are rendered from it.

/// A kind's CRD: names, scope and served versions.
public struct CRDDefinition: Sendable {
    public var group: String
    public var kind: String
    public var plural: String
    public var shortNames: [String]
    public var categories: [String]
    public var isNamespaced: Bool
    /// Labels on the CRD object itself (e.g. mcs-api's release labels).
    public var labels: [String: String]
    public var versions: [Version]
    /// What the kind is for, for docs/api.md.
    public var summary: String
    /// Conditions the controllers write, for docs/api.md.
    public var conditions: [ConditionDoc]

    public init(
        group: String, kind: String, plural: String, shortNames: [String] = [], categories: [String],
        isNamespaced: Bool = true, labels: [String: String] = [:], versions: [Version], summary: String,
        conditions: [ConditionDoc] = []
    ) {
        self.group = group
        self.kind = kind
        self.plural = plural
        self.shortNames = shortNames
        self.categories = categories
        self.isNamespaced = isNamespaced
        self.labels = labels
        self.versions = versions
        self.summary = summary
        self.conditions = conditions
    }

    /// `<plural>.<group>`, the CRD's object name.
    public var name: String { "\(plural).\(group)" }
    public var singular: String { kind.lowercased() }

    /// The version objects are stored in.
    public var storageVersion: String { versions.first(where: \.storage)?.name ?? versions[0].name }

    /// One served version of the kind.
    public struct Version: Sendable {
        public var name: String
        public var storage: Bool
        public var schema: OpenAPISchema
        public var printerColumns: [PrinterColumn]
        public var hasStatusSubresource: Bool

        public init(
            name: String, storage: Bool, schema: OpenAPISchema, printerColumns: [PrinterColumn] = [],
            hasStatusSubresource: Bool = true
        ) {
            self.name = name
            self.storage = storage
            self.schema = schema
            self.printerColumns = printerColumns
            self.hasStatusSubresource = hasStatusSubresource
        }
    }

    /// An `additionalPrinterColumns` entry.
    public struct PrinterColumn: Sendable, Hashable {
        public var name: String
        public var type: String
        public var jsonPath: String

        public init(name: String, type: String = "string", jsonPath: String) {
            self.name = name
            self.type = type
            self.jsonPath = jsonPath
        }

        /// The column showing a condition's status, e.g. `Is-Valid`.
        public static func conditionStatus(_ name: String, type conditionType: String) -> PrinterColumn {
            PrinterColumn(name: name, jsonPath: ".status.conditions[?(@.type=='\(conditionType)')].status")
        }

        public static let age = PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp")
    }

    /// A condition with one of its reasons, as documented for users.
    public struct ConditionDoc: Sendable, Hashable {
        public var type: String
        public var status: String
        public var reason: String
        public var message: String

        public init(type: String, status: String, reason: String, message: String) {
            self.type = type
            self.status = status
            self.reason = reason
            self.message = message
        }
    }

    /// The CRD object for the API server.
    public func customResourceDefinition() -> CustomResourceDefinition {
        CustomResourceDefinition(
            metadata: ObjectMeta(name: name, labels: labels.isEmpty ? nil : labels),
            spec: CustomResourceDefinitionSpec(
                group: group,
                names: CustomResourceDefinitionNames(
                    plural: plural, singular: singular, shortNames: shortNames.isEmpty ? nil : shortNames,
                    kind: kind, listKind: kind + "List", categories: categories.isEmpty ? nil : categories),
                scope: isNamespaced ? "Namespaced" : "Cluster",
                versions: versions.map { version in
                    CustomResourceDefinitionVersion(
                        name: version.name, served: true, storage: version.storage,
                        schema: CustomResourceValidation(openAPIV3Schema: version.schema.json),
                        subresources: version.hasStatusSubresource
                            ? CustomResourceSubresources(status: .emptyObject) : nil,
                        additionalPrinterColumns: version.printerColumns.isEmpty
                            ? nil
                            : version.printerColumns.map {
                                CustomResourceColumnDefinition(name: $0.name, type: $0.type, jsonPath: $0.jsonPath)
                            })
                }))
    }
}
