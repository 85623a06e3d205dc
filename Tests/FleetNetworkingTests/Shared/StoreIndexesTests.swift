import FleetNetworking
import KubeModel
import KubeRuntime
import Testing

/// `ensureIndex`: controllers sharing a store may all ask for the same index.
@Suite struct StoreIndexesTests {
    @Test func anIndexAskedForTwiceIsRegisteredOnceAndWorks() {
        let store = InformerStore<ConfigMap>()
        _ = store.replace(
            all: [
                ConfigMap(metadata: ObjectMeta(name: "a", namespace: "x", labels: ["app": "one"])),
                ConfigMap(metadata: ObjectMeta(name: "b", namespace: "x", labels: ["app": "two"])),
            ],
            resourceVersion: "1")
        let byApp: InformerStore<ConfigMap>.IndexFunction = { [$0.metadata.labels?["app"]].compactMap { $0 } }
        store.ensureIndex(named: "byApp", byApp)
        store.ensureIndex(named: "byApp", byApp)  // a second controller: no crash
        #expect(store.byIndex("byApp", value: "one").map(\.metadata.name) == ["a"])
        // Another store gets its own index.
        let other = InformerStore<ConfigMap>()
        other.ensureIndex(named: "byApp", byApp)
        #expect(other.byIndex("byApp", value: "one").isEmpty)
    }
}
