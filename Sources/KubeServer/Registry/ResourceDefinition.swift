import KubeModel

// What the server knows about one served resource (a group/version/plural): enough to route
// requests, answer discovery and OpenAPI, render tables and validate objects. Built-in kinds are
// described statically; custom resources get one per served version of an established CRD.

public struct GroupVersionResource: Hashable, Sendable, CustomStringConvertible {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `plural.group` (or just `plural` for the core group), as in RBAC and error messages.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    public var description: String { "\(groupVersion)/\(resource)" }
}

/// One column of `kubectl get` output (`additionalPrinterColumns` for CRDs).
public struct PrinterColumn: Sendable {
    public var name: String
    /// OpenAPI type of the cell: integer, number, string, boolean, date.
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int
    /// A kubectl-style JSONPath such as `.status.conditions[?(@.type=="Ready")].status`.
    public var jsonPath: String
    /// For built-in kinds whose cells are computed (e.g. Pod READY "1/2"); overrides `jsonPath`.
    public var compute: (@Sendable (JSONValue) -> JSONValue)?

    public init(
        name: String, type: String = "string", format: String = "", description: String = "",
        priority: Int = 0, jsonPath: String = "", compute: (@Sendable (JSONValue) -> JSONValue)? = nil
    ) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
        self.compute = compute
    }
}

public struct ResourceDefinition: Sendable {
    /// API group; empty for the core group.
    public var group: String
    public var version: String
    public var kind: String
    public var listKind: String
    /// Plural resource name used in URLs, e.g. `services`.
    public var plural: String
    public var singular: String
    public var shortNames: [String]
    public var categories: [String]
    public var isNamespaced: Bool
    public var hasStatusSubresource: Bool
    /// The `scale` subresource, where the kind has one.
    public var scale: ScaleSubresource?
    public var verbs: [String]
    public var printerColumns: [PrinterColumn]
    /// The `openAPIV3Schema` of a custom resource version; `nil` for built-ins (not schema-validated).
    public var schema: JSONValue?
    /// Whether this version is the storage version of its group/resource.
    public var isStorageVersion: Bool
    /// Built-in kinds accept strategic merge patch; custom resources answer 415 to it.
    public var supportsStrategicMergePatch: Bool
    /// `x-kubernetes-validations` and similar rules compiled for this version (custom resources).
    public var isCustomResource: Bool

    public init(
        group: String, version: String, kind: String, plural: String, singular: String? = nil,
        listKind: String? = nil, shortNames: [String] = [], categories: [String] = [],
        isNamespaced: Bool, hasStatusSubresource: Bool = false, scale: ScaleSubresource? = nil,
        verbs: [String] = ResourceDefinition.allVerbs, printerColumns: [PrinterColumn] = [],
        schema: JSONValue? = nil, isStorageVersion: Bool = true,
        supportsStrategicMergePatch: Bool = true, isCustomResource: Bool = false
    ) {
        self.group = group
        self.version = version
        self.kind = kind
        self.listKind = listKind ?? kind + "List"
        self.plural = plural
        self.singular = singular ?? kind.lowercased()
        self.shortNames = shortNames
        self.categories = categories
        self.isNamespaced = isNamespaced
        self.hasStatusSubresource = hasStatusSubresource
        self.scale = scale
        self.verbs = verbs
        self.printerColumns = printerColumns
        self.schema = schema
        self.isStorageVersion = isStorageVersion
        self.supportsStrategicMergePatch = supportsStrategicMergePatch
        self.isCustomResource = isCustomResource
    }

    public static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public var gvr: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: plural) }
    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `Kind.group` as in error messages: `Widget.example.com "x" is invalid`; just `Kind` for core.
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
}
