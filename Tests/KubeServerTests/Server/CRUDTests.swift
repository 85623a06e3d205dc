import Foundation
import KubeModel
import Testing

// Create, read and update over HTTPS as client-go does them: server-set metadata, optimistic
// concurrency, the standard errors, generation and the status subresource.

@Suite struct ServerCRUDTests {
    @Test func createSetsServerOwnedMetadataAndResourceVersionsIncreaseAcrossTheServer() async throws {
        try await TestServer.with { server in
            let first = try await server.request(.POST, ServerFixtures.configMapsPath(), json: ServerFixtures.configMap("one"))
            #expect(first.status == 201)
            let metadata = first.json["metadata"]
            #expect(metadata?["name"] == "one")
            #expect(metadata?["namespace"] == "default")
            let uid = metadata?["uid"]?.stringValue ?? ""
            #expect(uid.count == 36, "uid \(uid)")
            let timestamp = metadata?["creationTimestamp"]?.stringValue ?? ""
            #expect((try? Date.ISO8601FormatStyle().parse(timestamp)) != nil, "creationTimestamp \(timestamp)")
            // Another resource in another group shares the same revision counter.
            let namespace = try await server.create(
                "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "second"]])
            let second = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("two"))
            let versions = [first.json, namespace, second].compactMap { Int64($0[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") }
            #expect(versions.count == 3)
            #expect(versions == versions.sorted() && Set(versions).count == 3, "resource versions \(versions)")
            #expect(first.json[path: ["metadata", "uid"]] != second[path: ["metadata", "uid"]])
        }
    }

    @Test func customResourcesStartAtGenerationOne() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let created = try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w"))
            #expect(created[path: ["metadata", "generation"]] == 1)
        }
    }

    @Test func generateNameAppendsASuffix() async throws {
        try await TestServer.with { server in
            var object = ServerFixtures.configMap("")
            object["metadata"] = ["generateName": "job-"]
            let first = try await server.create(ServerFixtures.configMapsPath(), object)
            let second = try await server.create(ServerFixtures.configMapsPath(), object)
            let names = [first, second].map { $0[path: ["metadata", "name"]]?.stringValue ?? "" }
            for name in names {
                #expect(name.hasPrefix("job-") && name.count == "job-".count + 5, "generated name \(name)")
            }
            #expect(names[0] != names[1])
            #expect(first[path: ["metadata", "generateName"]] == "job-")
            let read = try await server.request(.GET, ServerFixtures.configMapPath(names[0]))
            #expect(read.status == 200)
        }
    }

    @Test func getReturnsTheStoredObject() async throws {
        try await TestServer.with { server in
            let created = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x", data: ["k": "v"]))
            let read = try await server.request(.GET, ServerFixtures.configMapPath("x"))
            #expect(read.status == 200)
            #expect(read.json == created)
        }
    }

    @Test func updateWithTheCurrentResourceVersionSucceedsAndAStaleOneConflicts() async throws {
        try await TestServer.with { server in
            let created = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x"))
            var changed = created
            changed["data"] = ["a": "2"]
            let updated = try await server.request(.PUT, ServerFixtures.configMapPath("x"), json: changed)
            #expect(updated.status == 200)
            #expect(updated.json["data"] == ["a": "2"])
            let oldVersion = Int64(created[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? .max
            let newVersion = Int64(updated.json[path: ["metadata", "resourceVersion"]]?.stringValue ?? "") ?? 0
            #expect(newVersion > oldVersion)
            #expect(updated.json[path: ["metadata", "uid"]] == created[path: ["metadata", "uid"]])
            #expect(updated.json[path: ["metadata", "creationTimestamp"]] == created[path: ["metadata", "creationTimestamp"]])

            var stale = created
            stale["data"] = ["a": "3"]
            let conflict = try await server.request(.PUT, ServerFixtures.configMapPath("x"), json: stale)
            #expect(conflict.status == 409)
            #expect(conflict.reason == "Conflict")
            #expect(
                conflict.message
                    == "Operation cannot be fulfilled on configmaps \"x\": the object has been modified; please apply your changes to the latest version and try again")
            #expect(conflict.json["details"] == ["name": "x", "kind": "configmaps"])
            #expect(conflict.json["kind"] == "Status" && conflict.json["status"] == "Failure" && conflict.json["code"] == 409)
            #expect(try await server.get(ServerFixtures.configMapPath("x"))["data"] == ["a": "2"])
        }
    }

    @Test func creatingAnExistingNameIsAlreadyExists() async throws {
        try await TestServer.with { server in
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x", data: ["a": "1"]))
            let again = try await server.request(
                .POST, ServerFixtures.configMapsPath(), json: ServerFixtures.configMap("x", data: ["a": "other"]))
            #expect(again.status == 409)
            #expect(again.reason == "AlreadyExists")
            #expect(again.message == "configmaps \"x\" already exists")
            #expect(again.json["details"] == ["name": "x", "kind": "configmaps"])
            #expect(try await server.get(ServerFixtures.configMapPath("x"))["data"] == ["a": "1"])
        }
    }

    @Test func readingAMissingObjectIsNotFoundWithDetails() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let core = try await server.request(.GET, ServerFixtures.configMapPath("missing"))
            #expect(core.status == 404)
            #expect(core.reason == "NotFound")
            #expect(core.message == "configmaps \"missing\" not found")
            #expect(core.json["details"] == ["name": "missing", "kind": "configmaps"])
            let custom = try await server.request(.GET, ServerFixtures.widgetPath("missing"))
            #expect(custom.status == 404)
            #expect(custom.message == "widgets.example.com \"missing\" not found")
            #expect(custom.json["details"] == ["name": "missing", "group": "example.com", "kind": "widgets"])
            let update = try await server.request(.PUT, ServerFixtures.widgetPath("missing"), json: ServerFixtures.widget("missing"))
            #expect(update.status == 404)
        }
    }

