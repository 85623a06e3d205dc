import Foundation
import KubeModel
import Synchronization

// The API semantics of the embedded server, independent of HTTP: create, read, update, patch and
// delete of unstructured objects with the behaviour of kube-apiserver's generic registry —
// resource versions, generations, finalizers and deletion timestamps, status subresources,
// admission (defaulting, pruning, validation) and the custom-resource lifecycle.

public struct ServerOptions: Sendable {
    /// Range Service cluster IPs are allocated from.
    public var serviceClusterIPRange: String
    /// NodePorts are allocated from this range.
    public var nodePortRange: ClosedRange<Int>
    /// Largest request body accepted.
    public var maxRequestBodyBytes: Int
    /// Changes kept for watch resumption; older resource versions get 410 Gone.
    public var historyLimit: Int
    /// Interval between watch bookmarks for watchers that allow them.
    public var bookmarkInterval: Duration
    /// Whether cluster IPs come from the process-wide allocator of `serviceClusterIPRange`
    /// (`IPAllocator.shared`): for servers whose cluster IPs are served on this machine.
    public var sharesServiceIPsInProcess: Bool

    public init(
        serviceClusterIPRange: String = "10.96.0.0/16", nodePortRange: ClosedRange<Int> = 30000...32767,
        maxRequestBodyBytes: Int = 3 * 1024 * 1024, historyLimit: Int = 100_000,
        bookmarkInterval: Duration = .seconds(10), sharesServiceIPsInProcess: Bool = false
    ) {
        self.sharesServiceIPsInProcess = sharesServiceIPsInProcess
        self.serviceClusterIPRange = serviceClusterIPRange
        self.nodePortRange = nodePortRange
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.historyLimit = historyLimit
        self.bookmarkInterval = bookmarkInterval
    }
}

public final class APIServerCore: Sendable {
    public let store: ObjectStore
    public let registry: ResourceRegistry
    public let options: ServerOptions
    let clusterIPs: IPAllocator
    let nodePorts: PortAllocator
    let schemaCache = SchemaCache()

    public init(options: ServerOptions = ServerOptions()) throws {
        self.options = options
        self.store = ObjectStore(historyLimit: options.historyLimit)
        self.registry = ResourceRegistry()
        self.clusterIPs =
            options.sharesServiceIPsInProcess
            ? try IPAllocator.shared(cidr: options.serviceClusterIPRange) : try IPAllocator(cidr: options.serviceClusterIPRange)
        self.nodePorts = PortAllocator(range: options.nodePortRange)
        try bootstrap()
    }

    // MARK: Read

    public func get(_ definition: ResourceDefinition, namespace: String, name: String) throws(APIError) -> JSONValue {
        let key = StorageKey(namespace: definition.isNamespaced ? namespace : "", name: name)
        guard let (object, _) = store.get(definition.groupResource, key) else {
            throw .notFound(definition.groupResource, name: name)
        }
        return presented(object, as: definition)
    }

    /// The object as served in `definition`'s version (all versions share one stored form).
    func presented(_ object: JSONValue, as definition: ResourceDefinition) -> JSONValue {
        guard object["apiVersion"]?.stringValue != definition.groupVersion else { return object }
        var object = object
        object["apiVersion"] = .string(definition.groupVersion)
        return object
    }

    // MARK: Create

    public func create(
        _ definition: ResourceDefinition, namespace: String, body: JSONValue, options: WriteOptions,
        keepManagedFields: Bool = false
    ) throws(APIError) -> (object: JSONValue, warnings: [String]) {
        var object = try checkedBody(body, for: definition, namespace: namespace, name: nil)
        if definition.isNamespaced {
            try requireActiveNamespace(namespace, creating: object.metaName, of: definition.groupResource)
        }
        if object.metaName.isEmpty, let prefix = object[path: ["metadata", "generateName"]]?.stringValue, !prefix.isEmpty {
            object.setMeta("name", .string(Self.generateName(prefix: prefix)))
        }
        // Fields the server owns are reset, as kube-apiserver's BeforeCreate does.
        for field in ["uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            object.setMeta(field, nil)
        }
        object.setMeta("generation", .int(1))
        object.setMeta("creationTimestamp", .string(Time.now().rfc3339))
        if definition.hasStatusSubresource && definition.kind != "Pod" {
            object["status"] = nil
        }
        var warnings = try admit(&object, as: definition, old: nil, options: options)
        try allocate(&object, as: definition, old: nil)
        object.setMeta("uid", .string(UUID().uuidString.lowercased()))
        if !keepManagedFields {
            object = try FieldOwnership.recordUpdate(
                old: nil, new: object, manager: options.fieldManager, subresource: nil, definition: definition)
        }
        if options.isDryRun {
            release(object, as: definition)
            return (presented(object, as: definition), warnings)
        }
        let key = StorageKey(namespace: object.metaNamespace, name: object.metaName)
        let prepared = object
        do {
            let stored = try store.create(definition.groupResource, key) { revision in
                var stored = prepared
                stored.setMeta("resourceVersion", .string(String(revision)))
                return stored
            }
            warnings += afterWrite(stored, old: nil, as: definition)
            return (presented(currentOrSelf(stored, definition), as: definition), warnings)
        } catch {
            release(object, as: definition)
            throw .alreadyExists(definition.groupResource, name: key.name)
        }
    }

