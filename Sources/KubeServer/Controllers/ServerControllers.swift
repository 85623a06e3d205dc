import KubeModel
import Logging

// The controllers a real control plane runs that clients rely on, run inside the embedded server
// and driven only by store events (never by timers):
// - garbage collector: background deletion of dependents whose owners are gone, foreground
//   deletion (owner waits for its dependents), orphaning (references removed);
// - namespace lifecycle: a Terminating namespace's contents are deleted, then the namespace;
// - CRD cleanup: a deleted CRD's instances are deleted, then its cleanup finalizer removed.

final class ServerControllers: Sendable {
    private let core: APIServerCore
    private let logger: Logger

    init(core: APIServerCore, logger: Logger) {
        self.core = core
        self.logger = logger
    }

    private struct Dependent: Hashable {
        var resource: GroupResource
        var key: StorageKey
    }

    /// Processes store events until cancelled.
    func run() async {
        var dependents: [String: Set<Dependent>] = [:]  // owner uid → dependents
        guard let watch = try? core.store.watch(nil, namespace: nil, fromRevision: nil, bufferLimit: .max) else { return }
        for await event in watch.events {
            if Task.isCancelled { break }
            let dependent = Dependent(resource: event.resource, key: event.key)
            for reference in event.previous?.metaOwnerReferences ?? [] {
                if let uid = reference["uid"]?.stringValue { dependents[uid]?.remove(dependent) }
            }
            if event.kind != .deleted {
                for reference in event.object.metaOwnerReferences {
                    if let uid = reference["uid"]?.stringValue { dependents[uid, default: []].insert(dependent) }
                }
            }
            switch event.kind {
            case .added:
                collectIfOrphaned(event, dependent: dependent)
            case .modified:
                break
            case .deleted:
                let uid = event.object.metaUID
                for child in dependents.removeValue(forKey: uid) ?? [] {
                    deleteOrDetach(child, ownerUID: uid, policy: .background)
                }
                // An owner waiting in foreground deletion may now be free to go.
                for reference in event.object.metaOwnerReferences {
                    if let uid = reference["uid"]?.stringValue, dependents[uid]?.isEmpty ?? true {
                        completeForegroundDeletion(ownerUID: uid, reference: reference, namespace: event.key.namespace)
                    }
                }
            }
            if event.kind != .deleted && event.object.metaDeletionTimestamp != nil {
                handleDeletion(of: event, dependents: dependents[event.object.metaUID] ?? [])
            }
            if !event.key.namespace.isEmpty {
                finishNamespaceIfEmpty(event.key.namespace)
            }
            if let crd = crdOwning(event.resource) {
                finishCRDIfEmpty(crd)
            }
        }
    }

    // MARK: Garbage collection

    private func handleDeletion(of event: StoreEvent, dependents: Set<Dependent>) {
        let object = event.object
        let finalizers = object.metaFinalizers
        if finalizers.contains(FinalizerNames.orphan) {
            for child in dependents {
                mutate(child.resource, child.key) { dependent in
                    let kept = dependent.metaOwnerReferences.filter { $0["uid"]?.stringValue != object.metaUID }
                    dependent.setMeta("ownerReferences", kept.isEmpty ? nil : .array(kept))
                }
            }
            removeFinalizer(FinalizerNames.orphan, from: event.resource, event.key)
        } else if finalizers.contains(FinalizerNames.foregroundDeletion) {
            if dependents.isEmpty {
                removeFinalizer(FinalizerNames.foregroundDeletion, from: event.resource, event.key)
            } else {
                for child in dependents {
                    deleteOrDetach(child, ownerUID: object.metaUID, policy: .foreground)
                }
            }
        }
        if event.resource == GroupResource(group: "", resource: "namespaces") {
            terminateNamespace(event.key.name)
        }
        if event.resource == APIServerCore.crdResource {
            cleanUpCRD(object)
        }
    }

