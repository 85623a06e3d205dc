import KubeModel
import Testing

// Deletion as controllers rely on it: preconditions, finalizers and deletionTimestamp, the three
// propagation policies carried out by the garbage collector, and deletecollection.

@Suite struct ServerDeleteTests {
    private static func ownerReference(to owner: JSONValue) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap", "name": owner[path: ["metadata", "name"]] ?? "",
            "uid": owner[path: ["metadata", "uid"]] ?? "", "blockOwnerDeletion": true,
        ]
    }

    private static func dependent(_ name: String, of owner: JSONValue, finalizers: [JSONValue] = []) -> JSONValue {
        var object = ServerFixtures.configMap(name)
        object[path: ["metadata", "ownerReferences"]] = [ownerReference(to: owner)]
        if !finalizers.isEmpty { object[path: ["metadata", "finalizers"]] = .array(finalizers) }
        return object
    }

    private static func deleteOptions(_ fields: JSONValue) -> JSONValue {
        var options: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        for (key, value) in fields.objectValue ?? [:] { options[key] = value }
        return options
    }

    @Test func mismatchedPreconditionsConflictAndKeepTheObject() async throws {
        try await TestServer.with { server in
            let created = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x"))
            let uid = created[path: ["metadata", "uid"]]?.stringValue ?? ""
            let version = created[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""

            let wrongUID = try await server.request(
                .DELETE, ServerFixtures.configMapPath("x"), json: Self.deleteOptions(["preconditions": ["uid": "not-the-uid"]]))
            #expect(wrongUID.status == 409)
            #expect(wrongUID.reason == "Conflict")
            #expect(
                wrongUID.message
                    == "Operation cannot be fulfilled on configmaps \"x\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: \(uid)")

            let wrongVersion = try await server.request(
                .DELETE, ServerFixtures.configMapPath("x"), json: Self.deleteOptions(["preconditions": ["resourceVersion": "1"]]))
            #expect(wrongVersion.status == 409)
            #expect(
                wrongVersion.message
                    == "Operation cannot be fulfilled on configmaps \"x\": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: \(version)")
            #expect(try await server.get(ServerFixtures.configMapPath("x")) == created)

            let matching = try await server.request(
                .DELETE, ServerFixtures.configMapPath("x"),
                json: Self.deleteOptions(["preconditions": ["uid": .string(uid), "resourceVersion": .string(version)]]))
            #expect(matching.status == 200)
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("x")).status == 404)
        }
    }

    @Test func finalizersHoldTheObjectUntilRemoved() async throws {
        try await TestServer.with { server in
            var object = ServerFixtures.configMap("x")
            object[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            try await server.create(ServerFixtures.configMapsPath(), object)

            let deleted = try await server.request(.DELETE, ServerFixtures.configMapPath("x"))
            #expect(deleted.status == 200)
            #expect(deleted.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            var held = try await server.get(ServerFixtures.configMapPath("x"))
            #expect(held[path: ["metadata", "deletionTimestamp"]] == deleted.json[path: ["metadata", "deletionTimestamp"]])
            #expect(held[path: ["metadata", "finalizers"]] == ["example.com/hold"])

            var adding = held
            adding[path: ["metadata", "finalizers"]] = ["example.com/hold", "example.com/other"]
            let rejected = try await server.request(.PUT, ServerFixtures.configMapPath("x"), json: adding)
            #expect(rejected.status == 422)
            #expect(rejected.reason == "Invalid")
            #expect(
                rejected.message
                    == #"ConfigMap "x" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/other"}"#)
            #expect(try await server.get(ServerFixtures.configMapPath("x")) == held)

            held[path: ["metadata", "finalizers"]] = .array([])
            let released = try await server.request(.PUT, ServerFixtures.configMapPath("x"), json: held)
            #expect(released.status == 200)
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("x")).status == 404)
        }
    }

    @Test func backgroundDeletionCollectsDependents() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath()
            let owner = try await server.create(path, ServerFixtures.configMap("owner"))
            try await server.create(path, Self.dependent("child-1", of: owner))
            try await server.create(path, Self.dependent("child-2", of: owner))
            try await server.create(path, ServerFixtures.configMap("bystander"))
            #expect(try await server.request(.DELETE, ServerFixtures.configMapPath("owner")).status == 200)
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("owner")).status == 404, "the owner goes at once")
            try await server.eventually("the dependents are collected") {
                let remaining = try await server.get(path)["items"]?.arrayValue ?? []
                return remaining.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["bystander"]
            }
        }
    }

    @Test func foregroundDeletionKeepsTheOwnerUntilDependentsAreGone() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath()
            let owner = try await server.create(path, ServerFixtures.configMap("owner"))
            try await server.create(path, Self.dependent("child", of: owner, finalizers: ["example.com/hold"]))
            let deleting = try await server.request(
                .DELETE, ServerFixtures.configMapPath("owner"), json: Self.deleteOptions(["propagationPolicy": "Foreground"]))
            #expect(deleting.status == 200)
            #expect(deleting.json[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])
            #expect(deleting.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)

            try await server.eventually("the dependent is being deleted") {
                try await server.get(ServerFixtures.configMapPath("child"))[path: ["metadata", "deletionTimestamp"]] != nil
            }
            // The dependent cannot go while it has its finalizer, so the owner must still wait.
            let waiting = try await server.get(ServerFixtures.configMapPath("owner"))
            #expect(waiting[path: ["metadata", "finalizers"]] == ["foregroundDeletion"])

            let released = try await server.request(
                .PATCH, ServerFixtures.configMapPath("child"),
                body: #"[{"op":"remove","path":"/metadata/finalizers"}]"#, contentType: "application/json-patch+json")
            #expect(released.status == 200)
            try await server.eventually("the owner is deleted after its dependent") {
                try await server.request(.GET, ServerFixtures.configMapPath("owner")).status == 404
            }
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("child")).status == 404)
        }
    }

    @Test func orphanDeletionLeavesDependentsWithoutTheOwnerReference() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath()
            let owner = try await server.create(path, ServerFixtures.configMap("owner"))
            try await server.create(path, Self.dependent("child", of: owner))
            let deleting = try await server.request(.DELETE, ServerFixtures.configMapPath("owner") + "?propagationPolicy=Orphan")
            #expect(deleting.status == 200)
            try await server.eventually("the orphaning owner is deleted") {
                try await server.request(.GET, ServerFixtures.configMapPath("owner")).status == 404
            }
            let child = try await server.get(ServerFixtures.configMapPath("child"))
            #expect(child[path: ["metadata", "ownerReferences"]] == nil)
            #expect(child[path: ["metadata", "deletionTimestamp"]] == nil)
        }
    }

    @Test func deleteCollectionDeletesOnlyMatchingObjects() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapsPath(try await server.createNamespace("bulk"))
            try await server.create(path, ServerFixtures.configMap("web-1", labels: ["tier": "web"]))
            try await server.create(path, ServerFixtures.configMap("web-2", labels: ["tier": "web"]))
            try await server.create(path, ServerFixtures.configMap("db", labels: ["tier": "db"]))
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("web-elsewhere", labels: ["tier": "web"]))
            let reply = try await server.request(.DELETE, path + "?labelSelector=tier%3Dweb")
            #expect(reply.status == 200)
            let remaining = try await server.get(path)["items"]?.arrayValue ?? []
            #expect(remaining.compactMap { $0[path: ["metadata", "name"]]?.stringValue } == ["db"])
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("web-elsewhere")).status == 200)
        }
    }
}
