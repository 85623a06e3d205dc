import KubeModel
import Testing

// PATCH in every flavour a client sends: JSON merge patch, JSON patch, strategic merge patch
// (built-ins only) and server-side apply with field ownership.

@Suite struct ServerPatchTests {
    private static let merge = "application/merge-patch+json"
    private static let jsonPatch = "application/json-patch+json"
    private static let strategic = "application/strategic-merge-patch+json"
    private static let apply = "application/apply-patch+yaml"

    @Test func mergePatchSetsAndRemovesFields() async throws {
        try await TestServer.with { server in
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x", data: ["a": "1", "b": "2"]))
            let reply = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x"), body: #"{"data":{"a":null,"c":"3"},"metadata":{"labels":{"l":"v"}}}"#,
                contentType: Self.merge)
            #expect(reply.status == 200)
            #expect(reply.json["data"] == ["b": "2", "c": "3"])
            #expect(reply.json[path: ["metadata", "labels"]] == ["l": "v"])
            #expect(try await server.get(ServerFixtures.configMapPath("x")) == reply.json)
        }
    }

    @Test func jsonPatchAppliesOperationsInOrder() async throws {
        try await TestServer.with { server in
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x", data: ["a": "1"]))
            let reply = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x"),
                body: #"[{"op":"test","path":"/data/a","value":"1"},{"op":"add","path":"/data/b","value":"2"},{"op":"remove","path":"/data/a"}]"#,
                contentType: Self.jsonPatch)
            #expect(reply.status == 200)
            #expect(reply.json["data"] == ["b": "2"])
        }
    }

    @Test func aFailingJSONPatchTestIsUnprocessableAndChangesNothing() async throws {
        try await TestServer.with { server in
            let created = try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x", data: ["a": "1"]))
            let reply = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x"),
                body: #"[{"op":"add","path":"/data/b","value":"2"},{"op":"test","path":"/data/a","value":"other"}]"#,
                contentType: Self.jsonPatch)
            #expect(reply.status == 422)
            #expect(reply.reason == "Invalid")
            #expect(try await server.get(ServerFixtures.configMapPath("x")) == created)
        }
    }

    @Test func strategicMergePatchMergesServicePortsByPort() async throws {
        try await TestServer.with { server in
            let service: JSONValue = [
                "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
                "spec": [
                    "selector": ["app": "web"],
                    "ports": [["name": "http", "port": 80], ["name": "https", "port": 443]],
                ],
            ]
            try await server.create("/api/v1/namespaces/default/services", service)
            let reply = try await server.request(
                .PATCH, "/api/v1/namespaces/default/services/web", body: #"{"spec":{"ports":[{"port":443,"targetPort":8443}]}}"#,
                contentType: Self.strategic)
            #expect(reply.status == 200)
            let ports = reply.json[path: ["spec", "ports"]]?.arrayValue ?? []
            #expect(ports.count == 2)
            #expect(ports.first { $0["port"] == 80 }?["targetPort"] == 80)
            #expect(ports.first { $0["port"] == 80 }?["name"] == "http")
            #expect(ports.first { $0["port"] == 443 }?["targetPort"] == 8443)
            #expect(ports.first { $0["port"] == 443 }?["name"] == "https")
        }
    }

    @Test func strategicMergePatchOfACustomResourceIsUnsupported() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let created = try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w"))
            let reply = try await server.request(
                .PATCH, ServerFixtures.widgetPath("w"), body: #"{"spec":{"size":3}}"#, contentType: Self.strategic)
            #expect(reply.status == 415)
            #expect(reply.reason == "UnsupportedMediaType")
            #expect(try await server.get(ServerFixtures.widgetPath("w")) == created)
        }
    }

    @Test func serverSideApplyCreatesUpdatesAndRemovesItsOwnFields() async throws {
        try await TestServer.with { server in
            let path = ServerFixtures.configMapPath("x") + "?fieldManager=alpha"
            let created = try await server.request(
                .PATCH, path, body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: v\n  extra: e\n",
                contentType: Self.apply)
            #expect(created.status == 201)
            #expect(created.json["data"] == ["k": "v", "extra": "e"])
            let entries = created.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(entries.count == 1)
            #expect(entries.first?["manager"] == "alpha")
            #expect(entries.first?["operation"] == "Apply")
            #expect(entries.first?["apiVersion"] == "v1")
            #expect(entries.first?["fieldsType"] == "FieldsV1")
            #expect(entries.first?[path: ["fieldsV1", "f:data"]] == ["f:k": .emptyObject, "f:extra": .emptyObject])

            let reapplied = try await server.request(
                .PATCH, path, body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: v\n",
                contentType: Self.apply)
            #expect(reapplied.status == 200)
            #expect(reapplied.json["data"] == ["k": "v"])
        }
    }

    @Test func applyConflictsWithAnotherManagerUnlessForced() async throws {
        try await TestServer.with { server in
            let body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: "
            let first = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x") + "?fieldManager=alpha", body: body + "a\n", contentType: Self.apply)
            #expect(first.status == 201)

            let conflict = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x") + "?fieldManager=beta", body: body + "b\n", contentType: Self.apply)
            #expect(conflict.status == 409)
            #expect(conflict.reason == "Conflict")
            #expect(conflict.message == #"Apply failed with 1 conflict: conflict with "alpha": .data.k"#)
            #expect(
                conflict.json[path: ["details", "causes"]]
                    == [["reason": "FieldManagerConflict", "message": #"conflict with "alpha""#, "field": ".data.k"]])
            #expect(try await server.get(ServerFixtures.configMapPath("x"))["data"] == ["k": "a"])

            let forced = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x") + "?fieldManager=beta&force=true", body: body + "b\n",
                contentType: Self.apply)
            #expect(forced.status == 200)
            #expect(forced.json["data"] == ["k": "b"])
            let owners = (forced.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []).filter {
                $0[path: ["fieldsV1", "f:data", "f:k"]] != nil
            }
            #expect(owners.map { $0["manager"] } == ["beta"])
        }
    }

    @Test func updatesRecordTheirManagerInManagedFields() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(
                .POST, ServerFixtures.configMapsPath() + "?fieldManager=creator", json: ServerFixtures.configMap("x"))
            #expect(reply.status == 201)
            let patched = try await server.request(
                .PATCH, ServerFixtures.configMapPath("x") + "?fieldManager=editor", body: #"{"data":{"b":"2"}}"#,
                contentType: Self.merge)
            let entries = patched.json[path: ["metadata", "managedFields"]]?.arrayValue ?? []
            #expect(entries.map { $0["manager"] } == ["creator", "editor"])
            #expect(entries.allSatisfy { $0["operation"] == "Update" })
            // The map created by the update is owned itself ("."), the later key only.
            #expect(entries.first?[path: ["fieldsV1", "f:data"]] == [".": .emptyObject, "f:a": .emptyObject])
            #expect(entries.last?[path: ["fieldsV1", "f:data"]] == ["f:b": .emptyObject])
            #expect(entries.allSatisfy { $0["time"]?.stringValue != nil })
        }
    }
}
