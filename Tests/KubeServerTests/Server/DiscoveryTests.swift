import KubeModel
import Testing

// What kubectl and client-go read before anything else: the version, legacy and aggregated
// discovery, resource lists, and the OpenAPI v3 documents used for kubectl explain and apply.

@Suite struct ServerDiscoveryTests {
    private static let aggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    @Test func versionDescribesAKubernetes132Server() async throws {
        try await TestServer.with { server in
            let version = try await server.get("/version")
            #expect(version["major"] == "1")
            #expect(version["minor"] == "32")
            #expect(version["gitVersion"]?.stringValue?.hasPrefix("v1.32.") == true)
            #expect(version["platform"]?.stringValue?.contains("/") == true)
        }
    }

    @Test func legacyDiscoveryListsVersionsAndGroups() async throws {
        try await TestServer.with { server in
            let core = try await server.request(.GET, "/api")
            #expect(core.status == 200)
            #expect(core.json["kind"] == "APIVersions")
            #expect(core.json["versions"] == ["v1"])
            let groups = try await server.request(.GET, "/apis")
            #expect(groups.json["kind"] == "APIGroupList")
            let names = (groups.json["groups"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(Set(names).isSuperset(of: ["apps", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "coordination.k8s.io"]))
            let apps = (groups.json["groups"]?.arrayValue ?? []).first { $0["name"] == "apps" }
            #expect(apps?["preferredVersion"] == ["groupVersion": "apps/v1", "version": "v1"])
        }
    }

    @Test func aggregatedDiscoveryIsServedForTheV2AcceptHeader() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let reply = try await server.request(.GET, "/apis", headers: [("Accept", Self.aggregatedAccept)])
            #expect(reply.status == 200)
            #expect(reply.headers["Content-Type"] == ["application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"])
            #expect(reply.json["kind"] == "APIGroupDiscoveryList")
            #expect(reply.json["apiVersion"] == "apidiscovery.k8s.io/v2")
            let items = reply.json["items"]?.arrayValue ?? []
            let apps = try #require(items.first { $0[path: ["metadata", "name"]] == "apps" })
            let v1 = try #require(apps["versions"]?.arrayValue?.first { $0["version"] == "v1" })
            let deployments = try #require(v1["resources"]?.arrayValue?.first { $0["resource"] == "deployments" })
            #expect(deployments["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
            #expect(deployments["scope"] == "Namespaced")
            #expect(deployments["subresources"]?.arrayValue?.contains { $0["subresource"] == "status" } == true)
            let widgets = items.first { $0[path: ["metadata", "name"]] == "example.com" }?["versions"]?[0]?["resources"]?[0]
            #expect(widgets?["shortNames"] == ["wd"])

            let core = try await server.request(.GET, "/api", headers: [("Accept", Self.aggregatedAccept)])
            #expect(core.headers["Content-Type"] == ["application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"])
            let coreResources = core.json["items"]?[0]?["versions"]?[0]?["resources"]?.arrayValue ?? []
            #expect(coreResources.contains { $0["resource"] == "configmaps" && $0["scope"] == "Namespaced" })
            #expect(coreResources.contains { $0["resource"] == "namespaces" && $0["scope"] == "Cluster" })
        }
    }

    @Test func resourceListsDescribeEachGroupVersion() async throws {
        try await TestServer.with { server in
            let core = try await server.get("/api/v1")
            #expect(core["kind"] == "APIResourceList")
            #expect(core["groupVersion"] == "v1")
            let configMaps = try #require(core["resources"]?.arrayValue?.first { $0["name"] == "configmaps" })
            #expect(configMaps["kind"] == "ConfigMap")
            #expect(configMaps["namespaced"] == true)
            #expect(configMaps["shortNames"] == ["cm"])
            let verbs = Set(configMaps["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(verbs == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])

            let apps = try await server.get("/apis/apps/v1")
            #expect(apps["groupVersion"] == "apps/v1")
            let names = Set(apps["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
            #expect(names.isSuperset(of: ["deployments", "deployments/status"]))
            #expect(try await server.request(.GET, "/apis/nothing.example/v1").status == 404)
        }
    }

    @Test func openAPIV3IndexesGroupVersionDocumentsWithPatchOperations() async throws {
        try await TestServer.with { server in
            let index = try await server.get("/openapi/v3")
            let paths = index["paths"]?.objectValue ?? [:]
            let coreURL = try #require(paths["api/v1"]?["serverRelativeURL"]?.stringValue)
            #expect(coreURL.hasPrefix("/openapi/v3/api/v1?hash="))
            #expect(paths["apis/apps/v1"] != nil)

            let document = try await server.get(coreURL)
            #expect(document["openapi"]?.stringValue?.hasPrefix("3.") == true)
            let item = try #require(document["paths"]?["/api/v1/namespaces/{namespace}/configmaps/{name}"])
            let patch = try #require(item["patch"])
            #expect(patch["x-kubernetes-group-version-kind"] == ["group": "", "version": "v1", "kind": "ConfigMap"])
            let schemas = document[path: ["components", "schemas"]]?.objectValue ?? [:]
            #expect(
                schemas.values.contains {
                    $0["x-kubernetes-group-version-kind"]?.arrayValue?.contains(["group": "", "version": "v1", "kind": "ConfigMap"]) == true
                })
        }
    }
}
