import Foundation
import KubeClient
import KubeModel
import KubeServer
import Testing

@Suite("Watch streams")
struct WatchTests {
    @Test func watchFromAListDeliversTypedAddedModifiedAndDeleted() async throws {
        try await withAdminClient { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "watched")))
            let api = client.api(ConfigMap.self, namespace: "watched")
            let list = try await api.list()
            let stream = try await api.watch(resourceVersion: list.metadata.resourceVersion, timeoutSeconds: 10)
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "w"), data: ["a": "1"]))
            _ = try await api.patch("w", .merge(["data": ["a": "2"]]))
            try await api.delete("w")

            var seen: [(WatchEventType, String?)] = []
            for try await event in stream {
                seen.append((event.type, event.object?.data?["a"]))
                if event.type == .deleted { break }
            }
            #expect(seen.map(\.0) == [.added, .modified, .deleted])
            #expect(seen.map(\.1) == ["1", "2", "2"])
        }
    }

    @Test func bookmarksCarryTheResourceVersion() async throws {
        try await withAdminClient(options: ServerOptions(bookmarkInterval: .milliseconds(50))) { client in
            let api = client.api(Namespace.self)
            let list = try await api.list()
            let stream = try await api.watch(resourceVersion: list.metadata.resourceVersion, allowBookmarks: true, timeoutSeconds: 10)
            var bookmark: String?
            for try await event in stream {
                if case .bookmark(let resourceVersion, _) = event {
                    bookmark = resourceVersion
                    break
                }
            }
            #expect(bookmark?.isEmpty == false)
        }
    }

    @Test func initialEventsEndWithAnAnnotatedBookmark() async throws {
        try await withAdminClient { client in
            let api = client.dynamic(apiVersion: "v1", plural: "namespaces", namespaced: false)
            let stream = try await api.watch(allowBookmarks: true, timeoutSeconds: 10, sendInitialEvents: true)
            var added = 0
            for try await event in stream {
                if case .added = event { added += 1 }
                if case .bookmark(_, let annotations) = event {
                    #expect(annotations["k8s.io/initial-events-end"] == "true")
                    break
                }
            }
            #expect(added >= 1)
        }
    }

    @Test func aCompactedResourceVersionYieldsAGoneError() async throws {
        try await withAdminClient(options: ServerOptions(historyLimit: 3)) { client in
            _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "old")))
            let api = client.api(ConfigMap.self, namespace: "old")
            let first = try await api.create(ConfigMap(metadata: ObjectMeta(name: "c0")))
            for index in 1...10 { _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "c\(index)"))) }
            let stream = try await api.watch(resourceVersion: first.metadata.resourceVersion, timeoutSeconds: 10)
            var failure: KubeClientError?
            for try await event in stream {
                if case .error(let error) = event {
                    failure = error
                    break
                }
            }
            #expect(failure?.isGone == true)
            #expect(failure?.isExpired == true)
            #expect(failure?.code == 410)
        }
    }

    @Test func cancellingTheConsumerEndsTheWatch() async throws {
        try await withAdminClient { client in
            let api = client.api(Namespace.self)
            let stream = try await api.watch(resourceVersion: try await api.list().metadata.resourceVersion)
            let consumer = Task {
                var count = 0
                for try await _ in stream { count += 1 }
                return count
            }
            try await Task.sleep(for: .milliseconds(100))
            consumer.cancel()
            let count = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask { try await consumer.value }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            #expect(count != nil, "the watch did not end within 10 s of cancellation")
        }
    }

    @Test func watchEstablishmentErrorsThrowAtOnce() async throws {
        try await ServerFixture.with { fixture in
            try await fixture.withClient(fixture.configuration(authentication: .bearerToken("unknown"))) { client in
                let failure = await error { try await client.api(Namespace.self).watch() }
                #expect(failure?.isUnauthorized == true)
            }
        }
    }
}
