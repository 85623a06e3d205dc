import Foundation
import KubeModel
import Testing
@testable import KubeServer

@Suite("OpenAPI v3 documents")
struct OpenAPIDocumentsTests {
    let documents = OpenAPIDocuments(definitions: PresentationFixtures.all)

    @Test("the index points at every document with its hash")
    func index() throws {
        let paths = try #require(documents.index["paths"]?.objectValue)
        #expect(Set(paths.keys) == ["api", "apis", "api/v1", "apis/apps", "apis/apps/v1", "apis/example.com", "apis/example.com/v1", "apis/example.com/v1beta1"])
        let hash = try #require(documents.hash(forPath: "apis/example.com/v1"))
        #expect(paths["apis/example.com/v1"]?["serverRelativeURL"] == .string("/openapi/v3/apis/example.com/v1?hash=\(hash)"))
        #expect(hash.count == 64)
        #expect(documents.document(forPath: "/apis/example.com/v1/") == documents.documentsByPath["apis/example.com/v1"])
        #expect(documents.document(forPath: "apis/nope/v1") == nil)
    }

    @Test("hashes are stable for equal content and change with the content")
    func hashes() {
        let again = OpenAPIDocuments(definitions: PresentationFixtures.all.reversed())
        #expect(again.hashesByPath == documents.hashesByPath)
        var changed = PresentationFixtures.widgetV1
        changed.schema?[path: ["properties", "spec", "properties", "weight"]] = ["type": "number"]
        let other = OpenAPIDocuments(definitions: [PresentationFixtures.service, changed])
        #expect(other.hash(forPath: "apis/example.com/v1") != documents.hash(forPath: "apis/example.com/v1"))
        #expect(other.hash(forPath: "api/v1") != documents.hash(forPath: "api/v1"))  // namespaces are gone there
    }

    @Test("patch operations carry what kubectl apply probes for", arguments: [
        // Built-ins have permissive schemas, so strategic merge is not advertised (kubectl would try
        // to compute the patch from the schema and warn); the server accepts it all the same.
        ("api/v1", "/api/v1/namespaces/{namespace}/services/{name}", "", "v1", "Service", false),
        ("apis/example.com/v1", "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}", "example.com", "v1", "Widget", false),
        ("apis/example.com/v1beta1", "/apis/example.com/v1beta1/namespaces/{namespace}/widgets/{name}", "example.com", "v1beta1", "Widget", false),
        ("api/v1", "/api/v1/namespaces/{name}", "", "v1", "Namespace", false),
    ])
    func patchOperation(document: String, path: String, group: String, version: String, kind: String, strategic: Bool) throws {
        let patch = try #require(documents.document(forPath: document)?["paths"]?[path]?["patch"])
        #expect(patch["x-kubernetes-action"] == "patch")
        #expect(patch["x-kubernetes-group-version-kind"] == ["group": .string(group), "version": .string(version), "kind": .string(kind)])
        let queryParameters = (patch["parameters"]?.arrayValue ?? []).filter { $0["in"] == "query" }.compactMap { $0["name"]?.stringValue }
        #expect(Set(queryParameters) == ["dryRun", "fieldManager", "fieldValidation", "force"])
        let contentTypes = Set(patch[path: ["requestBody", "content"]]?.objectValue?.keys.map { $0 } ?? [])
        var expected: Set = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
        if strategic { expected.insert("application/strategic-merge-patch+json") }
        #expect(contentTypes == expected)
        #expect(patch["operationId"] != nil)
    }

