import KubeModel

// What server-side apply needs to know about an object's schema: how lists merge (atomic, set,
// or keyed map), whether maps merge per key, and which map members are declared struct fields.
// Built-in kinds answer from the Kubernetes types' `+listType`/`+listMapKey` markers; custom
// resources answer from their structural schema's `x-kubernetes-*` extensions.

/// How a list merges and which paths name its items.
public enum ListType: Hashable, Sendable {
    /// Replaced as a whole; owned as one field. The default for lists.
    case atomic
    /// Items are scalars, identified by value (`v:`).
    case set
    /// Items are objects identified by `keys` (`k:`); `keyDefaults` fill keys an item omits.
    case map(keys: [String], keyDefaults: [String: JSONValue] = [:])
}

/// How an object-valued field merges.
public enum MapType: Hashable, Sendable {
    /// Members merge one by one. The default for maps and structs.
    case granular
    /// Replaced and owned as a whole (`x-kubernetes-map-type: atomic`, `+structType=atomic`).
    case atomic
}

/// Answers type questions for paths in one kind's objects.
///
/// Paths passed in are real object paths; implementations ignore item identity (see
/// `ObjectPath.schemaPattern`). Unknown paths must get the defaults: atomic lists, granular
/// maps, undeclared members.
public protocol SchemaTypeResolver: Sendable {
    func listType(at path: ObjectPath) -> ListType
    func mapType(at path: ObjectPath) -> MapType
    /// Whether `name` is a declared field of the struct at `path` (rather than a key of a
    /// free-form map). SMD owns undeclared members individually even when they hold objects.
    func isDeclaredField(_ name: String, at path: ObjectPath) -> Bool
}

/// Types of the parts of an object every kind shares: `apiVersion`, `kind`, `metadata`.
enum ObjectMetaTypes {
    static let declaredFields: Set<String> = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
        "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
        "ownerReferences", "finalizers", "managedFields",
    ]

    static func listType(at pattern: String) -> ListType? {
        switch pattern {
        case "metadata.ownerReferences": return .map(keys: ["uid"])
        case "metadata.finalizers": return .set
        case "metadata.managedFields": return .atomic
        default: return nil
        }
    }

    /// Whether the path lies in the shared envelope, and if so whether `name` is declared there.
    static func isDeclaredField(_ name: String, at pattern: String) -> Bool? {
        switch pattern {
        case "": return ["apiVersion", "kind", "metadata"].contains(name) ? true : nil
        case "metadata": return declaredFields.contains(name)
        case "metadata.labels", "metadata.annotations": return false
        case "metadata.ownerReferences[]":
            return ["apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"].contains(name)
        default: return nil
        }
    }
}

/// Resolves types from a CRD version's structural schema (`openAPIV3Schema`).
public struct StructuralSchemaTypeResolver: SchemaTypeResolver {
    public let schema: JSONValue

    public init(openAPIV3Schema: JSONValue) {
        self.schema = openAPIV3Schema
    }

    /// The schema node at `path`; `nil` past the edge of the schema (free-form content).
    func node(at path: ObjectPath) -> JSONValue? {
        var current = schema
        for element in path.elements {
            switch element {
            case .field(let name):
                if let property = current["properties"]?[name] {
                    current = property
                } else if let additional = current["additionalProperties"], additional.objectValue != nil {
                    current = additional
                } else {
                    return nil
                }
            case .key, .value, .index:
                guard let items = current["items"] else { return nil }
                current = items
            }
        }
        return current
    }

    public func listType(at path: ObjectPath) -> ListType {
        if let shared = ObjectMetaTypes.listType(at: path.schemaPattern) { return shared }
        guard let node = node(at: path) else { return .atomic }
        switch node["x-kubernetes-list-type"]?.stringValue {
        case "set": return .set
        case "map":
            let keys = node["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            var defaults: [String: JSONValue] = [:]
            for key in keys {
                if let value = node["items"]?["properties"]?[key]?["default"] { defaults[key] = value }
            }
            return .map(keys: keys, keyDefaults: defaults)
        default: return .atomic
        }
    }

    public func mapType(at path: ObjectPath) -> MapType {
        if path.schemaPattern.hasPrefix("metadata") { return .granular }
        return node(at: path)?["x-kubernetes-map-type"]?.stringValue == "atomic" ? .atomic : .granular
    }

    public func isDeclaredField(_ name: String, at path: ObjectPath) -> Bool {
        if let shared = ObjectMetaTypes.isDeclaredField(name, at: path.schemaPattern) { return shared }
        return node(at: path)?["properties"]?[name] != nil
    }
}
