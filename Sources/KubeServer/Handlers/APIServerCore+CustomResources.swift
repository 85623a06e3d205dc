import KubeModel
import Synchronization

// The CustomResourceDefinition lifecycle, as apiextensions-apiserver runs it: a written CRD's
// served versions become resources at once (condition Established=True, names accepted, the
// cleanup finalizer added); a deleted CRD is Terminating until its instances are gone
// (see ServerControllers), and then stops being served.

/// Compiled schemas of custom resource versions, so each request does not re-parse them.
final class SchemaCache: Sendable {
    private let schemas = Mutex([GroupVersionResource: CompiledSchema]())

    func schema(for definition: ResourceDefinition) -> CompiledSchema? {
        guard let raw = definition.schema else { return nil }
        if let cached = schemas.withLock({ $0[definition.gvr] }), cached.source == raw { return cached }
        guard let compiled = CompiledSchema(raw) else { return nil }
        schemas.withLock { $0[definition.gvr] = compiled }
        return compiled
    }
}

extension APIServerCore {
    static let crdResource = GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")

    func customResourceSchema(for definition: ResourceDefinition) -> CompiledSchema? {
        guard definition.isCustomResource else { return nil }
        return schemaCache.schema(for: definition)
    }

    /// The resource definitions a CRD asks to serve.
    static func definitions(fromCRD crd: JSONValue) -> [ResourceDefinition] {
        guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
            let names = spec["names"], let plural = names["plural"]?.stringValue, let kind = names["kind"]?.stringValue
        else { return [] }
        let namespaced = spec["scope"]?.stringValue != "Cluster"
        return (spec["versions"]?.arrayValue ?? []).compactMap { version in
            guard let name = version["name"]?.stringValue, version["served"]?.boolValue ?? false else { return nil }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).map { column in
                PrinterColumn(
                    name: column["name"]?.stringValue ?? "", type: column["type"]?.stringValue ?? "string",
                    format: column["format"]?.stringValue ?? "", description: column["description"]?.stringValue ?? "",
                    priority: Int(column["priority"]?.intValue ?? 0), jsonPath: column["jsonPath"]?.stringValue ?? "")
            }
            return ResourceDefinition(
                group: group, version: name, kind: kind, plural: plural,
                singular: names["singular"]?.stringValue ?? kind.lowercased(),
                listKind: names["listKind"]?.stringValue ?? kind + "List",
                shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                isNamespaced: namespaced,
                hasStatusSubresource: version[path: ["subresources", "status"]] != nil,
                scale: ScaleSubresource(crd: version[path: ["subresources", "scale"]]),
                printerColumns: columns,
                schema: version[path: ["schema", "openAPIV3Schema"]],
                isStorageVersion: version["storage"]?.boolValue ?? false,
                supportsStrategicMergePatch: false, isCustomResource: true)
        }
    }

    func customResourceDefinitionChanged(_ crd: JSONValue) {
        let definitions = Self.definitions(fromCRD: crd)
        guard let first = definitions.first else { return }
        if crd.metaDeletionTimestamp == nil {
            registry.setCustomDefinitions(definitions, for: first.groupResource)
        }
        establish(crd)
    }

    func customResourceDefinitionRemoved(_ crd: JSONValue) {
        guard let group = crd[path: ["spec", "group"]]?.stringValue,
            let plural = crd[path: ["spec", "names", "plural"]]?.stringValue
        else { return }
        let resource = GroupResource(group: group, resource: plural)
        registry.setCustomDefinitions([], for: resource)
        store.removeAll(resource)
    }

    /// Writes the CRD's status (conditions, accepted names, stored versions) and cleanup finalizer when they differ.
    private func establish(_ crd: JSONValue) {
        let key = StorageKey(namespace: "", name: crd.metaName)
        for _ in 0..<8 {
            guard let (current, revision) = store.get(Self.crdResource, key) else { return }
            var updated = current
            let now = Time.now().rfc3339
            let terminating = current.metaDeletionTimestamp != nil
            var conditions: [JSONValue] = current[path: ["status", "conditions"]]?.arrayValue ?? []
            func setCondition(_ type: String, _ status: String, _ reason: String, _ message: String) {
                if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
                    if conditions[index]["status"]?.stringValue == status && conditions[index]["reason"]?.stringValue == reason {
                        return
                    }
                    conditions[index] = [
                        "type": .string(type), "status": .string(status), "reason": .string(reason),
                        "message": .string(message), "lastTransitionTime": .string(now),
                    ]
                } else {
                    conditions.append([
                        "type": .string(type), "status": .string(status), "reason": .string(reason),
                        "message": .string(message), "lastTransitionTime": .string(now),
                    ])
                }
            }
            setCondition("NamesAccepted", "True", "NoConflicts", "no conflicts found")
            setCondition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")
            if terminating {
                setCondition("Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress")
            }
            updated[path: ["status", "conditions"]] = .array(conditions)
            var accepted = current[path: ["spec", "names"]] ?? .emptyObject
            if accepted["singular"] == nil, let kind = accepted["kind"]?.stringValue {
                accepted["singular"] = .string(kind.lowercased())
            }
            if accepted["listKind"] == nil, let kind = accepted["kind"]?.stringValue {
                accepted["listKind"] = .string(kind + "List")
            }
            updated[path: ["status", "acceptedNames"]] = accepted
            var stored = current[path: ["status", "storedVersions"]]?.arrayValue?.compactMap(\.stringValue) ?? []
            for version in current[path: ["spec", "versions"]]?.arrayValue ?? [] where version["storage"]?.boolValue == true {
                if let name = version["name"]?.stringValue, !stored.contains(name) { stored.append(name) }
            }
            updated[path: ["status", "storedVersions"]] = .array(stored.map(JSONValue.string))
            if !terminating && !current.metaFinalizers.contains(FinalizerNames.customResourceCleanup) {
                updated.setFinalizers(current.metaFinalizers + [FinalizerNames.customResourceCleanup])
            }
            if updated == current { return }
            let prepared = updated
            do {
                try store.update(Self.crdResource, key, expectedRevision: revision) { newRevision in
                    var object = prepared
                    object.setMeta("resourceVersion", .string(String(newRevision)))
                    return object
                }
                return
            } catch {
                continue
            }
        }
    }
}
