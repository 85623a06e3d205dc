import KubeClient
import KubeModel
import KubeServer
import Testing

@testable import KubeRuntime

@Suite struct SharedInformersTests {
    @Test func askingTwiceForOneKindAndScopeReturnsTheSameInformerAndOtherScopesGetTheirOwn() async throws {
        let client = try KubeClient(configuration: ClientConfiguration(server: "http://127.0.0.1:1"), logger: EmbeddedServer.quiet)
        let informers = SharedInformers(client: client, logger: EmbeddedServer.quiet)
        let first = informers.informer(for: ConfigMap.self)
        #expect(informers.informer(for: ConfigMap.self) === first)
        #expect(informers.informer(for: ConfigMap.self, namespace: "a") !== first)
        #expect(informers.informer(for: ConfigMap.self, namespace: "a") === informers.informer(for: ConfigMap.self, namespace: "a"))
        #expect(informers.informer(for: Secret.self).store !== first.store)
        // A cluster-scoped kind has one scope whatever namespace is asked for.
        #expect(informers.informer(for: Namespace.self, namespace: "x") === informers.informer(for: Namespace.self))
        #expect(informers.count == 4)
        // Another cluster's factory shares nothing.
        #expect(SharedInformers(client: client).informer(for: ConfigMap.self) !== first)
        try await client.shutdown()
    }

    @Test func runStartsInformersCreatedBeforeAndAfterItAndCacheSyncWaitsForAll() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.withClient(core) { client in
            var map = ConfigMap(metadata: ObjectMeta(name: "existing", namespace: "default"))
            map.data = ["value": "1"]
            _ = try await client.api(ConfigMap.self, namespace: "default").create(map)
            let informers = SharedInformers(client: client, logger: EmbeddedServer.quiet)
            let early = informers.informer(for: ConfigMap.self)
            #expect(!informers.hasSynced)
            let running = Task { await informers.run() }
            await informers.waitForCacheSync()
            #expect(early.store.count == 1)

            let late = informers.informer(for: ConfigMap.self, namespace: "default")
            await informers.waitForCacheSync()
            #expect(informers.hasSynced)
            #expect(late.store.get(namespace: "default", name: "existing")?.data == ["value": "1"])
            running.cancel()
            await running.value
        }
    }

    @Test(arguments: [
        // (owner apiVersion, kind, controller) → whether it maps to the ConfigMap owner's key
        ("v1", "ConfigMap", true as Bool?, true),
        ("v2", "ConfigMap", true, true),  // matched by group and kind, not version
        ("apps/v1", "ConfigMap", true, false),
        ("v1", "Secret", true, false),
        ("v1", "ConfigMap", false, false),
        ("v1", "ConfigMap", nil, false),
    ])
    func ownsMapsOnlyAControllerOwnerReferenceOfThePrimaryGroupAndKind(
        apiVersion: String, kind: String, controller: Bool?, maps: Bool
    ) {
        let owner = OwnerReference(apiVersion: apiVersion, kind: kind, name: "owner", uid: "u1", controller: controller)
        let secret = Secret(metadata: ObjectMeta(name: "dependent", namespace: "ns", ownerReferences: [owner]))
        let keys = ControllerBuilder.controllerOwnerKeys(of: secret, group: "", kind: "ConfigMap", ownerIsNamespaced: true)
        #expect(keys == (maps ? [ObjectKey(namespace: "ns", name: "owner")] : []))
    }

    @Test func aClusterScopedOwnerIsKeyedWithoutNamespace() {
        let owner = OwnerReference(apiVersion: "v1", kind: "Namespace", name: "team", uid: "u1", controller: true)
        let map = ConfigMap(metadata: ObjectMeta(name: "dependent", namespace: "team", ownerReferences: [owner]))
        #expect(ControllerBuilder.controllerOwnerKeys(of: map, group: "", kind: "Namespace", ownerIsNamespaced: false) == [ObjectKey(name: "team")])
    }
}
