import KubeModel
import Testing

@testable import KubeRuntime

func configMap(_ namespace: String, _ name: String, rv: String, data: [String: String]? = nil) -> ConfigMap {
    ConfigMap(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: rv), data: data)
}

private func slice(_ name: String, service: String?, rv: String) -> EndpointSlice {
    let labels = service.map { ["kubernetes.io/service-name": $0] }
    return EndpointSlice(metadata: ObjectMeta(name: name, namespace: "ns", resourceVersion: rv, labels: labels))
}

private func names(_ objects: [some Resource]) -> [String] {
    objects.map { ObjectKey($0).description }
}

/// A change reduced to kind of change + key + resourceVersion, for readable expectations.
func summary(_ change: StoreChange<some Resource>) -> String {
    switch change {
    case .added(let object): "added \(ObjectKey(object)) \(object.metadata.resourceVersion ?? "")"
    case .updated(let old, let new):
        "updated \(ObjectKey(new)) \(old.metadata.resourceVersion ?? "")->\(new.metadata.resourceVersion ?? "")"
    case .deleted(let object): "deleted \(ObjectKey(object)) \(object.metadata.resourceVersion ?? "")"
    }
}

@Suite("InformerStore")
struct InformerStoreTests {
    @Test("get and list read objects by namespace and name")
    func getAndList() {
        let store = InformerStore<ConfigMap>()
        store.replace(all: [configMap("b", "x", rv: "1"), configMap("a", "y", rv: "2"), configMap("a", "x", rv: "3")], resourceVersion: "10")
        #expect(store.get(namespace: "a", name: "y")?.metadata.resourceVersion == "2")
        #expect(store.get(namespace: "c", name: "y") == nil)
        #expect(names(store.list()) == ["a/x", "a/y", "b/x"])
        #expect(names(store.list(namespace: "a")) == ["a/x", "a/y"])
        #expect(store.list(namespace: "none").isEmpty)
        #expect(store.count == 3)
        #expect(store.lastSyncResourceVersion == "10")
        #expect(store.indexValues(InformerStore<ConfigMap>.namespaceIndex) == ["a", "b"])
    }

    @Test("replace reports the deletions, additions and updates a relist implies")
    func replaceReportsImpliedChanges() {
        let store = InformerStore<ConfigMap>()
        let first = store.replace(all: [configMap("ns", "kept", rv: "1"), configMap("ns", "gone", rv: "2"), configMap("ns", "changed", rv: "3")], resourceVersion: "3")
        #expect(first.map(summary) == ["added ns/changed 3", "added ns/gone 2", "added ns/kept 1"])

        let second = store.replace(all: [configMap("ns", "kept", rv: "1"), configMap("ns", "changed", rv: "7"), configMap("ns", "new", rv: "8")], resourceVersion: "9")
        #expect(second.map(summary) == ["deleted ns/gone 2", "updated ns/changed 3->7", "added ns/new 8"])
        #expect(names(store.list()) == ["ns/changed", "ns/kept", "ns/new"])
        #expect(store.lastSyncResourceVersion == "9")
    }

    @Test("watch events update the store and the resume point; bookmarks only the resume point")
    func applyEvents() {
        let store = InformerStore<ConfigMap>()
        store.replace(all: [], resourceVersion: "1")
        #expect(store.apply(.added(configMap("ns", "a", rv: "2"))).map(summary) == "added ns/a 2")
        #expect(store.apply(.modified(configMap("ns", "a", rv: "3"))).map(summary) == "updated ns/a 2->3")
        #expect(store.apply(.bookmark(resourceVersion: "5")) == nil)
        #expect(store.lastSyncResourceVersion == "5")
        #expect(store.count == 1)
        #expect(store.apply(.deleted(configMap("ns", "a", rv: "6"))).map(summary) == "deleted ns/a 6")
        #expect(store.count == 0)
        #expect(store.lastSyncResourceVersion == "6")
        #expect(store.apply(.deleted(configMap("ns", "never", rv: "7"))).map(summary) == "deleted ns/never 7")
    }

    @Test("custom indexes follow label changes and deletions")
    func customIndexFollowsChanges() {
        let store = InformerStore<EndpointSlice>()
        store.addIndex(named: "byServiceName") { slice in
            [slice.metadata.labels?["kubernetes.io/service-name"]].compactMap { $0 }
        }
        store.replace(all: [slice("s1", service: "web", rv: "1"), slice("s2", service: "web", rv: "2"), slice("s3", service: nil, rv: "3")], resourceVersion: "3")
        #expect(names(store.byIndex("byServiceName", value: "web")) == ["ns/s1", "ns/s2"])

        store.apply(.modified(slice("s2", service: "api", rv: "4")))
        #expect(names(store.byIndex("byServiceName", value: "web")) == ["ns/s1"])
        #expect(names(store.byIndex("byServiceName", value: "api")) == ["ns/s2"])

        store.apply(.deleted(slice("s1", service: "web", rv: "5")))
        #expect(store.byIndex("byServiceName", value: "web").isEmpty)
        #expect(store.indexValues("byServiceName") == ["api"])

        store.replace(all: [slice("s3", service: "api", rv: "6")], resourceVersion: "6")
        #expect(names(store.byIndex("byServiceName", value: "api")) == ["ns/s3"])
    }

    @Test("an index added after objects are stored indexes them at once")
    func lateIndexCoversExistingObjects() {
        let store = InformerStore<ConfigMap>()
        store.replace(all: [configMap("ns", "a", rv: "1", data: ["k": "v"]), configMap("ns", "b", rv: "2")], resourceVersion: "2")
        store.addIndex(named: "byDataKey") { Array($0.data?.keys ?? [:].keys) }
        #expect(names(store.byIndex("byDataKey", value: "k")) == ["ns/a"])
    }

    @Test("waitUntilSynced returns once the first list is applied")
    func waitUntilSynced() async {
        let store = InformerStore<ConfigMap>()
        #expect(!store.hasSynced)
        async let synced: Void = store.waitUntilSynced()
        store.replace(all: [], resourceVersion: "1")
        await synced
        #expect(store.hasSynced)
        await store.waitUntilSynced()
    }
}
