import KubeModel

// Deletion as kube-apiserver performs it: preconditions, then either immediate removal or — when
// finalizers remain, or the propagation policy needs the garbage collector (Foreground, Orphan) —
// a deletionTimestamp that lets finalizers run. Namespaces always go through their finalizer.

public enum FinalizerNames {
    public static let foregroundDeletion = "foregroundDeletion"
    public static let orphan = "orphan"
    public static let namespaceKubernetes = "kubernetes"
    public static let customResourceCleanup = "customresourcecleanup.apiextensions.k8s.io"
}

/// What a delete did: removed the object now, or marked it for deletion (finalizers pending).
public struct DeleteOutcome: Sendable {
    public var object: JSONValue
    public var isDeleted: Bool
}

extension APIServerCore {
    @discardableResult
    public func delete(
        _ definition: ResourceDefinition, namespace: String, name: String, options: DeleteOptions
    ) throws(APIError) -> DeleteOutcome {
        let key = StorageKey(namespace: definition.isNamespaced ? namespace : "", name: name)
        for _ in 0..<16 {
            guard let (current, revision) = store.get(definition.groupResource, key) else {
                throw .notFound(definition.groupResource, name: name)
            }
            if let uid = options.preconditionUID, uid != current.metaUID {
                throw .conflict(
                    definition.groupResource, name: name,
                    detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.metaUID)")
            }
            if let version = options.preconditionResourceVersion, version != current.metaResourceVersion {
                throw .conflict(
                    definition.groupResource, name: name,
                    detail:
                        "Precondition failed: ResourceVersion in precondition: \(version), ResourceVersion in object meta: \(current.metaResourceVersion)")
            }
            var finalizers = current.metaFinalizers
            let policy = options.propagationPolicy ?? Self.defaultPropagation(definition)
            switch policy {
            case .foreground:
                if !finalizers.contains(FinalizerNames.foregroundDeletion) {
                    finalizers.removeAll { $0 == FinalizerNames.orphan }
                    finalizers.append(FinalizerNames.foregroundDeletion)
                }
            case .orphan:
                if !finalizers.contains(FinalizerNames.orphan) {
                    finalizers.removeAll { $0 == FinalizerNames.foregroundDeletion }
                    finalizers.append(FinalizerNames.orphan)
                }
            case .background:
                break
            }
            let isNamespace = definition.kind == "Namespace" && definition.group.isEmpty
            let graceful = !finalizers.isEmpty || isNamespace
            if options.isDryRun { return DeleteOutcome(object: presented(current, as: definition), isDeleted: !graceful) }
            do {
                if graceful {
                    if current.metaDeletionTimestamp != nil && finalizers == current.metaFinalizers {
                        return DeleteOutcome(object: presented(current, as: definition), isDeleted: false)  // already being deleted
                    }
                    var object = current
                    object.setFinalizers(finalizers)
                    if object.metaDeletionTimestamp == nil {
                        object.setMeta("deletionTimestamp", .string(Time.now().rfc3339))
                        object.setMeta("deletionGracePeriodSeconds", .int(0))
                        if object.metaGeneration > 0 { object.setMeta("generation", .int(object.metaGeneration + 1)) }
                    }
                    if isNamespace { object[path: ["status", "phase"]] = "Terminating" }
                    let prepared = object
                    let stored = try store.update(definition.groupResource, key, expectedRevision: revision) { newRevision in
                        var stored = prepared
                        stored.setMeta("resourceVersion", .string(String(newRevision)))
                        return stored
                    }
                    return DeleteOutcome(object: presented(stored, as: definition), isDeleted: false)
                } else {
                    let last = try store.delete(definition.groupResource, key, expectedRevision: revision) {
                        object, deletionRevision in
                        var last = object
                        last.setMeta("resourceVersion", .string(String(deletionRevision)))
                        return last
                    }
                    _ = afterDelete(last, as: definition)
                    return DeleteOutcome(object: presented(last, as: definition), isDeleted: true)
                }
            } catch StoreError.conflict {
                continue  // changed between read and delete; re-evaluate against the new state
            } catch {
                throw .notFound(definition.groupResource, name: name)
            }
        }
        throw .modified(definition.groupResource, name: name)
    }

    /// Whether a completed delete answers with the object (as kube-apiserver's stores for these
    /// kinds do) or with a Success Status.
    static func returnsDeletedObject(_ definition: ResourceDefinition) -> Bool {
        definition.group.isEmpty && ["Pod", "Service", "ServiceAccount", "Namespace"].contains(definition.kind)
    }

    /// The Success Status kube-apiserver answers a completed delete with.
    static func deletionStatus(_ object: JSONValue, definition: ResourceDefinition) -> JSONValue {
        var details: JSONValue = ["name": .string(object.metaName), "kind": .string(definition.plural), "uid": .string(object.metaUID)]
        if !definition.group.isEmpty { details["group"] = .string(definition.group) }
        return ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success", "details": details]
    }

    /// kube-apiserver's default: background, except for the few kinds that orphan by default (none we serve).
    static func defaultPropagation(_ definition: ResourceDefinition) -> PropagationPolicy { .background }

    public func deleteCollection(
        _ definition: ResourceDefinition, namespace: String, listOptions: ListOptions, deleteOptions: DeleteOptions
    ) throws(APIError) -> JSONValue {
        let filter = try ObjectFilter(labelSelector: listOptions.labelSelector, fieldSelector: listOptions.fieldSelector, definition: definition)
        let (objects, _) = store.list(definition.groupResource, namespace: definition.isNamespaced && !namespace.isEmpty ? namespace : nil)
        var deleted: [JSONValue] = []
        for (key, object) in objects where filter.matches(object) {
            do {
                deleted.append(try delete(definition, namespace: key.namespace, name: key.name, options: deleteOptions).object)
            } catch let error where error.code == 404 {
                continue
            }
        }
        return [
            "kind": .string(definition.listKind), "apiVersion": .string(definition.groupVersion),
            "metadata": ["resourceVersion": .string(String(store.currentRevision))], "items": .array(deleted),
        ]
    }
}
