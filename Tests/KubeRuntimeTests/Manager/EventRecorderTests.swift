import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Synchronization
import Testing

@Suite struct EventRecorderTests {
    @Test func repeatsAreAggregatedIntoOneEventWithACount() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            let subject = try await configMaps.create(InformerIntegrationTests.configMap("subject", value: "0"))
            let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000.5))
            let recorder = EventRecorder(
                client: client, component: "fleet-controller", host: "node-1", wallClock: { now.withLock { $0 } })

            let first = try await recorder.record(.warning, reason: "SyncFailed", message: "no route", about: subject)
            now.withLock { $0 += 5 }
            _ = try await recorder.record(.warning, reason: "SyncFailed", message: "no route", about: subject)
            now.withLock { $0 += 5 }
            let third = try await recorder.record(.warning, reason: "SyncFailed", message: "no route", about: subject)
            let other = try await recorder.record(.normal, reason: "Synced", message: "ok", about: subject)

            #expect(first.metadata.name == "subject.\(String(1_700_000_000_500_000_000, radix: 16))")
            #expect(third.metadata.name == first.metadata.name)
            #expect(third.count == 3)
            #expect(third.firstTimestamp == Time(secondsSinceEpoch: 1_700_000_000))
            #expect(third.lastTimestamp == Time(secondsSinceEpoch: 1_700_000_010))
            #expect(other.metadata.name != first.metadata.name)

            let events = try await client.api(Event.self, namespace: "default").list().items
            #expect(events.count == 2)
            let stored = try #require(events.first { $0.reason == "SyncFailed" })
            #expect(stored.count == 3)
            #expect(stored.type == "Warning")
            #expect(stored.message == "no route")
            #expect(stored.source == EventSource(component: "fleet-controller", host: "node-1"))
            #expect(stored.reportingComponent == "fleet-controller")
            #expect(stored.involvedObject.kind == "ConfigMap")
            #expect(stored.involvedObject.apiVersion == "v1")
            #expect(stored.involvedObject.name == "subject")
            #expect(stored.involvedObject.namespace == "default")
            #expect(stored.involvedObject.uid == subject.metadata.uid)
            #expect(events.first { $0.reason == "Synced" }?.type == "Normal")

            // The aggregated event disappears (TTL): the next repeat starts a new one.
            try await client.api(Event.self, namespace: "default").delete(try #require(first.metadata.name))
            now.withLock { $0 += 1 }
            let fresh = try await recorder.record(.warning, reason: "SyncFailed", message: "no route", about: subject)
            #expect(fresh.count == 1)
            #expect(fresh.metadata.name != first.metadata.name)
            try await client.shutdown()
        }
    }

    /// A manager that runs for weeks sees ever new objects; the aggregation cache keeps the
    /// newest 4,096 keys (client-go's LRU size), so its memory does not grow with them.
    @Test func theAggregationCacheIsBounded() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let subject = try await client.api(ConfigMap.self, namespace: "default")
                .create(InformerIntegrationTests.configMap("subject", value: "0"))
            let recorder = EventRecorder(client: client, component: "fleet-controller")
            let limit = EventRecorder.aggregationCacheLimit
            for index in 0..<(limit + 50) {
                _ = try await recorder.record(.normal, reason: "Seen", message: "change \(index)", about: subject)
            }
            #expect(await recorder.rememberedKeys == limit)
            // The newest still aggregate.
            let repeated = try await recorder.record(.normal, reason: "Seen", message: "change \(limit + 49)", about: subject)
            #expect(repeated.count == 2)
            try await client.shutdown()
        }
    }

    @Test func emittedEventsAreWrittenInTheBackgroundInOrderAndAggregated() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            let subject = try await configMaps.create(InformerIntegrationTests.configMap("subject", value: "0"))
            let recorder = EventRecorder(client: client, component: "fleet-controller")
            // emit returns before anything is written; three repeats and one other event follow.
            for _ in 0..<3 { recorder.emit(.warning, reason: "SyncFailed", message: "no route", about: subject) }
            recorder.emit(.normal, reason: "Synced", message: "ok", about: subject)
            let events = client.api(Event.self, namespace: "default")
            let deadline = ContinuousClock.now + .seconds(30)
            var stored: [Event] = []
            while ContinuousClock.now < deadline {
                stored = try await events.list().items
                if stored.count == 2, stored.first(where: { $0.reason == "SyncFailed" })?.count == 3 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(stored.count == 2, "the repeats aggregated into one Event: \(stored.map { ($0.reason ?? "", $0.count ?? 0) })")
            #expect(stored.first { $0.reason == "SyncFailed" }?.count == 3)
            #expect(stored.first { $0.reason == "Synced" }?.type == "Normal")
            try await client.shutdown()
        }
    }

    /// A cold start emits a Normal event for every object on its way; past the budget they are
    /// dropped (and counted), while every Warning is still written. The rate is so low against
    /// the burst that the test's own duration cannot refill a token.
    @Test func normalEventsBeyondTheBudgetAreDroppedWarningsNever() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let configMaps = client.api(ConfigMap.self, namespace: "default")
            let subject = try await configMaps.create(InformerIntegrationTests.configMap("subject", value: "0"))
            let recorder = EventRecorder(
                client: client, component: "fleet-controller", normalEvents: EventBudget(burst: 5, perSecond: 0.001))
            for index in 0..<20 { recorder.emit(.normal, reason: "Synced", message: "change \(index)", about: subject) }
            for index in 0..<8 { recorder.emit(.warning, reason: "SyncFailed", message: "failure \(index)", about: subject) }
            #expect(recorder.normalEvents?.dropped == 15)
            let events = client.api(Event.self, namespace: "default")
            try await eventually("the 5 Normal events and 8 Warnings are written") {
                try await events.list().items.count == 13
            }
            let stored = try await events.list().items
            #expect(stored.filter { $0.type == "Normal" }.compactMap(\.message).sorted() == (0..<5).map { "change \($0)" })
            #expect(stored.filter { $0.type == "Warning" }.count == 8)
            try await client.shutdown()
        }
    }

    @Test func eventsAboutClusterScopedObjectsGoToTheDefaultNamespace() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: EmbeddedServer.quiet)
            let recorder = EventRecorder(client: client, component: "fleet-controller")
            let reference = ObjectReference(kind: "Namespace", name: "team-a", uid: "1234", apiVersion: "v1")
            let event = try await recorder.record(.normal, reason: "Joined", message: "namespace joined the fleet", about: reference)
            #expect(event.metadata.namespace == "default")
            #expect(event.involvedObject == reference)
            #expect(event.source?.host == nil)
            try await client.shutdown()
        }
    }
}
