// rbac.authorization.k8s.io/v1 RoleBinding and ClusterRoleBinding.

/// Grants a Role or ClusterRole within a namespace.
public struct RoleBinding: Resource, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "RoleBinding"
    public static let plural = "rolebindings"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var subjects: [Subject]?
    public var roleRef: RoleRef

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        subjects: [Subject]? = nil,
        roleRef: RoleRef = RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "")
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, subjects, roleRef
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.subjects = try container.decodeIfPresent([Subject].self, forKey: .subjects)
        self.roleRef = try container.decodeIfPresent(RoleRef.self, forKey: .roleRef) ?? RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "")
    }
}

/// Grants a ClusterRole cluster-wide.
public struct ClusterRoleBinding: Resource, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "ClusterRoleBinding"
    public static let plural = "clusterrolebindings"
    public static let isNamespaced = false

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var subjects: [Subject]?
    public var roleRef: RoleRef

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        subjects: [Subject]? = nil,
        roleRef: RoleRef = RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "")
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.subjects = subjects
        self.roleRef = roleRef
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, subjects, roleRef
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.subjects = try container.decodeIfPresent([Subject].self, forKey: .subjects)
        self.roleRef = try container.decodeIfPresent(RoleRef.self, forKey: .roleRef) ?? RoleRef(apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "")
    }
}

public struct Subject: Codable, Sendable, Hashable {
    /// `User`, `Group` or `ServiceAccount`.
    public var kind: String
    public var apiGroup: String?
    public var name: String
    public var namespace: String?

    public init(
        kind: String,
        apiGroup: String? = nil,
        name: String,
        namespace: String? = nil
    ) {
        self.kind = kind
        self.apiGroup = apiGroup
        self.name = name
        self.namespace = namespace
    }
}

public struct RoleRef: Codable, Sendable, Hashable {
    public var apiGroup: String
    public var kind: String
    public var name: String

    public init(
        apiGroup: String,
        kind: String,
        name: String
    ) {
        self.apiGroup = apiGroup
        self.kind = kind
        self.name = name
    }
}
