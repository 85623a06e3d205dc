import KubeModel

// The OpenAPI v3 documents of an API server: the index `/openapi/v3` and one document per
// group version (`/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`), plus the small
// `api`, `apis` and `apis/<group>` documents describing the discovery endpoints.
//
// kubectl relies on them for `apply` (client- and server-side): it looks, in the document of an
// object's group version, for a `patch` operation whose `x-kubernetes-group-version-kind` is the
// object's kind and checks that it declares a `fieldValidation` query parameter. Without that
// it falls back to `/openapi/v2`, which must be protobuf. `kubectl explain` walks
// `components.schemas` to the schema whose `x-kubernetes-group-version-kind` matches.

/// All OpenAPI v3 documents for a fixed set of served resources, computed once.
public struct OpenAPIDocuments: Sendable {
    /// The documents keyed by their index path (`api/v1`, `apis/apps/v1`, `apis`, ...).
    public let documentsByPath: [String: JSONValue]
    /// The content hash of each document, keyed like `documentsByPath`.
    public let hashesByPath: [String: String]

    public init(definitions: [ResourceDefinition], serverVersion: ServerVersion = ServerVersion()) {
        var documents: [String: JSONValue] = [:]
        var byGroupVersion: [String: [ResourceDefinition]] = [:]
        for definition in definitions {
            let path = definition.group.isEmpty ? "api/\(definition.version)" : "apis/\(definition.group)/\(definition.version)"
            byGroupVersion[path, default: []].append(definition)
        }
        let info: JSONValue = ["title": "Kubernetes", "version": .string(serverVersion.gitVersion)]
        for (path, members) in byGroupVersion {
            documents[path] = Self.groupVersionDocument(members.sorted { $0.plural < $1.plural }, info: info)
        }
        documents["api"] = Self.discoveryDocument(path: "/api/", operationId: "getCoreAPIVersions", tag: "core", info: info)
        documents["apis"] = Self.discoveryDocument(path: "/apis/", operationId: "getAPIVersions", tag: "apis", info: info)
        for group in Set(definitions.map(\.group)) where !group.isEmpty {
            let isCustom = definitions.contains { $0.group == group && $0.isCustomResource }
            let pascal = OpenAPISchemaNames.operationGroup(group, isCustomResource: isCustom)
            documents["apis/\(group)"] = Self.discoveryDocument(
                path: "/apis/\(group)/", operationId: "get\(pascal)APIGroup",
                tag: pascal.prefix(1).lowercased() + pascal.dropFirst(), info: info)
        }
        documentsByPath = documents
        hashesByPath = documents.mapValues(ContentDigest.hexDigest(of:))
    }

    /// `GET /openapi/v3`: each document's path with a `serverRelativeURL` carrying its hash, so
    /// clients can cache documents forever and refetch only when the hash changes.
    public var index: JSONValue {
        var paths: [String: JSONValue] = [:]
        for (path, hash) in hashesByPath {
            paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// The document at `path` (without the `/openapi/v3/` prefix), or `nil` (404).
    /// When the request's `hash` equals `hash(forPath:)` a real server answers with
    /// `Cache-Control: public, immutable`; otherwise with `no-cache` semantics.
    public func document(forPath path: String) -> JSONValue? {
        documentsByPath[Self.normalized(path)]
    }

    public func hash(forPath path: String) -> String? {
        hashesByPath[Self.normalized(path)]
    }

    private static func normalized(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.hasPrefix("/") { trimmed.removeFirst() }
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return String(trimmed)
    }

    // MARK: Documents

    private static func discoveryDocument(path: String, operationId: String, tag: String, info: JSONValue) -> JSONValue {
        let operation: JSONValue = [
            "tags": [.string(tag)],
            "description": "get available resources",
            "operationId": .string(operationId),
            "responses": [
                "200": ["description": "OK", "content": ["application/json": ["schema": ["type": "object"]]]],
                "401": ["description": "Unauthorized"],
            ],
        ]
        return ["openapi": "3.0.0", "info": info, "paths": [path: ["get": operation]], "components": ["schemas": .emptyObject]]
    }

    static func groupVersionDocument(_ definitions: [ResourceDefinition], info: JSONValue) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = OpenAPIMetaSchemas.all
        for definition in definitions {
            let builder = OpenAPIResourcePaths(definition: definition)
            for (path, item) in builder.pathItems() { paths[path] = item }
            schemas[builder.schemaName] = OpenAPIResourceSchemas.objectSchema(for: definition)
            schemas[builder.listSchemaName] = OpenAPIResourceSchemas.listSchema(for: definition, itemSchemaName: builder.schemaName)
        }
        return ["openapi": "3.0.0", "info": info, "paths": .object(paths), "components": ["schemas": .object(schemas)]]
    }
}
