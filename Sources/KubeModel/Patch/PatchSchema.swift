// The patch metadata strategic merge patch needs: which lists merge by a key and which primitive
// lists merge as sets. In Kubernetes this comes from the `patchStrategy`/`patchMergeKey` struct
// tags of the Go types; here it is a small tree per kind, with the values transcribed from the
// k8s.io/api types for the fields our kinds carry.

/// How a list field behaves under strategic merge patch.
public enum PatchListStrategy: Sendable, Hashable {
    /// The patch's list replaces the original (the default, and the only behaviour for untagged lists).
    case replace
    /// Elements are objects matched by the value of `key`; matches merge, others are appended.
    case mergeByKey(String)
    /// A list of primitives merged as a set (e.g. `metadata.finalizers`).
    case mergePrimitives
}

/// Strategic-merge metadata for one node of an object: the strategy if the node is a list, and
/// the schemas of its fields (of its elements' fields, for a list of objects).
public struct PatchSchema: Sendable, Hashable {
    public var listStrategy: PatchListStrategy
    public var fields: [String: PatchSchema]

    public init(listStrategy: PatchListStrategy = .replace, fields: [String: PatchSchema] = [:]) {
        self.listStrategy = listStrategy
        self.fields = fields
    }

    /// An object (or an untagged value) whose named fields have their own schemas.
    public static func object(_ fields: [String: PatchSchema]) -> PatchSchema { PatchSchema(fields: fields) }

    /// A list of objects merged by `key`; `element` describes the elements' fields.
    public static func list(mergeKey key: String, element: [String: PatchSchema] = [:]) -> PatchSchema {
        PatchSchema(listStrategy: .mergeByKey(key), fields: element)
    }

    /// A list of primitives merged as a set.
    public static let primitiveSet = PatchSchema(listStrategy: .mergePrimitives)

    /// No metadata: maps merge, lists replace.
    public static let untagged = PatchSchema()

    /// The schema of a field, `untagged` when unknown.
    public func field(_ name: String) -> PatchSchema { fields[name] ?? .untagged }

    /// The list strategy of the field at `path`, e.g. `["spec", "ports"]` → `.mergeByKey("port")`.
    public func listStrategy(at path: [String]) -> PatchListStrategy {
        path.reduce(self) { $0.field($1) }.listStrategy
    }

    /// This schema with `metadata` added (every kind has the same metadata rules).
    func withMetadata() -> PatchSchema {
        var copy = self
        copy.fields["metadata"] = PatchSchema.objectMeta
        return copy
    }
}

extension PatchSchema {
    /// metav1.ObjectMeta: owner references merge by `uid`, finalizers as a set.
    public static let objectMeta = PatchSchema.object([
        "ownerReferences": .list(mergeKey: "uid"),
        "finalizers": .primitiveSet,
    ])

    /// core/v1 Container.
    public static let container: [String: PatchSchema] = [
        "ports": .list(mergeKey: "containerPort"),
        "env": .list(mergeKey: "name"),
        "envFrom": .untagged,
        "volumeMounts": .list(mergeKey: "mountPath"),
        "volumeDevices": .list(mergeKey: "devicePath"),
    ]

    /// core/v1 PodSpec.
    public static let podSpec = PatchSchema.object([
        "volumes": .list(mergeKey: "name"),
        "initContainers": .list(mergeKey: "name", element: container),
        "containers": .list(mergeKey: "name", element: container),
        "ephemeralContainers": .list(mergeKey: "name", element: container),
        "imagePullSecrets": .list(mergeKey: "name"),
        "hostAliases": .list(mergeKey: "ip"),
        "topologySpreadConstraints": .list(mergeKey: "topologyKey"),
        "resourceClaims": .list(mergeKey: "name"),
        "schedulingGates": .list(mergeKey: "name"),
    ])

    /// core/v1 PodStatus.
    public static let podStatus = PatchSchema.object([
        "conditions": .list(mergeKey: "type"),
        "podIPs": .list(mergeKey: "ip"),
        "hostIPs": .list(mergeKey: "ip"),
    ])

    public static let pod = PatchSchema.object(["spec": podSpec, "status": podStatus]).withMetadata()

    public static let service = PatchSchema.object([
        "spec": .object(["ports": .list(mergeKey: "port")]),
        "status": .object(["conditions": .list(mergeKey: "type")]),
    ]).withMetadata()

    public static let deployment = PatchSchema.object([
        "spec": .object(["template": .object(["metadata": objectMeta, "spec": podSpec])]),
        "status": .object(["conditions": .list(mergeKey: "type")]),
    ]).withMetadata()

    public static let namespace = PatchSchema.object([
        "status": .object(["conditions": .list(mergeKey: "type")])
    ]).withMetadata()

    public static let serviceAccount = PatchSchema.object([
        "secrets": .list(mergeKey: "name")
    ]).withMetadata()

    /// Kinds without tagged lists outside metadata (ConfigMap, Secret, Event, Lease,
    /// EndpointSlice, RBAC kinds, CRDs).
    public static let metadataOnly = PatchSchema.untagged.withMetadata()

    public static let configMap = metadataOnly
    public static let secret = metadataOnly
    public static let event = metadataOnly
    public static let lease = metadataOnly
    public static let endpointSlice = metadataOnly

    /// The schema for a built-in kind by `apiVersion`-less kind name; `metadataOnly` for others.
    public static func forKind(_ kind: String) -> PatchSchema {
        switch kind {
        case "Pod": return pod
        case "Service": return service
        case "Deployment": return deployment
        case "Namespace": return namespace
        case "ServiceAccount": return serviceAccount
        default: return metadataOnly
        }
    }
}
