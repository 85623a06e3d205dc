// core/v1 ServiceAccount.

/// An identity for processes in pods (core/v1 ServiceAccount).
public struct ServiceAccount: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "ServiceAccount"
    public static let plural = "serviceaccounts"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var secrets: [ObjectReference]?
    public var imagePullSecrets: [LocalObjectReference]?
    public var automountServiceAccountToken: Bool?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        secrets: [ObjectReference]? = nil,
        imagePullSecrets: [LocalObjectReference]? = nil,
        automountServiceAccountToken: Bool? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.secrets = secrets
        self.imagePullSecrets = imagePullSecrets
        self.automountServiceAccountToken = automountServiceAccountToken
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, secrets, imagePullSecrets, automountServiceAccountToken
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.secrets = try container.decodeIfPresent([ObjectReference].self, forKey: .secrets)
        self.imagePullSecrets = try container.decodeIfPresent([LocalObjectReference].self, forKey: .imagePullSecrets)
        self.automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
    }
}

/// A reference to an object in the same namespace by name.
public struct LocalObjectReference: Codable, Sendable, Hashable {
    public var name: String?

    public init(
        name: String? = nil
    ) {
        self.name = name
    }
}
