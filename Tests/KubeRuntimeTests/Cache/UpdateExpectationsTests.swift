import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Testing

// UpdateExpectations against a real informer: a version the controller replaced counts as stale
// until the informer shows another version; a change by anyone else, a deletion or the timeout
// ends the expectation.

@Suite struct UpdateExpectationsTests {
    @Test func aReplacedVersionIsStaleUntilTheInformerShowsTheWrite() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let api = client.api(ConfigMap.self, namespace: "default")
            let informer = Informer(source: ResourceListWatch(api: api), logger: EmbeddedServer.quiet)
            let expectations = UpdateExpectations()
            expectations.observe(informer)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await informer.run() }
                await informer.store.waitUntilSynced()
                let key = ObjectKey(namespace: "default", name: "cm")
                let first = try await api.create(InformerIntegrationTests.configMap("cm", value: "0"))
                try await eventually("the cache shows the object") { informer.store.get(key) != nil }
                #expect(!expectations.isSuperseded(key, first.metadata))

                // Two writes in a row, each recorded: both replaced versions are stale.
                var second = first
                second.data = ["value": "1"]
                second = try await api.replace(second)
                expectations.expectUpdated(key, from: first.metadata, to: second.metadata)
                var third = second
                third.data = ["value": "2"]
                third = try await api.replace(third)
                expectations.expectUpdated(key, from: second.metadata, to: third.metadata)
                // Whatever the cache shows now is the last write or a version replaced by it.
                let shown = try #require(informer.store.get(key)).metadata
                let stale = expectations.isSuperseded(key, shown)
                let shownAfter = informer.store.get(key)?.metadata.resourceVersion
                #expect(stale || shownAfter == third.metadata.resourceVersion)
                #expect(!expectations.isSuperseded(key, third.metadata), "the written version is never stale")
                try await eventually("the informer's event of the last write ends the expectation") { expectations.count == 0 }
                #expect(!expectations.isSuperseded(key, first.metadata))
                #expect(informer.store.get(key)?.metadata.resourceVersion == third.metadata.resourceVersion)

                // A deletion ends it as well.
                expectations.expectUpdated(key, from: third.metadata, to: ObjectMeta(resourceVersion: "written-elsewhere"))
                #expect(expectations.isSuperseded(key, third.metadata))
                try await api.delete("cm")
                try await eventually("the deletion ends the expectation") { expectations.count == 0 }
                tasks.cancelAll()
            }
            try await client.shutdown()
        }
    }

    /// A version someone else wrote is acted on at once; a stale version is trusted to be
    /// replaced only until the timeout.
    @Test func otherVersionsAndTheTimeoutEndAnExpectation() async throws {
        let key = ObjectKey(namespace: "default", name: "cm")
        let expectations = UpdateExpectations(timeout: .milliseconds(100))
        expectations.expectUpdated(key, from: ObjectMeta(resourceVersion: "5"), to: ObjectMeta(resourceVersion: "6"))
        #expect(expectations.isSuperseded(key, ObjectMeta(resourceVersion: "5")))
        #expect(!expectations.isSuperseded(key, ObjectMeta(resourceVersion: "7")), "another writer's version is not stale")
        expectations.observed(key, resourceVersion: "5")
        #expect(expectations.count == 1, "an event of the replaced version keeps it")
        expectations.observed(key, resourceVersion: "7")
        #expect(expectations.count == 0, "an event of any other version ends it")

        expectations.expectUpdated(key, from: ObjectMeta(resourceVersion: "7"), to: ObjectMeta(resourceVersion: "8"))
        try await eventually("the expectation times out", timeout: .seconds(10)) {
            !expectations.isSuperseded(key, ObjectMeta(resourceVersion: "7"))
        }
        #expect(expectations.count == 0)
        // A write that changed nothing (same version) records nothing.
        expectations.expectUpdated(key, from: ObjectMeta(resourceVersion: "8"), to: ObjectMeta(resourceVersion: "8"))
        #expect(expectations.count == 0)
    }
}
