import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeServer
import KubeTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

// Informers over the real client against the embedded API server: the cache matches the server
// after a burst of changes, and after the server goes away and comes back with a history that no
// longer reaches the informer's resourceVersion (410 → relist, emitting the deletions of the gap).

@Suite struct InformerIntegrationTests {
    static var quiet: Logger { EmbeddedServer.quiet }

    @Test func cacheMatchesTheServerAfterABurstOfAThousandChanges() async throws {
        let core = try APIServerCore()
        try await EmbeddedServer.serving(core) { url in
            let client = try KubeClient(configuration: ClientConfiguration(server: url), logger: Self.quiet)
            let api = client.api(ConfigMap.self, namespace: "default")
            let informer = Informer(source: ResourceListWatch(api: api), logger: Self.quiet)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await informer.run() }
                await informer.store.waitUntilSynced()
                // 400 creates, 400 updates, 200 deletes, 16 at a time.
                try await Self.concurrently(400) { index in
                    _ = try await api.create(Self.configMap("burst-\(index)", value: "0"))
                }
                try await Self.concurrently(400) { index in
                    _ = try await api.patch("burst-\(index)", .merge(["data": ["value": "1"]]))
                }
                try await Self.concurrently(200) { index in
                    try await api.delete("burst-\(index * 2)")
                }
                let expected = try await Self.versions(api)
                #expect(expected.count == 200)
                try await eventually("informer cache equals the server's list") {
                    Self.versions(informer.store) == expected
                }
                tasks.cancelAll()
            }
            try await client.shutdown()
        }
    }

    @Test func informerRelistsAfterTheServerComesBackWithoutItsHistory() async throws {
        let core = try APIServerCore(options: ServerOptions(historyLimit: 20))
        let definition = try #require(core.registry.definition(group: "", version: "v1", resource: "configmaps"))
        var server = try await EmbeddedServer.Running.start(core: core, port: RestartablePort.next())
        let port = server.port
        let client = try KubeClient(configuration: ClientConfiguration(server: server.url), logger: Self.quiet)
        let api = client.api(ConfigMap.self, namespace: "default")
        for index in 0..<5 { _ = try await api.create(Self.configMap("before-\(index)", value: "0")) }

        let deleted = Mutex<[String]>([])
        let informer = Informer(
            source: ResourceListWatch(api: api),
            backoff: InformerBackoff(initialDelay: .milliseconds(50), maximumDelay: .milliseconds(200)), logger: Self.quiet)
        informer.addHandler(onDelete: { object in deleted.withLock { $0.append(object.metadata.name ?? "") } })
        let running = Task { await informer.run() }
        await informer.store.waitUntilSynced()
        #expect(informer.store.count == 5)

        // The server goes away; while it is down the data changes by more than its history keeps.
        await server.stop()
        for index in 0..<3 {
            try core.delete(definition, namespace: "default", name: "before-\(index)", options: DeleteOptions())
        }
        for index in 0..<30 {
            _ = try core.create(
                definition, namespace: "default",
                body: ["metadata": ["name": .string("during-\(index)")], "data": ["value": "0"]], options: WriteOptions())
        }
        server = try await EmbeddedServer.Running.start(core: core, port: port)

        let expected = try await Self.versions(api)
        #expect(expected.count == 32)
        try await eventually("the informer relisted after the restart") {
            Self.versions(informer.store) == expected
        }
        #expect(deleted.withLock { Set($0) } == ["before-0", "before-1", "before-2"])
        running.cancel()
        await running.value
        try await client.shutdown()
        await server.stop()
    }

    // MARK: Helpers

    static func configMap(_ name: String, value: String) -> ConfigMap {
        var map = ConfigMap(metadata: ObjectMeta(name: name, namespace: "default"))
        map.data = ["value": value]
        return map
    }

    static func versions(_ api: ResourceAPI<ConfigMap>) async throws -> [String: String] {
        let list = try await api.list()
        return Dictionary(uniqueKeysWithValues: list.items.map { ($0.metadata.name ?? "", $0.metadata.resourceVersion ?? "") })
    }

    static func versions(_ store: InformerStore<ConfigMap>) -> [String: String] {
        Dictionary(uniqueKeysWithValues: store.list().map { ($0.metadata.name ?? "", $0.metadata.resourceVersion ?? "") })
    }

    static func concurrently(_ count: Int, _ operation: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for start in stride(from: 0, to: count, by: 16) {
                for index in start..<min(start + 16, count) { group.addTask { try await operation(index) } }
                try await group.waitForAll()
            }
        }
    }
}
