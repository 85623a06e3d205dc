import KubeModel

/// Identifies an object within one kind: namespace (empty for cluster-scoped objects) and name.
/// It is what caches index by and what controllers queue (controller-runtime's
/// `types.NamespacedName`); it prints as `namespace/name`, or `name` when cluster-scoped.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Empty for cluster-scoped objects.
    public var namespace: String
    public var name: String

    public init(namespace: String = "", name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// The key of `object`, from its metadata.
    public init(_ object: some Resource) {
        self.init(namespace: object.metadata.namespace ?? "", name: object.metadata.name ?? "")
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }

    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
