import KubeModel
import KubeServer
import Testing

// The `scale` subresource: an autoscaling/v1 Scale of a Deployment or StatefulSet (and of a custom
// resource that declares one), read, replaced and patched; its replicas land in the object, with
// the object's own resourceVersion checks and validation; discovery lists it as kubectl expects;
// kinds without one answer 404.

@Suite struct ServerScaleTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func deployment(_ name: String, replicas: Int64 = 1) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": "fleetnet/echo"]]]],
            ],
        ]
    }

    @Test func aDeploymentsScaleIsReadReplacedAndPatched() async throws {
        try await TestServer.with { server in
            let created = try await server.create(Self.deployments, Self.deployment("web", replicas: 2))
            let scalePath = Self.deployments + "/web/scale"
            let scale = try await server.get(scalePath)
            #expect(scale["apiVersion"] == "autoscaling/v1" && scale["kind"] == "Scale")
            #expect(scale[path: ["metadata", "name"]] == "web" && scale[path: ["metadata", "namespace"]] == "default")
            #expect(scale[path: ["metadata", "resourceVersion"]] == created[path: ["metadata", "resourceVersion"]])
            #expect(scale[path: ["spec", "replicas"]] == 2)
            #expect(scale[path: ["status", "replicas"]] == 0)
            #expect(scale[path: ["status", "selector"]] == "app=web")

            // PUT: the object's replicas change, and its generation.
            var replaced = scale
            replaced[path: ["spec", "replicas"]] = 4
            let put = try await server.request(.PUT, scalePath, json: replaced)
            #expect(put.status == 200 && put.json[path: ["spec", "replicas"]] == 4, "\(put.json)")
            let afterPut = try await server.get(Self.deployments + "/web")
            #expect(afterPut[path: ["spec", "replicas"]] == 4)
            #expect(afterPut[path: ["metadata", "generation"]] == 2)

            // A stale resourceVersion conflicts; a negative count is invalid.
            let stale = try await server.request(.PUT, scalePath, json: replaced)
            #expect(stale.status == 409, "\(stale.json)")
            var negative = try await server.get(scalePath)
            negative[path: ["spec", "replicas"]] = -1
            let invalid = try await server.request(.PUT, scalePath, json: negative)
            #expect(invalid.status == 422 && invalid.reason == "Invalid", "\(invalid.json)")

            // PATCH, merge and JSON patch, as `kubectl scale` sends them.
            let merged = try await server.request(
                .PATCH, scalePath, body: #"{"spec":{"replicas":3}}"#, contentType: "application/merge-patch+json")
            #expect(merged.status == 200 && merged.json[path: ["spec", "replicas"]] == 3, "\(merged.json)")
            let patched = try await server.request(
                .PATCH, scalePath, body: #"[{"op":"replace","path":"/spec/replicas","value":5}]"#, contentType: "application/json-patch+json")
            #expect(patched.status == 200 && patched.json[path: ["spec", "replicas"]] == 5, "\(patched.json)")
            #expect(try await server.get(Self.deployments + "/web")[path: ["spec", "replicas"]] == 5)

            // Kinds without a scale subresource, and missing objects.
            _ = try await server.create("/api/v1/namespaces/default/configmaps", ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
            #expect(try await server.request(.GET, "/api/v1/namespaces/default/configmaps/c/scale").status == 404)
            #expect(try await server.request(.GET, Self.deployments + "/missing/scale").status == 404)

            // Discovery: deployments/scale is an autoscaling/v1 Scale.
            let resources = try await server.get("/apis/apps/v1")["resources"]?.arrayValue ?? []
            let entry = resources.first { $0["name"] == "deployments/scale" }
            #expect(entry?["group"] == "autoscaling" && entry?["version"] == "v1" && entry?["kind"] == "Scale", "\(String(describing: entry))")
        }
    }

    @Test func aCustomResourceDeclaringScaleHasOne() async throws {
        try await TestServer.with { server in
            let crd: JSONValue = [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": ["name": "gizmos.example.com"],
                "spec": [
                    "group": "example.com", "scope": "Namespaced", "names": ["plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"],
                    "versions": [[
                        "name": "v1", "served": true, "storage": true,
                        "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                        "subresources": [
                            "status": .emptyObject,
                            "scale": ["specReplicasPath": ".spec.count", "statusReplicasPath": ".status.count", "labelSelectorPath": ".status.selector"],
                        ],
                    ]],
                ],
            ]
            _ = try await server.create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
            let gizmos = "/apis/example.com/v1/namespaces/default/gizmos"
            try await server.eventually("the gizmos resource is served") { try await server.request(.GET, gizmos).status == 200 }
            _ = try await server.create(gizmos, ["apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": ["name": "g"], "spec": ["count": 2]])
            var object = try await server.get(gizmos + "/g")
            object["status"] = ["count": 1, "selector": "app=g"]
            #expect(try await server.request(.PUT, gizmos + "/g/status", json: object).status == 200)
            let scale = try await server.get(gizmos + "/g/scale")
            #expect(scale[path: ["spec", "replicas"]] == 2 && scale[path: ["status", "replicas"]] == 1)
            #expect(scale[path: ["status", "selector"]] == "app=g")
            let merged = try await server.request(
                .PATCH, gizmos + "/g/scale", body: #"{"spec":{"replicas":7}}"#, contentType: "application/merge-patch+json")
            #expect(merged.status == 200, "\(merged.json)")
            #expect(try await server.get(gizmos + "/g")[path: ["spec", "count"]] == 7)
        }
    }
}
