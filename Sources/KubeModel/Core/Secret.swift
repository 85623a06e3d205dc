// core/v1 Secret. `data` values are bytes, base64-encoded in JSON (Foundation's default for Data).

import Foundation

/// Sensitive data (core/v1 Secret).
public struct Secret: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Secret"
    public static let plural = "secrets"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    /// Raw bytes; base64 in JSON.
    public var data: [String: Data]?
    /// Write-only convenience merged into `data` by the server.
    public var stringData: [String: String]?
    /// e.g. `Opaque`, `kubernetes.io/tls`.
    public var type: String?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: Data]? = nil,
        stringData: [String: String]? = nil,
        type: String? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, data, stringData, type, immutable
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.data = try container.decodeIfPresent([String: Data].self, forKey: .data)
        self.stringData = try container.decodeIfPresent([String: String].self, forKey: .stringData)
        self.type = try container.decodeIfPresent(String.self, forKey: .type)
        self.immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}
