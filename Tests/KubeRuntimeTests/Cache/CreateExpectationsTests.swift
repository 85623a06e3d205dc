import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Testing

// CreateExpectations against a real informer: a create is awaited until the informer shows the
// object, never longer than its timeout, and an object the informer shows ends an expectation
// whatever the event (a create followed at once by a delete included).

@Suite struct CreateExpectationsTests {
    @Test func aCreateIsAwaitedUntilTheInformerShowsIt() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let api = client.api(ConfigMap.self, namespace: "default")
            let informer = Informer(source: ResourceListWatch(api: api), logger: EmbeddedServer.quiet)
            let expectations = CreateExpectations()
            expectations.observe(informer)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await informer.run() }
                await informer.store.waitUntilSynced()
                let key = ObjectKey(namespace: "default", name: "made")
                #expect(!expectations.isPending(key))
                expectations.expectCreated(key)
                #expect(expectations.isPending(key), "awaited until the informer shows it")
                _ = try await api.create(InformerIntegrationTests.configMap("made", value: "0"))
                try await eventually("the informer's event ends the expectation") { !expectations.isPending(key) }
                #expect(informer.store.get(key) != nil, "the cache shows the object when the expectation ends")

                // Created and deleted at once: the events end it as well.
                let brief = ObjectKey(namespace: "default", name: "brief")
                expectations.expectCreated(brief)
                _ = try await api.create(InformerIntegrationTests.configMap("brief", value: "0"))
                try await api.delete("brief")
                try await eventually("the brief object's events end the expectation") { !expectations.isPending(brief) }
                #expect(expectations.count == 0)
                tasks.cancelAll()
            }
            try await client.shutdown()
        }
    }

    /// A create whose event never comes (lost, or the create failed unseen) is not awaited for
    /// ever: after the timeout the controller creates again.
    @Test func anExpectationEndsAfterItsTimeout() async throws {
        let expectations = CreateExpectations(timeout: .milliseconds(100))
        let key = ObjectKey(namespace: "default", name: "lost")
        expectations.expectCreated(key)
        #expect(expectations.isPending(key))
        try await eventually("the expectation times out", timeout: .seconds(10)) { !expectations.isPending(key) }
        #expect(expectations.count == 0)
    }
}
