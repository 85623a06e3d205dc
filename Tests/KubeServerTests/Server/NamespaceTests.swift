import KubeModel
import Testing

// Namespace lifecycle: a deleted namespace is Terminating, refuses new content, has its contents
// deleted (waiting for their finalizers), and then disappears.

@Suite struct ServerNamespaceTests {
    @Test func deletingANamespaceDeletesItsContentsThenItself() async throws {
        try await TestServer.with { server in
            let namespace = try await server.createNamespace("doomed")
            let configMaps = ServerFixtures.configMapsPath(namespace)
            try await server.create(configMaps, ServerFixtures.configMap("plain"))
            var held = ServerFixtures.configMap("held")
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            try await server.create(configMaps, held)
            try await server.create(
                "/api/v1/namespaces/doomed/services",
                ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "svc"], "spec": ["ports": [["port": 80]]]])
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("elsewhere"))

            let deleted = try await server.request(.DELETE, "/api/v1/namespaces/doomed")
            #expect(deleted.status == 200)
            #expect(deleted.json[path: ["status", "phase"]] == "Terminating")
            #expect(deleted.json[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)

            try await server.eventually("everything without a finalizer in the namespace is deleted") {
                let services = try await server.get("/api/v1/namespaces/doomed/services")["items"]?.arrayValue ?? []
                let names = (try await server.get(configMaps)["items"]?.arrayValue ?? []).compactMap {
                    $0[path: ["metadata", "name"]]?.stringValue
                }
                return services.isEmpty && names == ["held"]
            }
            let waiting = try await server.get(ServerFixtures.configMapPath("held", namespace: namespace))
            #expect(waiting[path: ["metadata", "deletionTimestamp"]]?.stringValue != nil)
            let namespaceObject = try await server.get("/api/v1/namespaces/doomed")
            #expect(namespaceObject[path: ["status", "phase"]] == "Terminating", "the namespace waits for the finalizer")

            let released = try await server.request(
                .PATCH, ServerFixtures.configMapPath("held", namespace: namespace), body: #"{"metadata":{"finalizers":null}}"#,
                contentType: "application/merge-patch+json")
            #expect(released.status == 200)
            try await server.eventually("the namespace disappears") {
                try await server.request(.GET, "/api/v1/namespaces/doomed").status == 404
            }
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("elsewhere")).status == 200)
        }
    }

    @Test func creatingInATerminatingNamespaceIsForbidden() async throws {
        try await TestServer.with { server in
            let namespace = try await server.createNamespace("doomed")
            var held = ServerFixtures.configMap("held")
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            try await server.create(ServerFixtures.configMapsPath(namespace), held)
            #expect(try await server.request(.DELETE, "/api/v1/namespaces/doomed").status == 200)

            let reply = try await server.request(.POST, ServerFixtures.configMapsPath(namespace), json: ServerFixtures.configMap("late"))
            #expect(reply.status == 403)
            #expect(reply.reason == "Forbidden")
            #expect(
                reply.message
                    == #"configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated"#)
            #expect(
                reply.json["details"]
                    == [
                        "name": "late", "kind": "configmaps",
                        "causes": [["reason": "NamespaceTerminating", "message": "namespace doomed is being terminated", "field": "metadata.namespace"]],
                    ])
            #expect(try await server.request(.GET, ServerFixtures.configMapPath("late", namespace: namespace)).status == 404)
        }
    }

    @Test func creatingInAMissingNamespaceIsNotFound() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(.POST, ServerFixtures.configMapsPath("nope"), json: ServerFixtures.configMap("x"))
            #expect(reply.status == 404)
            #expect(reply.reason == "NotFound")
            #expect(reply.message == #"namespaces "nope" not found"#)
            #expect(reply.json["details"] == ["name": "nope", "kind": "namespaces"])
        }
    }

    @Test func aNewNamespaceIsActive() async throws {
        try await TestServer.with { server in
            let created = try await server.create(
                "/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "fresh"]])
            #expect(created[path: ["status", "phase"]] == "Active")
            #expect(created[path: ["spec", "finalizers"]] == ["kubernetes"])
            #expect(try await server.get("/api/v1/namespaces/default")[path: ["status", "phase"]] == "Active")
        }
    }
}