    @Test("collection, item, status and all-namespaces paths with kube-apiserver actions")
    func pathsAndActions() throws {
        let paths = try #require(documents.document(forPath: "api/v1")?["paths"])
        let collection = try #require(paths["/api/v1/namespaces/{namespace}/services"])
        #expect(collection["get"]?["x-kubernetes-action"] == "list")
        #expect(collection["post"]?["x-kubernetes-action"] == "post")
        #expect(collection["delete"]?["x-kubernetes-action"] == "deletecollection")
        #expect(collection["get"]?["operationId"] == "listCoreV1NamespacedService")
        #expect(collection["parameters"]?[0]?["name"] == "namespace")
        let postParameters = collection["post"]?["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(postParameters.contains("fieldValidation") && postParameters.contains("fieldManager"))
        let item = try #require(paths["/api/v1/namespaces/{namespace}/services/{name}"])
        #expect(item["get"]?["x-kubernetes-action"] == "get")
        #expect(item["put"]?["x-kubernetes-action"] == "put")
        #expect(item["delete"]?["x-kubernetes-action"] == "delete")
        #expect(item["patch"]?["operationId"] == "patchCoreV1NamespacedService")
        #expect(paths["/api/v1/namespaces/{namespace}/services/{name}/status"]?["patch"]?["operationId"] == "patchCoreV1NamespacedServiceStatus")
        #expect(paths["/api/v1/services"]?["get"]?["operationId"] == "listCoreV1ServiceForAllNamespaces")
        // Cluster-scoped kinds have no namespace segment and no all-namespaces path.
        #expect(paths["/api/v1/namespaces"]?["get"]?["operationId"] == "listCoreV1Namespace")
        let apps = try #require(documents.document(forPath: "apis/apps/v1")?["paths"])
        #expect(apps["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"]?["operationId"] == "patchAppsV1NamespacedDeployment")
    }

    @Test("schemas are named like kube-apiserver's and carry the group-version-kind")
    func schemaNames() throws {
        let coreSchemas = try #require(documents.document(forPath: "api/v1")?[path: ["components", "schemas"]])
        #expect(coreSchemas["io.k8s.api.core.v1.Service"]?["x-kubernetes-group-version-kind"] == [["group": "", "kind": "Service", "version": "v1"]])
        #expect(coreSchemas["io.k8s.api.core.v1.ServiceList"]?["x-kubernetes-group-version-kind"] == [["group": "", "kind": "ServiceList", "version": "v1"]])
        #expect(coreSchemas["io.k8s.api.core.v1.Service"]?["x-kubernetes-preserve-unknown-fields"] == true)
        let appsSchemas = try #require(documents.document(forPath: "apis/apps/v1")?[path: ["components", "schemas"]])
        #expect(appsSchemas["io.k8s.api.apps.v1.Deployment"] != nil)
        #expect(OpenAPISchemaNames.schemaName(group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", isCustomResource: false) == "io.k8s.api.rbac.v1.Role")
        #expect(OpenAPISchemaNames.schemaName(group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", isCustomResource: false)
            == "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")
    }

    @Test("a custom resource schema is its openAPIV3Schema plus apiVersion, kind and metadata")
    func customResourceSchema() throws {
        let schemas = try #require(documents.document(forPath: "apis/example.com/v1")?[path: ["components", "schemas"]])
        let widget = try #require(schemas["com.example.v1.Widget"])
        #expect(widget["type"] == "object")
        #expect(widget[path: ["properties", "spec", "properties", "size"]] == ["type": "integer"])
        #expect(widget[path: ["properties", "apiVersion", "type"]] == "string")
        #expect(widget[path: ["properties", "kind", "type"]] == "string")
        #expect(widget[path: ["properties", "metadata", "allOf"]] == [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]])
        #expect(widget["x-kubernetes-group-version-kind"] == [["group": "example.com", "kind": "Widget", "version": "v1"]])
        #expect(schemas["com.example.v1.WidgetList"]?[path: ["properties", "items", "items"]] == ["$ref": "#/components/schemas/com.example.v1.Widget"])
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?[path: ["properties", "name", "type"]] == "string")
    }

    @Test("every $ref resolves to a schema of the same document", arguments: ["api/v1", "apis/apps/v1", "apis/example.com/v1", "apis/example.com/v1beta1"])
    func referencesResolve(path: String) throws {
        let document = try #require(documents.document(forPath: path))
        let schemas = try #require(document[path: ["components", "schemas"]]?.objectValue)
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let members):
                if let reference = members["$ref"]?.stringValue { references.append(reference) }
                members.values.forEach(collect)
            case .array(let elements): elements.forEach(collect)
            default: break
            }
        }
        collect(document)
        #expect(!references.isEmpty)
        for reference in references {
            let name = reference.replacingOccurrences(of: "#/components/schemas/", with: "")
            #expect(schemas[name] != nil, "dangling \(reference)")
        }
        #expect(document["openapi"] == "3.0.0")
        #expect(document[path: ["info", "title"]] == "Kubernetes")
    }
}
