import Foundation
import KubeModel

// The typed and the unstructured face of ObjectAPI.

/// The API of a typed kind `K` (`client.api(Service.self, namespace: "work")`).
public struct ResourceAPI<K: Resource>: ObjectAPI {
    public let client: KubeClient
    public let endpoint: ResourceEndpoint

    public init(client: KubeClient, namespace: String?) {
        self.client = client
        self.endpoint = ResourceEndpoint(K.self, namespace: namespace)
    }

    public static func decodeObject(_ bytes: [UInt8]) throws -> K {
        try JSONValue(parsing: bytes).decode(as: K.self)
    }

    public static func decodeObject(_ value: JSONValue) throws -> K {
        try value.decode(as: K.self)
    }

    public static func encodeObject(_ object: K) throws -> [UInt8] {
        var object = object
        // Objects built in code often leave these nil; the server requires them.
        if object.apiVersion == nil { object.apiVersion = K.apiVersion }
        if object.kind == nil { object.kind = K.kind }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(object))
    }

    public static func decodeList(_ bytes: [UInt8]) throws -> (items: [K], metadata: ListMeta) {
        let list = try JSONValue(parsing: bytes).decode(as: ListOf<K>.self)
        return (list.items, list.metadata)
    }

    public static func makeList(items: [K], metadata: ListMeta) -> ListOf<K> {
        ListOf(metadata: metadata, items: items)
    }

    public static func identity(of object: K) -> (name: String?, namespace: String?) {
        (object.metadata.name, object.metadata.namespace)
    }

    /// Server-side apply of `object` as the full intent of `fieldManager`.
    public func apply(_ object: K, fieldManager: String, force: Bool = false) async throws -> K {
        guard let name = object.metadata.name else {
            throw KubeClientError.configuration("\(K.plural): apply needs metadata.name")
        }
        let intent = try JSONValue(parsing: Self.encodeObject(object))
        return try await patch(name, .apply(intent, fieldManager: fieldManager, force: force))
    }
}

/// A page-merged list of unstructured objects.
public struct DynamicList: Sendable, Hashable {
    public var metadata: ListMeta
    public var items: [JSONValue]

    public init(metadata: ListMeta = ListMeta(), items: [JSONValue] = []) {
        self.metadata = metadata
        self.items = items
    }
}

/// The API of any resource with `JSONValue` objects (`client.dynamic(apiVersion:plural:namespaced:namespace:)`).
public struct DynamicResourceAPI: ObjectAPI {
    public let client: KubeClient
    public let endpoint: ResourceEndpoint

    public init(client: KubeClient, endpoint: ResourceEndpoint) {
        self.client = client
        self.endpoint = endpoint
    }

    public static func decodeObject(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONValue(parsing: bytes)
    }

    public static func decodeObject(_ value: JSONValue) throws -> JSONValue {
        value
    }

    public static func encodeObject(_ object: JSONValue) throws -> [UInt8] {
        object.serialized()
    }

    public static func decodeList(_ bytes: [UInt8]) throws -> (items: [JSONValue], metadata: ListMeta) {
        let value = try JSONValue(parsing: bytes)
        let metadata = try (value["metadata"] ?? .emptyObject).decode(as: ListMeta.self)
        return (value["items"]?.arrayValue ?? [], metadata)
    }

    public static func makeList(items: [JSONValue], metadata: ListMeta) -> DynamicList {
        DynamicList(metadata: metadata, items: items)
    }

    public static func identity(of object: JSONValue) -> (name: String?, namespace: String?) {
        (object[path: ["metadata", "name"]]?.stringValue, object[path: ["metadata", "namespace"]]?.stringValue)
    }
}
