import KubeClient
import KubeModel
import KubeRuntime

/// Keeps, for every ConfigMap labelled `copy=true`, a ConfigMap `<name>-copy` with the same data,
/// controlled by its source. Reads only the cache; writes only when the copy differs. Counts its
/// reconciles, so tests can tell which process did the work.
struct ConfigMapCopier: Reconciler {
    let configMaps: InformerStore<ConfigMap>
    let api: ResourceAPI<ConfigMap>
    let reconciles: Recording<ObjectKey>

    static func source(_ name: String, value: String) -> ConfigMap {
        var map = ConfigMap(metadata: ObjectMeta(name: name, namespace: "default", labels: ["copy": "true"]))
        map.data = ["value": value]
        return map
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        reconciles.append(key)
        guard let source = configMaps.get(key), source.metadata.labels?["copy"] == "true", let uid = source.metadata.uid else {
            return .done
        }
        let owner = [OwnerReference(apiVersion: ConfigMap.apiVersion, kind: ConfigMap.kind, name: key.name, uid: uid, controller: true)]
        guard var copy = configMaps.get(namespace: key.namespace, name: key.name + "-copy") else {
            var fresh = ConfigMap(metadata: ObjectMeta(name: key.name + "-copy", namespace: key.namespace, ownerReferences: owner))
            fresh.data = source.data
            _ = try await api.create(fresh)
            return .done
        }
        if copy.data == source.data && copy.metadata.ownerReferences == owner { return .done }
        copy.data = source.data
        copy.metadata.ownerReferences = owner
        _ = try await api.replace(copy)
        return .done
    }
}
