import Foundation
import KubeModel

// The verbs of a resource, written once for typed (`ResourceAPI<K>`) and unstructured
// (`DynamicResourceAPI`) objects. A conformer says how its objects are encoded and decoded; the
// extension builds the requests, as kube-apiserver expects them, and sends them through the client.

/// An API over one resource. Conformers supply the coding; all verbs come from the extension.
public protocol ObjectAPI: Sendable {
    associatedtype Object: Sendable
    associatedtype List: Sendable

    var client: KubeClient { get }
    var endpoint: ResourceEndpoint { get }

    static func decodeObject(_ bytes: [UInt8]) throws -> Object
    static func decodeObject(_ value: JSONValue) throws -> Object
    static func encodeObject(_ object: Object) throws -> [UInt8]
    /// Decodes one page of a list.
    static func decodeList(_ bytes: [UInt8]) throws -> (items: [Object], metadata: ListMeta)
    static func makeList(items: [Object], metadata: ListMeta) -> List
    /// `metadata.name` and `metadata.namespace` of an object.
    static func identity(of object: Object) -> (name: String?, namespace: String?)
}

extension ObjectAPI {
    /// Reads one object.
    public func get(_ name: String) async throws -> Object {
        let request = KubeRequest(path: try endpoint.objectPath(name: name))
        return try await send(request)
    }

    /// Lists every object matching the selectors, following `continue` tokens page by page
    /// (`pageSize` objects each; 0 asks for everything at once). The list's resourceVersion is the
    /// one of the first page, from which a watch can resume. An expired continue token (410)
    /// throws; list again.
    public func list(
        labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int = 500
    ) async throws -> List {
        var items: [Object] = []
        var metadata = ListMeta()
        var continueToken: String?
        repeat {
            var query: [KubeRequest.QueryItem] = []
            if let labelSelector, !labelSelector.isEmpty { query.append(.init("labelSelector", labelSelector)) }
            if let fieldSelector, !fieldSelector.isEmpty { query.append(.init("fieldSelector", fieldSelector)) }
            if pageSize > 0 { query.append(.init("limit", String(pageSize))) }
            if let continueToken { query.append(.init("continue", continueToken)) }
            let request = KubeRequest(path: endpoint.collectionPath(), query: query)
            let response = try await client.requestRaw(request)
            let page = try decoding(request) { try Self.decodeList(response.body) }
            if metadata.resourceVersion == nil { metadata.resourceVersion = page.metadata.resourceVersion }
            items += page.items
            continueToken = page.metadata.continue.flatMap { $0.isEmpty ? nil : $0 }
        } while continueToken != nil
        return Self.makeList(items: items, metadata: metadata)
    }

