// rbac.authorization.k8s.io/v1 Role and ClusterRole.

/// A namespaced set of permissions (rbac/v1 Role).
public struct Role: Resource, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "Role"
    public static let plural = "roles"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        rules: [PolicyRule]? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.rules = rules
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, rules
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.rules = try container.decodeIfPresent([PolicyRule].self, forKey: .rules)
    }
}

/// A cluster-wide set of permissions (rbac/v1 ClusterRole).
public struct ClusterRole: Resource, Hashable {
    public static let group = "rbac.authorization.k8s.io"
    public static let version = "v1"
    public static let kind = "ClusterRole"
    public static let plural = "clusterroles"
    public static let isNamespaced = false

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]?
    public var aggregationRule: AggregationRule?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        rules: [PolicyRule]? = nil,
        aggregationRule: AggregationRule? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.rules = rules
        self.aggregationRule = aggregationRule
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, rules, aggregationRule
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.rules = try container.decodeIfPresent([PolicyRule].self, forKey: .rules)
        self.aggregationRule = try container.decodeIfPresent(AggregationRule.self, forKey: .aggregationRule)
    }
}

/// Selects ClusterRoles whose rules are aggregated into this one.
public struct AggregationRule: Codable, Sendable, Hashable {
    public var clusterRoleSelectors: [LabelSelector]?

    public init(
        clusterRoleSelectors: [LabelSelector]? = nil
    ) {
        self.clusterRoleSelectors = clusterRoleSelectors
    }
}

public struct PolicyRule: Codable, Sendable, Hashable {
    public var verbs: [String]
    public var apiGroups: [String]?
    public var resources: [String]?
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(
        verbs: [String] = [],
        apiGroups: [String]? = nil,
        resources: [String]? = nil,
        resourceNames: [String]? = nil,
        nonResourceURLs: [String]? = nil
    ) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
        self.nonResourceURLs = nonResourceURLs
    }

    private enum CodingKeys: String, CodingKey {
        case verbs, apiGroups, resources, resourceNames, nonResourceURLs
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.verbs = try container.decodeIfPresent([String].self, forKey: .verbs) ?? []
        self.apiGroups = try container.decodeIfPresent([String].self, forKey: .apiGroups)
        self.resources = try container.decodeIfPresent([String].self, forKey: .resources)
        self.resourceNames = try container.decodeIfPresent([String].self, forKey: .resourceNames)
        self.nonResourceURLs = try container.decodeIfPresent([String].self, forKey: .nonResourceURLs)
    }
}
