import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import Synchronization
import Testing

// Controllers built with ControllerBuilder over SharedInformers, against embedded API servers:
// a ConfigMap → owned Secret controller that converges and then stops writing, and a
// two-cluster controller mirroring one server's objects into another.

@Suite struct ControllerBuilderIntegrationTests {
    /// Gives every ConfigMap labelled `managed=true` a Secret of the same name holding its data,
    /// controlled by the ConfigMap. Reads only caches; writes only when the Secret differs.
    struct SecretPerManagedConfigMap: Reconciler {
        let configMaps: InformerStore<ConfigMap>
        let secrets: InformerStore<Secret>
        let api: ResourceAPI<Secret>
        let reconciles: Recording<ObjectKey>
        /// Every create or replace sent, including ones the server treats as no-ops.
        let writes: Recording<ObjectKey>

        func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
            reconciles.append(key)
            guard let map = configMaps.get(key), map.metadata.labels?["managed"] == "true", let uid = map.metadata.uid else {
                return .done
            }
            let data = (map.data ?? [:]).mapValues { Data($0.utf8) }
            let owner = [OwnerReference(apiVersion: ConfigMap.apiVersion, kind: ConfigMap.kind, name: key.name, uid: uid, controller: true)]
            guard var secret = secrets.get(key) else {
                var fresh = Secret(metadata: ObjectMeta(name: key.name, namespace: key.namespace, ownerReferences: owner))
                fresh.data = data
                writes.append(key)
                _ = try await api.create(fresh)
                return .done
            }
            if secret.data ?? [:] == data && secret.metadata.ownerReferences == owner { return .done }
            secret.data = data
            secret.metadata.ownerReferences = owner
            writes.append(key)
            _ = try await api.replace(secret)
            return .done
        }
    }

    static func managedMap(_ name: String, managed: Bool = true) -> ConfigMap {
        var map = ConfigMap(metadata: ObjectMeta(name: name, namespace: "default", labels: ["managed": managed ? "true" : "false"]))
        map.data = ["value": "value of \(name)"]
        return map
    }

    @Test func ownedSecretsConvergeForFiftyConfigMapsThenWritesStopAndADeletedSecretIsRecreated() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.withClient(core) { client in
            let informers = SharedInformers(client: client, logger: EmbeddedServer.quiet)
            let maps = client.api(ConfigMap.self, namespace: "default")
            let secrets = client.api(Secret.self, namespace: "default")
            // Half before the controller exists (queued by its initial sync), half while it runs.
            for index in 0..<25 { _ = try await maps.create(Self.managedMap("map-\(index)")) }
            for index in 0..<5 { _ = try await maps.create(Self.managedMap("plain-\(index)", managed: false)) }

            let reconciles = Recording<ObjectKey>()
            let writes = Recording<ObjectKey>()
            let reconciler = SecretPerManagedConfigMap(
                configMaps: informers.informer(for: ConfigMap.self).store, secrets: informers.informer(for: Secret.self).store,
                api: client.api(Secret.self), reconciles: reconciles, writes: writes)
            let controller = ControllerBuilder(name: "configmap-secrets")
                .for(ConfigMap.self, in: informers)
                .owns(Secret.self, in: informers)
                .workers(4)
                .logger(EmbeddedServer.quiet)
                .build(reconciler: reconciler)
            // The reconciler's stores and the controller's sources are the same two informers.
            #expect(informers.count == 2)

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await informers.run() }
                tasks.addTask { await controller.run() }
                for index in 25..<50 { _ = try await maps.create(Self.managedMap("map-\(index)")) }

                let expected = Set((0..<50).map { "map-\($0)" })
                try await eventually("every managed ConfigMap has its Secret") {
                    try await Set(secrets.list().items.compactMap(\.metadata.name)) == expected
                }
                let mapUIDs = Dictionary(uniqueKeysWithValues: try await maps.list().items.map { ($0.metadata.name!, $0.metadata.uid!) })
                for secret in try await secrets.list().items {
                    let name = try #require(secret.metadata.name)
                    #expect(secret.data == ["value": Data("value of \(name)".utf8)])
                    #expect(secret.metadata.ownerReferences?.first?.uid == mapUIDs[name])
                }

                // Converged: reconciling every key again (as after a resync) must write nothing —
                // no request at all (the server would not count an identical update as a write).
                try await eventually("the caches hold every Secret") { informers.informer(for: Secret.self).store.count == 50 }
                let revision = core.store.currentRevision
                let before = reconciles.values.count
                let writesBefore = writes.values.count
                for map in try await maps.list().items { await controller.enqueue(ObjectKey(map)) }
                try await eventually("all 55 keys were reconciled again") { reconciles.values.count >= before + 55 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(core.store.currentRevision == revision)
                #expect(writes.values.count == writesBefore)

                // The Secret is owned: deleting it reconciles its ConfigMap, which recreates it.
                let old = try await secrets.get("map-7")
                try await secrets.delete("map-7")
                try await eventually("the deleted Secret is recreated") {
                    let recreated = try? await secrets.get("map-7")
                    return recreated != nil && recreated?.metadata.uid != old.metadata.uid
                }
                tasks.cancelAll()
            }
        }
    }

    /// Mirrors ConfigMaps of namespace `hub` in cluster A into namespace `member` of cluster B.
    struct MirrorReconciler: Reconciler {
        let hub: InformerStore<ConfigMap>
        let members: InformerStore<ConfigMap>
        let memberAPI: ResourceAPI<ConfigMap>

        func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
            let source = hub.get(namespace: "hub", name: key.name)
            let mirror = members.get(key)
            switch (source, mirror) {
            case (nil, nil):
                break
            case (nil, .some):
                try await memberAPI.delete(key.name)
            case (let source?, nil):
                var fresh = ConfigMap(metadata: ObjectMeta(name: key.name, namespace: key.namespace))
                fresh.data = source.data
                _ = try await memberAPI.create(fresh)
            case (let source?, var mirror?):
                guard mirror.data != source.data else { break }
                mirror.data = source.data
                _ = try await memberAPI.replace(mirror)
            }
            return .done
        }
    }

    @Test func aControllerMapsOneClustersObjectsToKeysReconciledInAnother() async throws {
        let coreA = try APIServerCore()
        let coreB = try APIServerCore()
        try await EmbeddedServer.withClient(coreA) { clusterA in
            try await EmbeddedServer.withClient(coreB) { clusterB in
                let informersA = SharedInformers(client: clusterA, logger: EmbeddedServer.quiet)
                let informersB = SharedInformers(client: clusterB, logger: EmbeddedServer.quiet)
                let hubAPI = clusterA.api(ConfigMap.self, namespace: "hub")
                let memberAPI = clusterB.api(ConfigMap.self, namespace: "member")
                _ = try await clusterB.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "member")))
                _ = try await clusterA.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "hub")))

                let controller = ControllerBuilder(name: "mirror")
                    .for(ConfigMap.self, in: informersB, namespace: "member")
                    .watches(ConfigMap.self, in: informersA, namespace: "hub") { [ObjectKey(namespace: "member", name: $0.metadata.name ?? "")] }
                    .workers(2)
                    .logger(EmbeddedServer.quiet)
                    .build(
                        reconciler: MirrorReconciler(
                            hub: informersA.informer(for: ConfigMap.self, namespace: "hub").store,
                            members: informersB.informer(for: ConfigMap.self, namespace: "member").store, memberAPI: memberAPI))

                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { await informersA.run() }
                    tasks.addTask { await informersB.run() }
                    tasks.addTask { await controller.run() }
                    for index in 0..<10 {
                        var map = ConfigMap(metadata: ObjectMeta(name: "shared-\(index)", namespace: "hub"))
                        map.data = ["value": "\(index)"]
                        _ = try await hubAPI.create(map)
                    }
                    try await eventually("cluster B mirrors cluster A") {
                        try await Self.contents(memberAPI) == Self.contents(hubAPI)
                    }
                    #expect(try await Self.contents(memberAPI).count == 10)

                    _ = try await hubAPI.patch("shared-3", .merge(["data": ["value": "changed"]]))
                    try await hubAPI.delete("shared-5")
                    // A change made directly in B is reverted from A.
                    _ = try await memberAPI.patch("shared-1", .merge(["data": ["value": "drifted"]]))
                    try await eventually("cluster B follows the update, the deletion and reverts the drift") {
                        try await Self.contents(memberAPI) == Self.contents(hubAPI)
                    }
                    let mirrored = try await Self.contents(memberAPI)
                    #expect(mirrored["shared-3"] == ["value": "changed"])
                    #expect(mirrored["shared-5"] == nil)
                    #expect(mirrored["shared-1"] == ["value": "1"])
                    tasks.cancelAll()
                }
            }
        }
    }

    struct RecordingReconciler: Reconciler {
        let reconciles: Recording<ObjectKey>

        func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
            reconciles.append(key)
            return .done
        }
    }

    @Test func anUpdateReconcilesTheKeysOfTheOldAndTheNewObjectAndADeletionItsLastKeys() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.withClient(core) { client in
            let informers = SharedInformers(client: client, logger: EmbeddedServer.quiet)
            let maps = client.api(ConfigMap.self, namespace: "default")
            let reconciles = Recording<ObjectKey>()
            let controller = ControllerBuilder(name: "pointers")
                .for(Secret.self, in: informers)
                .watches(ConfigMap.self, in: informers) { map in
                    [map.metadata.labels?["target"]].compactMap { $0 }.map { ObjectKey(namespace: "default", name: $0) }
                }
                .logger(EmbeddedServer.quiet)
                .build(reconciler: RecordingReconciler(reconciles: reconciles))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await informers.run() }
                tasks.addTask { await controller.run() }
                await informers.waitForCacheSync()
                func reconciledSince(_ start: Int) -> Set<String> { Set(reconciles.values.dropFirst(start).map(\.name)) }

                _ = try await maps.create(ConfigMap(metadata: ObjectMeta(name: "pointer", namespace: "default", labels: ["target": "a"])))
                try await eventually("the new object's key is reconciled") { reconciledSince(0) == ["a"] }

                var start = reconciles.values.count
                _ = try await maps.patch("pointer", .merge(["metadata": ["labels": ["target": "b"]]]))
                try await eventually("both the old and the new key are reconciled") { reconciledSince(start) == ["a", "b"] }

                start = reconciles.values.count
                try await maps.delete("pointer")
                try await eventually("the deleted object's key is reconciled") { reconciledSince(start) == ["b"] }
                tasks.cancelAll()
            }
        }
    }

    static func contents(_ api: ResourceAPI<ConfigMap>) async throws -> [String: [String: String]] {
        Dictionary(uniqueKeysWithValues: try await api.list().items.map { ($0.metadata.name ?? "", $0.data ?? [:]) })
    }
}