    /// Opens a watch. Events arrive as the stream is iterated; it ends when the server closes it
    /// (after `timeoutSeconds`, or after an ERROR event) or when the iterating task is cancelled.
    /// - Parameters:
    ///   - resourceVersion: start after this version (typically a list's); nil starts "now"
    ///     with no initial events, "0" starts with ADDED events for every existing object.
    ///   - allowBookmarks: ask for BOOKMARK events.
    ///   - sendInitialEvents: stream the current state first, ending with a bookmark annotated
    ///     `k8s.io/initial-events-end` (requires `allowBookmarks`).
    public func watch(
        resourceVersion: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil,
        allowBookmarks: Bool = false, timeoutSeconds: Int? = nil, sendInitialEvents: Bool? = nil
    ) async throws -> WatchStream<Object> {
        var query: [KubeRequest.QueryItem] = [.init("watch", "true")]
        if let resourceVersion { query.append(.init("resourceVersion", resourceVersion)) }
        if let labelSelector, !labelSelector.isEmpty { query.append(.init("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(.init("fieldSelector", fieldSelector)) }
        if allowBookmarks { query.append(.init("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { query.append(.init("timeoutSeconds", String(timeoutSeconds))) }
        if let sendInitialEvents {
            query.append(.init("sendInitialEvents", String(sendInitialEvents)))
            if sendInitialEvents { query.append(.init("resourceVersionMatch", "NotOlderThan")) }
        }
        let request = KubeRequest(path: endpoint.collectionPath(), query: query)
        let response = try await client.stream(request)
        return WatchStream(
            body: response.body, decode: { try Self.decodeObject($0) }, request: client.describe(request), reachability: client.reachability)
    }

    /// Creates `object` in the API's namespace (or the object's own when the API has none).
    public func create(_ object: Object, fieldManager: String? = nil) async throws -> Object {
        let request = KubeRequest(
            method: "POST", path: endpoint.collectionPath(namespace: try namespace(for: object)),
            query: writeQuery(fieldManager: fieldManager), body: try Self.encodeObject(object), contentType: "application/json")
        return try await send(request)
    }

    /// Replaces `object` (PUT); a stale `metadata.resourceVersion` fails with a conflict.
    public func replace(_ object: Object, fieldManager: String? = nil) async throws -> Object {
        try await put(object, subresource: nil, fieldManager: fieldManager)
    }

    /// Replaces the status of `object` (PUT to the `status` subresource); the rest is ignored.
    public func replaceStatus(_ object: Object, fieldManager: String? = nil) async throws -> Object {
        try await put(object, subresource: "status", fieldManager: fieldManager)
    }

    /// Patches the object (or its `status` subresource when `subresource` is "status").
    public func patch(
        _ name: String, _ patch: Patch, subresource: String? = nil, fieldManager: String? = nil
    ) async throws -> Object {
        var query = patch.query
        if let fieldManager, !query.contains(where: { $0.name == "fieldManager" }) {
            query.append(.init("fieldManager", fieldManager))
        }
        let request = KubeRequest(
            method: "PATCH", path: try endpoint.objectPath(name: name, subresource: subresource), query: query,
            body: patch.body, contentType: patch.contentType)
        return try await send(request)
    }

    /// Deletes an object. Returns the object while it still exists (finalizers pending, or
    /// foreground deletion), nil once the server reports it gone (a `Status` answer).
    @discardableResult
    public func delete(
        _ name: String, preconditions: Preconditions? = nil, propagationPolicy: PropagationPolicy? = nil,
        gracePeriodSeconds: Int? = nil
    ) async throws -> Object? {
        let options = DeleteOptionsBody(preconditions: preconditions, propagationPolicy: propagationPolicy, gracePeriodSeconds: gracePeriodSeconds)
        let request = KubeRequest(
            method: "DELETE", path: try endpoint.objectPath(name: name),
            body: options.isEmpty ? nil : options.json.serialized(), contentType: options.isEmpty ? nil : "application/json")
        let response = try await client.requestRaw(request)
        let value = try decoding(request) { try JSONValue(parsing: response.body) }
        if value["kind"]?.stringValue == "Status" { return nil }
        return try decoding(request) { try Self.decodeObject(response.body) }
    }

    /// Deletes every object matching the selectors in the API's namespace.
    public func deleteCollection(
        labelSelector: String? = nil, fieldSelector: String? = nil, propagationPolicy: PropagationPolicy? = nil
    ) async throws {
        var query: [KubeRequest.QueryItem] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(.init("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(.init("fieldSelector", fieldSelector)) }
        let options = DeleteOptionsBody(propagationPolicy: propagationPolicy)
        let request = KubeRequest(
            method: "DELETE", path: endpoint.collectionPath(), query: query,
            body: options.isEmpty ? nil : options.json.serialized(), contentType: options.isEmpty ? nil : "application/json")
        _ = try await client.requestRaw(request)
    }

    // MARK: Helpers

    private func put(_ object: Object, subresource: String?, fieldManager: String?) async throws -> Object {
        let identity = Self.identity(of: object)
        guard let name = identity.name else {
            throw KubeClientError.configuration("\(endpoint.plural): replace needs metadata.name")
        }
        let request = KubeRequest(
            method: "PUT", path: try endpoint.objectPath(name: name, namespace: try namespace(for: object), subresource: subresource),
            query: writeQuery(fieldManager: fieldManager), body: try Self.encodeObject(object), contentType: "application/json")
        return try await send(request)
    }

    /// The namespace a write goes to: the API's, else the object's. A mismatch is left to the
    /// server, which rejects it with the message kube-apiserver gives.
    private func namespace(for object: Object) throws -> String? {
        guard endpoint.isNamespaced else { return nil }
        if let namespace = endpoint.namespace { return namespace }
        guard let namespace = Self.identity(of: object).namespace, !namespace.isEmpty else {
            throw KubeClientError.configuration("\(endpoint.plural): a namespace is required (set metadata.namespace or bind the API to one)")
        }
        return namespace
    }

    private func writeQuery(fieldManager: String?) -> [KubeRequest.QueryItem] {
        guard let fieldManager else { return [] }
        return [.init("fieldManager", fieldManager)]
    }

    private func send(_ request: KubeRequest) async throws -> Object {
        let response = try await client.requestRaw(request)
        return try decoding(request) { try Self.decodeObject(response.body) }
    }

    func decoding<T>(_ request: KubeRequest, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as KubeClientError {
            throw error
        } catch {
            throw KubeClientError(kind: .decoding, message: "cannot decode the answer", request: client.describe(request), underlying: error)
        }
    }
}