    /// After a CRD write the stored object changes again (status); return what the client should see.
    private func currentOrSelf(_ object: JSONValue, _ definition: ResourceDefinition) -> JSONValue {
        guard definition.group == "apiextensions.k8s.io" else { return object }
        return store.get(definition.groupResource, StorageKey(namespace: "", name: object.metaName))?.object ?? object
    }

    // MARK: Update

    /// PUT of the main resource or of a subresource (`status`, `finalize` for namespaces).
    public func update(
        _ definition: ResourceDefinition, namespace: String, name: String, subresource: String, body: JSONValue,
        options: WriteOptions
    ) throws(APIError) -> (object: JSONValue, warnings: [String], created: Bool) {
        let new = try checkedBody(body, for: definition, namespace: namespace, name: name)
        let key = StorageKey(namespace: definition.isNamespaced ? namespace : "", name: name)
        let requested = new.metaResourceVersion
        guard let (current, revision) = store.get(definition.groupResource, key) else {
            if subresource.isEmpty && Self.allowsCreateOnUpdate(definition) {
                let (object, warnings) = try create(definition, namespace: namespace, body: new, options: options)
                return (object, warnings, true)
            }
            throw .notFound(definition.groupResource, name: name)
        }
        if !requested.isEmpty {
            guard let requestedRevision = Int64(requested) else {
                throw .badRequest("metadata.resourceVersion: Invalid value: \"\(requested)\": must be a valid resource version")
            }
            if requestedRevision != revision { throw .modified(definition.groupResource, name: name) }
        } else if definition.isCustomResource {
            // Custom resources require optimistic concurrency on update, as kube-apiserver does.
            throw .invalid(
                kind: definition.kind, group: definition.group, name: name,
                errors: [.invalid("metadata.resourceVersion", .string(""), "must be specified for an update")])
        }
        let (object, warnings) = try commitUpdate(
            definition, key: key, current: current, revision: revision, proposed: new, subresource: subresource,
            options: options, manager: options.fieldManager, operationIsApply: false)
        return (object, warnings, false)
    }

    static func allowsCreateOnUpdate(_ definition: ResourceDefinition) -> Bool {
        !definition.isCustomResource && ["Lease", "ConfigMap", "Secret", "Event", "EndpointSlice"].contains(definition.kind)
    }

    /// Merges `proposed` with `current` according to the subresource, admits and stores it.
    func commitUpdate(
        _ definition: ResourceDefinition, key: StorageKey, current: JSONValue, revision: Int64, proposed: JSONValue,
        subresource: String, options: WriteOptions, manager: String, operationIsApply: Bool,
        managedFieldsOverride: JSONValue? = nil
    ) throws(APIError) -> (JSONValue, [String]) {
        var object = try merged(proposed: proposed, current: current, definition: definition, subresource: subresource)
        // Identity and server-owned metadata are kept from the stored object.
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "name", "namespace"] {
            object.setMeta(field, current[path: ["metadata", field]])
        }
        if object.specPortion != current.specPortion && subresource.isEmpty {
            object.setMeta("generation", .int(current.metaGeneration + 1))
        }
        if current.metaDeletionTimestamp != nil {
            let added = Set(object.metaFinalizers).subtracting(current.metaFinalizers)
            if !added.isEmpty {
                throw .invalid(
                    kind: definition.kind, group: definition.group, name: key.name,
                    errors: [.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.sorted().map { "\"\($0)\"" }.joined(separator: ", "))}")])
            }
        }
        var warnings = try admit(&object, as: definition, old: current, options: options)
        try allocate(&object, as: definition, old: current)
        if let managedFieldsOverride {
            object.setMeta("managedFields", managedFieldsOverride)
        } else {
            object = try FieldOwnership.recordUpdate(
                old: current, new: object, manager: manager, subresource: subresource.isEmpty ? nil : subresource,
                definition: definition)
        }
        if object == current || Self.equalIgnoringManagedFieldTimes(object, current) {
            // A write that changes nothing does not create a revision (kube-apiserver short-circuits too).
            return (presented(current, as: definition), warnings)
        }
        if options.isDryRun { return (presented(object, as: definition), warnings) }