    /// Deletes a dependent whose owner is gone, unless another owner of it still exists.
    private func deleteOrDetach(_ child: Dependent, ownerUID: String, policy: PropagationPolicy) {
        guard let definition = storageDefinition(child.resource),
            let (object, _) = core.store.get(child.resource, child.key)
        else { return }
        let others = object.metaOwnerReferences.filter { $0["uid"]?.stringValue != ownerUID }
        if others.contains(where: { ownerExists($0, namespace: child.key.namespace) }) {
            mutate(child.resource, child.key) { dependent in
                dependent.setMeta("ownerReferences", .array(others))
            }
            return
        }
        if object.metaDeletionTimestamp != nil && policy == .background { return }
        _ = try? core.delete(
            definition, namespace: child.key.namespace, name: child.key.name,
            options: DeleteOptions(propagationPolicy: policy, preconditionUID: object.metaUID))
    }

    /// A dependent created with owners none of which exist is collected, as the real GC does.
    private func collectIfOrphaned(_ event: StoreEvent, dependent: Dependent) {
        let references = event.object.metaOwnerReferences
        guard !references.isEmpty else { return }
        if references.contains(where: { ownerExists($0, namespace: event.key.namespace) }) { return }
        guard let definition = storageDefinition(event.resource) else { return }
        _ = try? core.delete(
            definition, namespace: event.key.namespace, name: event.key.name,
            options: DeleteOptions(preconditionUID: event.object.metaUID))
    }

    private func completeForegroundDeletion(ownerUID: String, reference: JSONValue, namespace: String) {
        guard let (resource, key, owner) = resolveOwner(reference, namespace: namespace),
            owner.metaUID == ownerUID, owner.metaDeletionTimestamp != nil,
            owner.metaFinalizers.contains(FinalizerNames.foregroundDeletion)
        else { return }
        removeFinalizer(FinalizerNames.foregroundDeletion, from: resource, key)
    }

    private func ownerExists(_ reference: JSONValue, namespace: String) -> Bool {
        guard let (_, _, owner) = resolveOwner(reference, namespace: namespace) else {
            // An owner of a kind we do not serve cannot be verified; keep the dependent.
            return core.registry.definition(
                apiVersion: reference["apiVersion"]?.stringValue ?? "", kind: reference["kind"]?.stringValue ?? "") == nil
        }
        return owner.metaUID == reference["uid"]?.stringValue
    }

    private func resolveOwner(_ reference: JSONValue, namespace: String) -> (GroupResource, StorageKey, JSONValue)? {
        guard let apiVersion = reference["apiVersion"]?.stringValue, let kind = reference["kind"]?.stringValue,
            let name = reference["name"]?.stringValue,
            let definition = core.registry.definition(apiVersion: apiVersion, kind: kind)
        else { return nil }
        let key = StorageKey(namespace: definition.isNamespaced ? namespace : "", name: name)
        guard let (object, _) = core.store.get(definition.groupResource, key) else {
            return (definition.groupResource, key, .null)
        }
        return (definition.groupResource, key, object)
    }

    // MARK: Namespaces

    private func terminateNamespace(_ namespace: String) {
        for definition in namespacedStorageDefinitions() {
            for (key, object) in core.store.list(definition.groupResource, namespace: namespace).objects
            where object.metaDeletionTimestamp == nil {
                _ = try? core.delete(definition, namespace: namespace, name: key.name, options: DeleteOptions())
            }
        }
        finishNamespaceIfEmpty(namespace)
    }

    private func finishNamespaceIfEmpty(_ namespace: String) {
        let resource = GroupResource(group: "", resource: "namespaces")
        let key = StorageKey(namespace: "", name: namespace)
        guard let (object, _) = core.store.get(resource, key), object.metaDeletionTimestamp != nil,
            (object[path: ["spec", "finalizers"]]?.arrayValue ?? []).contains(.string(FinalizerNames.namespaceKubernetes))
        else { return }
        for definition in namespacedStorageDefinitions()
        where !core.store.list(definition.groupResource, namespace: namespace).objects.isEmpty {
            return
        }
        mutate(resource, key, subresource: "finalize") { namespaceObject in
            let remaining = (namespaceObject[path: ["spec", "finalizers"]]?.arrayValue ?? []).filter {
                $0.stringValue != FinalizerNames.namespaceKubernetes
            }
            namespaceObject[path: ["spec", "finalizers"]] = remaining.isEmpty ? nil : .array(remaining)
        }
    }

