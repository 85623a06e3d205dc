import Foundation
import KubeModel
import Testing

// Lists as clients page and filter them: limit/continue over a consistent snapshot, label and
// field selectors, and lists across all namespaces.

@Suite struct ServerListTests {
    private static func names(_ list: JSONValue) -> [String] {
        (list["items"]?.arrayValue ?? []).compactMap { $0[path: ["metadata", "name"]]?.stringValue }
    }

    @Test func paginationVisitsEveryObjectOnceFromOneSnapshot() async throws {
        try await TestServer.with { server in
            let namespace = try await server.createNamespace("paging")
            let path = ServerFixtures.configMapsPath(namespace)
            for name in ["a", "b", "c", "d", "e"] {
                try await server.create(path, ServerFixtures.configMap(name))
            }
            let first = try await server.request(.GET, path + "?limit=2")
            #expect(first.status == 200)
            #expect(first.json["kind"] == "ConfigMapList")
            #expect(Self.names(first.json) == ["a", "b"])
            #expect(first.json[path: ["metadata", "remainingItemCount"]] == 3)
            let snapshotVersion = first.json[path: ["metadata", "resourceVersion"]]
            var token = try #require(first.json[path: ["metadata", "continue"]]?.stringValue)

            // Changes after the first page are not part of the pages that follow.
            try await server.create(path, ServerFixtures.configMap("f"))
            var changed = try await server.get(ServerFixtures.configMapPath("d", namespace: namespace))
            changed["data"] = ["a": "changed"]
            #expect(try await server.request(.PUT, ServerFixtures.configMapPath("d", namespace: namespace), json: changed).status == 200)
            #expect(try await server.request(.DELETE, ServerFixtures.configMapPath("c", namespace: namespace)).status == 200)

            let second = try await server.request(.GET, path + "?limit=2&continue=\(token)")
            #expect(second.status == 200)
            #expect(Self.names(second.json) == ["c", "d"])
            #expect((second.json["items"]?.arrayValue?.last)?["data"] == ["a": "1"], "page 2 shows d as of the snapshot")
            #expect(second.json[path: ["metadata", "remainingItemCount"]] == 1)
            #expect(second.json[path: ["metadata", "resourceVersion"]] == snapshotVersion)
            token = try #require(second.json[path: ["metadata", "continue"]]?.stringValue)

            let third = try await server.request(.GET, path + "?limit=2&continue=\(token)")
            #expect(third.status == 200)
            #expect(Self.names(third.json) == ["e"])
            #expect(third.json[path: ["metadata", "continue"]] == nil)
            #expect(third.json[path: ["metadata", "remainingItemCount"]] == nil)

            let fresh = try await server.request(.GET, path)
            #expect(Self.names(fresh.json) == ["a", "b", "d", "e", "f"])
        }
    }

    @Test(arguments: [
        ("tier=web", ["web1", "web2"]),
        ("tier==web", ["web1", "web2"]),
        ("tier!=web", ["db", "plain"]),
        ("tier in (web,db)", ["db", "web1", "web2"]),
        ("tier notin (web)", ["db", "plain"]),
        ("tier", ["db", "web1", "web2"]),
        ("!tier", ["plain"]),
        ("tier=web,zone=a", ["web1"]),
    ])
    func labelSelectorsFilterLists(selector: String, expected: [String]) async throws {
        try await TestServer.with { server in
            let namespace = try await server.createNamespace("labels")
            let path = ServerFixtures.configMapsPath(namespace)
            try await server.create(path, ServerFixtures.configMap("web1", labels: ["tier": "web", "zone": "a"]))
            try await server.create(path, ServerFixtures.configMap("web2", labels: ["tier": "web", "zone": "b"]))
            try await server.create(path, ServerFixtures.configMap("db", labels: ["tier": "db"]))
            try await server.create(path, ServerFixtures.configMap("plain"))
            let encoded = selector.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? selector
            let list = try await server.request(.GET, path + "?labelSelector=\(encoded)")
            #expect(list.status == 200)
            #expect(Self.names(list.json) == expected)
        }
    }

    @Test func fieldSelectorsOnNameAndNamespace() async throws {
        try await TestServer.with { server in
            try await server.createNamespace("one")
            try await server.createNamespace("two")
            for namespace in ["one", "two"] {
                try await server.create(ServerFixtures.configMapsPath(namespace), ServerFixtures.configMap("shared"))
                try await server.create(ServerFixtures.configMapsPath(namespace), ServerFixtures.configMap("only-\(namespace)"))
            }
            let byName = try await server.request(.GET, "/api/v1/configmaps?fieldSelector=metadata.name%3Dshared")
            #expect(byName.status == 200)
            let found = (byName.json["items"]?.arrayValue ?? []).map {
                "\($0[path: ["metadata", "namespace"]]?.stringValue ?? "")/\($0[path: ["metadata", "name"]]?.stringValue ?? "")"
            }
            #expect(found == ["one/shared", "two/shared"])
            let byNamespace = try await server.request(
                .GET, "/api/v1/configmaps?fieldSelector=metadata.namespace%3Dtwo,metadata.name!%3Dshared")
            #expect(Self.names(byNamespace.json) == ["only-two"])
        }
    }

    @Test func anUnsupportedFieldSelectorIsABadRequest() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(.GET, ServerFixtures.configMapsPath() + "?fieldSelector=data.a%3D1")
            #expect(reply.status == 400)
            #expect(reply.reason == "BadRequest")
            #expect(reply.message == "field label not supported: data.a")
        }
    }

    @Test func aClusterWideListSpansNamespaces() async throws {
        try await TestServer.with { server in
            try await server.createNamespace("one")
            try await server.createNamespace("two")
            try await server.create(ServerFixtures.configMapsPath("one"), ServerFixtures.configMap("x"))
            try await server.create(ServerFixtures.configMapsPath("two"), ServerFixtures.configMap("y"))
            let list = try await server.request(.GET, "/api/v1/configmaps")
            #expect(list.status == 200)
            let pairs = (list.json["items"]?.arrayValue ?? []).map {
                [$0[path: ["metadata", "namespace"]]?.stringValue ?? "", $0[path: ["metadata", "name"]]?.stringValue ?? ""]
            }
            #expect(pairs.contains(["one", "x"]) && pairs.contains(["two", "y"]))
            let namespaced = try await server.request(.GET, ServerFixtures.configMapsPath("one"))
            #expect(Self.names(namespaced.json) == ["x"])
        }
    }
}