        if current.metaDeletionTimestamp != nil && object.metaFinalizers.isEmpty && !Self.hasPendingSpecFinalizers(object) {
            // The last finalizer is gone: the deletion completes now.
            do {
                let last = try store.delete(definition.groupResource, key, expectedRevision: revision) { _, deletionRevision in
                    var last = object
                    last.setMeta("resourceVersion", .string(String(deletionRevision)))
                    return last
                }
                warnings += afterDelete(last, as: definition)
                return (presented(last, as: definition), warnings)
            } catch StoreError.conflict {
                throw .modified(definition.groupResource, name: key.name)
            } catch {
                throw .notFound(definition.groupResource, name: key.name)
            }
        }
        let prepared = object
        do {
            let stored = try store.update(definition.groupResource, key, expectedRevision: revision) { newRevision in
                var stored = prepared
                stored.setMeta("resourceVersion", .string(String(newRevision)))
                return stored
            }
            warnings += afterWrite(stored, old: current, as: definition)
            return (presented(currentOrSelf(stored, definition), as: definition), warnings)
        } catch StoreError.conflict {
            throw .modified(definition.groupResource, name: key.name)
        } catch {
            throw .notFound(definition.groupResource, name: key.name)
        }
    }

    private static func equalIgnoringManagedFieldTimes(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        func stripped(_ value: JSONValue) -> JSONValue {
            var value = value
            if let entries = value[path: ["metadata", "managedFields"]]?.arrayValue {
                value.setMeta(
                    "managedFields",
                    .array(entries.map { entry in
                        var entry = entry
                        entry["time"] = nil
                        return entry
                    }))
            }
            return value
        }
        return stripped(lhs) == stripped(rhs)
    }

    /// Applies the status-subresource rule: the main resource cannot change status, the status
    /// subresource can change nothing but status (and, for namespaces, `finalize` only spec.finalizers).
    private func merged(proposed: JSONValue, current: JSONValue, definition: ResourceDefinition, subresource: String)
        throws(APIError) -> JSONValue
    {
        switch subresource {
        case "":
            var object = proposed
            if definition.hasStatusSubresource {
                object["status"] = current["status"]
            }
            return object
        case "status":
            guard definition.hasStatusSubresource else { throw .resourceNotFound }
            var object = current
            object["status"] = proposed["status"]
            object.setMeta("resourceVersion", proposed[path: ["metadata", "resourceVersion"]])
            return object
        case "finalize" where definition.kind == "Namespace" && definition.group.isEmpty:
            var object = current
            object[path: ["spec", "finalizers"]] = proposed[path: ["spec", "finalizers"]]
            return object
        default:
            throw .resourceNotFound
        }
    }

    /// Checks a request body against the URL: kind, apiVersion, namespace and name.
    func checkedBody(_ body: JSONValue, for definition: ResourceDefinition, namespace: String, name: String?)
        throws(APIError) -> JSONValue
    {
        guard case .object = body else {
            throw .badRequest("the body of the request was not a JSON object: expected \(definition.kind)")
        }
        var object = body
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != definition.kind {
            throw .badRequest(
                "the object provided is unrecognized (must be of type \(definition.kind)): kind \"\(kind)\" does not match the expected kind \"\(definition.kind)\"")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != definition.groupVersion {
            let (group, _) = ResourceRegistry.splitAPIVersion(apiVersion)
            if group != definition.group || registry.definition(apiVersion: apiVersion, kind: definition.kind) == nil {
                throw .badRequest(
                    "the API version in the data (\(apiVersion)) does not match the expected API version (\(definition.groupVersion))")
            }
        }
        object["kind"] = .string(definition.kind)
        object["apiVersion"] = .string(definition.groupVersion)
        if object["metadata"] == nil { object["metadata"] = .emptyObject }
        guard object["metadata"]?.objectValue != nil else {
            throw .badRequest("metadata: expected an object, got \(object["metadata"]!.typeName)")
        }
        if definition.isNamespaced {
            let bodyNamespace = object.metaNamespace
            if !bodyNamespace.isEmpty && bodyNamespace != namespace {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.setMeta("namespace", .string(namespace))
        } else {
            object.setMeta("namespace", nil)
        }
        if let name {
            let bodyName = object.metaName
            if bodyName.isEmpty {
                object.setMeta("name", .string(name))
            } else if bodyName != name {
                throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
            }
        }
        return object
    }

    /// Throws 404 for a missing namespace and, like the NamespaceLifecycle admission plugin, 403
    /// naming the object being created for a terminating one.
    func requireActiveNamespace(_ namespace: String, creating name: String, of resource: GroupResource) throws(APIError) {
        let namespaces = GroupResource(group: "", resource: "namespaces")
        guard let (object, _) = store.get(namespaces, StorageKey(namespace: "", name: namespace)) else {
            throw .notFound(namespaces, name: namespace)
        }
        if object.metaDeletionTimestamp != nil {
            var details = APIError.resourceDetails(resource, name: name)
            details["causes"] = [
                ["reason": "NamespaceTerminating", "message": .string("namespace \(namespace) is being terminated"), "field": "metadata.namespace"]
            ]
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "\(resource) \"\(name)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                details: details)
        }
    }

    private static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func generateName(prefix: String) -> String {
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        return base + String((0..<5).map { _ in nameAlphabet.randomElement()! })
    }

    static func hasPendingSpecFinalizers(_ object: JSONValue) -> Bool {
        guard object["kind"]?.stringValue == "Namespace" else { return false }
        return !(object[path: ["spec", "finalizers"]]?.arrayValue ?? []).isEmpty
    }
}