    @Test func generationChangesOnlyWithTheSpec() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            var object = try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w", size: 1))
            #expect(object[path: ["metadata", "generation"]] == 1)

            object[path: ["metadata", "labels"]] = ["tier": "a"]
            object = try await server.request(.PUT, ServerFixtures.widgetPath("w"), json: object).json
            #expect(object[path: ["metadata", "labels", "tier"]] == "a")
            #expect(object[path: ["metadata", "generation"]] == 1, "a metadata change keeps the generation")

            object["status"] = ["ready": true]
            object = try await server.request(.PUT, ServerFixtures.widgetPath("w") + "/status", json: object).json
            #expect(object[path: ["status", "ready"]] == true)
            #expect(object[path: ["metadata", "generation"]] == 1, "a status change keeps the generation")

            object[path: ["spec", "size"]] = 2
            object = try await server.request(.PUT, ServerFixtures.widgetPath("w"), json: object).json
            #expect(object[path: ["spec", "size"]] == 2)
            #expect(object[path: ["metadata", "generation"]] == 2)
        }
    }

    @Test func theMainResourceIgnoresStatusAndTheStatusSubresourceIgnoresEverythingElse() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            var create = ServerFixtures.widget("w", size: 1)
            create["status"] = ["ready": true]
            let created = try await server.create(ServerFixtures.widgetsPath, create)
            #expect(created["status"] == nil, "status is dropped on create")

            var main = created
            main[path: ["spec", "size"]] = 5
            main["status"] = ["ready": true]
            let afterMain = try await server.request(.PUT, ServerFixtures.widgetPath("w"), json: main)
            #expect(afterMain.status == 200)
            #expect(afterMain.json[path: ["spec", "size"]] == 5)
            #expect(afterMain.json["status"] == nil)

            var status = afterMain.json
            status[path: ["spec", "size"]] = 9
            status[path: ["metadata", "labels"]] = ["sneaky": "yes"]
            status["status"] = ["ready": true, "observed": 2]
            let afterStatus = try await server.request(.PUT, ServerFixtures.widgetPath("w") + "/status", json: status)
            #expect(afterStatus.status == 200)
            #expect(afterStatus.json["status"] == ["ready": true, "observed": 2])
            #expect(afterStatus.json[path: ["spec", "size"]] == 5)
            #expect(afterStatus.json[path: ["metadata", "labels"]] == nil)
            let stored = try await server.get(ServerFixtures.widgetPath("w"))
            #expect(stored == afterStatus.json)
        }
    }

    @Test func aWriteThatChangesNothingKeepsTheResourceVersion() async throws {
        try await TestServer.with { server in
            let created = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x"))
            let same = try await server.request(.PUT, ServerFixtures.configMapPath("x"), json: created)
            #expect(same.status == 200)
            #expect(same.json[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
            let patched = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x"), body: #"{"data":{"a":"1"}}"#,
                contentType: "application/merge-patch+json")
            #expect(patched.status == 200)
            #expect(patched.json[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
            // Nothing was recorded either: a watch from the creation's version sees no event.
            let version = created[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
            var watch = try await server.openWatch(
                ServerFixtures.configMapsPath() + "?watch=true&resourceVersion=\(version)&timeoutSeconds=1")
            #expect(try await watch.rest().isEmpty)
        }
    }
}
