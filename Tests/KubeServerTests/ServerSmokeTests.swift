import KubeModel
import Testing

@Suite struct ServerSmokeTests {
    @Test func createdObjectsCanBeReadBackOverHTTPS() async throws {
        try await TestServer.with { server in
            let created = try await server.request(
                .POST, "/api/v1/namespaces/default/configmaps",
                json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "one"], "data": ["a": "b"]])
            #expect(created.status == 201)
            let read = try await server.request(.GET, "/api/v1/namespaces/default/configmaps/one")
            #expect(read.status == 200)
            #expect(read.json["data"] == ["a": "b"])
            #expect(read.json[path: ["metadata", "resourceVersion"]] == created.json[path: ["metadata", "resourceVersion"]])
        }
    }
}
