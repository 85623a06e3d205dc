// The contract between typed kinds and everything generic over them (clients, caches, the
// server's registry): where a kind lives in the API and how its objects are identified.

/// A typed Kubernetes kind. Conformers carry their identity as static members and their
/// object metadata as `metadata`; `apiVersion`/`kind` are stored so they round-trip.
public protocol Resource: Codable, Sendable {
    /// API group; empty for the core group.
    static var group: String { get }
    static var version: String { get }
    static var kind: String { get }
    /// Lower-case plural used in URLs, e.g. `services`.
    static var plural: String { get }
    /// Whether objects live in a namespace (false for cluster-scoped kinds).
    static var isNamespaced: Bool { get }

    var apiVersion: String? { get set }
    var kind: String? { get set }
    var metadata: ObjectMeta { get set }
}

extension Resource {
    /// `group/version`, or just `version` for the core group (e.g. `v1`, `apps/v1`).
    public static var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `kind` + `List`, the kind of collection responses.
    public static var listKind: String { kind + "List" }

    /// `namespace/name`, or `name` for cluster-scoped objects: the key caches and queues use.
    public var namespacedName: String {
        let name = metadata.name ?? ""
        if let namespace = metadata.namespace, !namespace.isEmpty { return "\(namespace)/\(name)" }
        return name
    }
}

/// A list response of a typed kind, e.g. `ServiceList` (`apiVersion`, `kind`, `metadata`, `items`).
public struct ListOf<Item: Resource>: Codable, Sendable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ListMeta
    public var items: [Item]

    public init(metadata: ListMeta = ListMeta(), items: [Item] = []) {
        apiVersion = Item.apiVersion
        kind = Item.listKind
        self.metadata = metadata
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, items
    }

    /// Go writes `"items": null` for an empty list in some versions; both forms decode.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try container.decodeIfPresent(String.self, forKey: .kind)
        metadata = try container.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try container.decodeIfPresent([Item].self, forKey: .items) ?? []
    }

    /// Always writes `items`, even when empty, as kube-apiserver does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(apiVersion, forKey: .apiVersion)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(items, forKey: .items)
    }
}

extension ListOf: Equatable where Item: Equatable {}
extension ListOf: Hashable where Item: Hashable {}
