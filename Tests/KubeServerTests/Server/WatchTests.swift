import KubeModel
import KubeServer
import Testing

// Watches as informers use them: initial state, live changes, resumption, expiry, bookmarks,
// timeouts, selector transitions and the streaming-list end marker. Every watch carries
// `timeoutSeconds`, so a missing event ends the stream (and fails the test) instead of hanging.

@Suite struct ServerWatchTests {
    private static func summary(_ events: [JSONValue]) -> [String] {
        events.map { "\($0["type"]?.stringValue ?? "?") \($0[path: ["object", "metadata", "name"]]?.stringValue ?? "")" }
    }

    private static func version(_ object: JSONValue) -> String {
        object[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
    }

    @Test func aWatchStartsWithTheCurrentObjectsThenReportsChanges() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath(try await server.createNamespace("w"))
            try await server.create(path, ServerFixtures.configMap("a"))
            try await server.create(path, ServerFixtures.configMap("b"))
            var watch = try await server.openWatch(path + "?watch=true&timeoutSeconds=30")
            #expect(Self.summary(try await watch.next(2)) == ["ADDED a", "ADDED b"])

            let created = try await server.create(path, ServerFixtures.configMap("c"))
            var changed = created
            changed["data"] = ["a": "2"]
            let updated = try await server.request(.PUT, path + "/c", json: changed).json
            let deleted = try await server.request(.DELETE, path + "/c")
            #expect(deleted.status == 200)
            let events = try await watch.next(3)
            #expect(Self.summary(events) == ["ADDED c", "MODIFIED c", "DELETED c"])
            #expect(events.count == 3)
            guard events.count == 3 else { return }
            #expect(events[0]["object"] == created)
            #expect(events[1]["object"] == updated)
            #expect(events[1][path: ["object", "data"]] == ["a": "2"])
            #expect(Int64(Self.version(events[2]["object"] ?? .null)) ?? 0 > Int64(Self.version(updated)) ?? .max)
        }
    }

    @Test func aWatchWhoseClientGoesAwayEndsWithoutWaitingForAnEventOrItsTimeout() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath(try await server.createNamespace("gone"))
            // The server's own controllers hold watchers too; count the test's on top of them.
            let baseline = server.server.core.store.watcherCount
            let reading = Task {
                var watch = try await server.openWatch(path + "?watch=true&timeoutSeconds=600")
                _ = try await watch.next(1)
            }
            try await server.eventually("the watch is registered", timeout: .seconds(30)) {
                server.server.core.store.watcherCount == baseline + 1
            }
            // The client stops reading and its connection closes; no event ever arrives.
            reading.cancel()
            _ = await reading.result
            try await server.eventually("the server drops the watcher", timeout: .seconds(30)) {
                server.server.core.store.watcherCount == baseline
            }
        }
    }

    @Test func aWatchFromAResourceVersionReplaysOnlyLaterChanges() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath(try await server.createNamespace("w"))
            let a = try await server.create(path, ServerFixtures.configMap("a"))
            try await server.create(path, ServerFixtures.configMap("b"))
            var changed = a
            changed["data"] = ["a": "2"]
            #expect(try await server.request(.PUT, path + "/a", json: changed).status == 200)

            var watch = try await server.openWatch(path + "?watch=true&resourceVersion=\(Self.version(a))&timeoutSeconds=30")
            #expect(Self.summary(try await watch.next(2)) == ["ADDED b", "MODIFIED a"])
            // The next event is the next change: nothing older is replayed.
            try await server.create(path, ServerFixtures.configMap("c"))
            #expect(Self.summary(try await watch.next(1)) == ["ADDED c"])
        }
    }

    @Test func aResourceVersionOlderThanTheHistoryIsAnExpiredErrorEvent() async throws {
        try await TestServer.with(options: ServerOptions(historyLimit: 5)) { server in
            let path = ServerFixtures.configMapsPath()
            let first = try await server.create(path, ServerFixtures.configMap("first"))
            for index in 0..<8 {
                try await server.create(path, ServerFixtures.configMap("more-\(index)"))
            }
            var watch = try await server.openWatch(path + "?watch=true&resourceVersion=\(Self.version(first))&timeoutSeconds=5")
            let events = try await watch.rest()
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event["type"] == "ERROR")
            #expect(event[path: ["object", "kind"]] == "Status")
            #expect(event[path: ["object", "code"]] == 410)
            #expect(event[path: ["object", "reason"]] == "Expired")
            let message = event[path: ["object", "message"]]?.stringValue ?? ""
            #expect(message.hasPrefix("too old resource version: \(Self.version(first)) ("), "message: \(message)")
        }
    }

    @Test func bookmarksCarryTheLatestResourceVersion() async throws {
        try await TestServer.with(options: ServerOptions(bookmarkInterval: .milliseconds(50))) { server in
            let path = ServerFixtures.configMapsPath()
            let listVersion = try await server.get(path)[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            var watch = try await server.openWatch(
                path + "?watch=true&allowWatchBookmarks=true&resourceVersion=\(listVersion)&timeoutSeconds=30")
            let first = try #require(try await watch.next())
            #expect(first["type"] == "BOOKMARK")
            #expect(first[path: ["object", "kind"]] == "ConfigMap")
            #expect(first[path: ["object", "apiVersion"]] == "v1")
            #expect(first[path: ["object", "metadata", "resourceVersion"]] == .string(listVersion))

            let created = try await server.create(path, ServerFixtures.configMap("x"))
            var sawAdded = false
            while let event = try await watch.next() {
                if event["type"] == "ADDED" {
                    sawAdded = true
                    continue
                }
                guard sawAdded, event["type"] == "BOOKMARK" else { continue }
                #expect(event[path: ["object", "metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
                return
            }
            Issue.record("no bookmark after the ADDED event (saw ADDED: \(sawAdded))")
        }
    }

    @Test func timeoutSecondsEndsTheStream() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath()
            try await server.create(path, ServerFixtures.configMap("x"))
            let start = ContinuousClock.now
            var watch = try await server.openWatch(path + "?watch=true&timeoutSeconds=1")
            let events = try await watch.rest()
            let elapsed = ContinuousClock.now - start
            #expect(Self.summary(events) == ["ADDED x"])
            #expect(elapsed >= .milliseconds(900) && elapsed < .seconds(10), "stream lasted \(elapsed)")
        }
    }

    @Test func anObjectThatStopsMatchingTheSelectorIsDeletedForTheWatcher() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath()
            let listVersion = try await server.get(path)[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            var watch = try await server.openWatch(
                path + "?watch=true&labelSelector=tier%3Dweb&resourceVersion=\(listVersion)&timeoutSeconds=30")
            var object = try await server.create(path, ServerFixtures.configMap("x", labels: ["tier": "web"]))
            try await server.create(path, ServerFixtures.configMap("unlabelled"))
            let lastMatching = object
            object[path: ["metadata", "labels", "tier"]] = "db"
            object = try await server.request(.PUT, path + "/x", json: object).json
            let unmatchedVersion = object[path: ["metadata", "resourceVersion"]]
            object["data"] = ["a": "while not matching"]
            object = try await server.request(.PUT, path + "/x", json: object).json
            object[path: ["metadata", "labels", "tier"]] = "web"
            object = try await server.request(.PUT, path + "/x", json: object).json
            #expect(try await server.request(.DELETE, path + "/x").status == 200)
            let events = try await watch.next(4)
            #expect(Self.summary(events) == ["ADDED x", "DELETED x", "ADDED x", "DELETED x"])
            #expect(events.count == 4)
            guard events.count == 4 else { return }
            // As kube-apiserver: the DELETED event carries the object's previous (last matching)
            // state, stamped with the resourceVersion of the change that ended the match.
            var expected = lastMatching
            expected[path: ["metadata", "resourceVersion"]] = unmatchedVersion
            #expect(events[1][path: ["object", "metadata", "labels", "tier"]] == "web", "the DELETED event carries the previous state")
            #expect(events[1][path: ["object", "metadata", "resourceVersion"]] == unmatchedVersion)
            #expect(events[1]["object"] == expected)
            #expect(events[2][path: ["object", "data"]] == ["a": "while not matching"])
        }
    }

    @Test func streamingListEndsInitialEventsWithAnAnnotatedBookmark() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath(try await server.createNamespace("w"))
            try await server.create(path, ServerFixtures.configMap("a"))
            let b = try await server.create(path, ServerFixtures.configMap("b"))
            var watch = try await server.openWatch(
                path + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=30")
            let events = try await watch.next(3)
            #expect(Self.summary(events) == ["ADDED a", "ADDED b", "BOOKMARK "])
            guard events.count == 3 else { return }
            #expect(events[2][path: ["object", "metadata", "annotations"]] == ["k8s.io/initial-events-end": "true"])
            let bookmarkVersion = Int64(events[2][path: ["object", "metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            #expect(bookmarkVersion >= Int64(Self.version(b)) ?? .max)
            try await server.create(path, ServerFixtures.configMap("c"))
            #expect(Self.summary(try await watch.next(1)) == ["ADDED c"])
        }
    }
}
