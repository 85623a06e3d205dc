// core/v1 Namespace.

/// A scope for names (core/v1 Namespace).
public struct Namespace: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Namespace"
    public static let plural = "namespaces"
    public static let isNamespaced = false

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var spec: NamespaceSpec?
    public var status: NamespaceStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: NamespaceSpec? = nil,
        status: NamespaceStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try container.decodeIfPresent(NamespaceSpec.self, forKey: .spec)
        self.status = try container.decodeIfPresent(NamespaceStatus.self, forKey: .status)
    }
}

public struct NamespaceSpec: Codable, Sendable, Hashable {
    /// Finalizers that must be emptied before the namespace is removed, e.g. `kubernetes`.
    public var finalizers: [String]?

    public init(
        finalizers: [String]? = nil
    ) {
        self.finalizers = finalizers
    }
}

public struct NamespaceStatus: Codable, Sendable, Hashable {
    /// `Active` or `Terminating`.
    public var phase: String?
    public var conditions: [NamespaceCondition]?

    public init(
        phase: String? = nil,
        conditions: [NamespaceCondition]? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
    }
}

public struct NamespaceCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: String,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