    // MARK: CustomResourceDefinitions

    private func cleanUpCRD(_ crd: JSONValue) {
        guard let resource = customResource(of: crd), let definition = storageDefinition(resource) else {
            removeFinalizer(FinalizerNames.customResourceCleanup, from: APIServerCore.crdResource, StorageKey(namespace: "", name: crd.metaName))
            return
        }
        for (key, object) in core.store.list(resource, namespace: nil).objects where object.metaDeletionTimestamp == nil {
            _ = try? core.delete(definition, namespace: key.namespace, name: key.name, options: DeleteOptions())
        }
        finishCRDIfEmpty(crd)
    }

    private func finishCRDIfEmpty(_ crd: JSONValue) {
        let key = StorageKey(namespace: "", name: crd.metaName)
        guard let (current, _) = core.store.get(APIServerCore.crdResource, key), current.metaDeletionTimestamp != nil,
            current.metaFinalizers.contains(FinalizerNames.customResourceCleanup),
            let resource = customResource(of: current)
        else { return }
        guard core.store.list(resource, namespace: nil).objects.isEmpty else { return }
        removeFinalizer(FinalizerNames.customResourceCleanup, from: APIServerCore.crdResource, key)
    }

    private func crdOwning(_ resource: GroupResource) -> JSONValue? {
        guard !resource.group.isEmpty, resource != APIServerCore.crdResource,
            storageDefinition(resource)?.isCustomResource ?? true
        else { return nil }
        return core.store.get(APIServerCore.crdResource, StorageKey(namespace: "", name: "\(resource.resource).\(resource.group)"))?.object
    }

    private func customResource(of crd: JSONValue) -> GroupResource? {
        guard let group = crd[path: ["spec", "group"]]?.stringValue,
            let plural = crd[path: ["spec", "names", "plural"]]?.stringValue
        else { return nil }
        return GroupResource(group: group, resource: plural)
    }

    // MARK: Helpers

    private func storageDefinition(_ resource: GroupResource) -> ResourceDefinition? {
        let definitions = core.registry.definitions(for: resource)
        return definitions.first(where: \.isStorageVersion) ?? definitions.first
    }

    private func namespacedStorageDefinitions() -> [ResourceDefinition] {
        var seen = Set<GroupResource>()
        return core.registry.allDefinitions().filter { definition in
            definition.isNamespaced && seen.insert(definition.groupResource).inserted
        }
    }

    private func removeFinalizer(_ finalizer: String, from resource: GroupResource, _ key: StorageKey) {
        mutate(resource, key) { object in
            object.setFinalizers(object.metaFinalizers.filter { $0 != finalizer })
        }
    }

    /// Read-modify-write through the normal update path (admission, finalizer completion), retried on conflict.
    private func mutate(
        _ resource: GroupResource, _ key: StorageKey, subresource: String = "", _ change: (inout JSONValue) -> Void
    ) {
        guard let definition = storageDefinition(resource) else { return }
        for _ in 0..<8 {
            guard let (current, revision) = core.store.get(resource, key) else { return }
            var proposed = current
            change(&proposed)
            if proposed == current { return }
            do {
                _ = try core.commitUpdate(
                    definition, key: key, current: current, revision: revision, proposed: proposed,
                    subresource: subresource, options: WriteOptions(fieldManager: "kube-controller-manager"),
                    manager: "kube-controller-manager", operationIsApply: false)
                return
            } catch let error where error.code == 409 {
                continue
            } catch {
                logger.warning("internal update failed", metadata: ["resource": "\(resource)", "key": "\(key)", "error": "\(error)"])
                return
            }
        }
    }
}
