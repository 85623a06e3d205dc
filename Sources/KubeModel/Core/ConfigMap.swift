// core/v1 ConfigMap.

import Foundation

/// Non-secret configuration data (core/v1 ConfigMap).
public struct ConfigMap: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "ConfigMap"
    public static let plural = "configmaps"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Values are base64 in JSON.
    public var binaryData: [String: Data]?
    public var immutable: Bool?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        data: [String: String]? = nil,
        binaryData: [String: Data]? = nil,
        immutable: Bool? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, data, binaryData, immutable
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.data = try container.decodeIfPresent([String: String].self, forKey: .data)
        self.binaryData = try container.decodeIfPresent([String: Data].self, forKey: .binaryData)
        self.immutable = try container.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}
