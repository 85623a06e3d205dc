import KubeModel

// Objects the server integration tests create: a namespaced custom resource "Widget"
// (widgets.example.com) with a schema exercising validation, defaulting, pruning, CEL, a status
// subresource and printer columns, and a few built-in objects.

enum ServerFixtures {
    static let widgetsPath = "/apis/example.com/v1/namespaces/default/widgets"

    static func widgetPath(_ name: String, namespace: String = "default") -> String {
        "/apis/example.com/v1/namespaces/\(namespace)/widgets/\(name)"
    }

    /// A CRD serving v1 (storage) and v1beta1, with short name `wd` and category `all`.
    static var widgetCRD: JSONValue {
        let schema: JSONValue = [
            "type": "object",
            "x-kubernetes-validations": [["rule": "size(self.metadata.name) < 64", "message": "name must be shorter than 64 characters"]],
            "properties": [
                "spec": [
                    "type": "object",
                    "required": ["size"],
                    "properties": [
                        "size": ["type": "integer", "minimum": 1],
                        "color": ["type": "string", "enum": ["red", "green", "blue"], "default": "red"],
                        "tags": ["type": "array", "items": ["type": "string"]],
                    ],
                ],
                "status": [
                    "type": "object",
                    "properties": ["ready": ["type": "boolean"], "observed": ["type": "integer"]],
                ],
            ],
        ]
        func version(_ name: String, storage: Bool) -> JSONValue {
            [
                "name": .string(name), "served": true, "storage": .bool(storage),
                "schema": ["openAPIV3Schema": schema],
                "subresources": ["status": .emptyObject],
                "additionalPrinterColumns": [
                    ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                    ["name": "Color", "type": "string", "jsonPath": ".spec.color"],
                ],
            ]
        }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": "widgets.example.com"],
            "spec": [
                "group": "example.com", "scope": "Namespaced",
                "names": [
                    "plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"],
                    "categories": ["all"],
                ],
                "versions": [version("v1", storage: true), version("v1beta1", storage: false)],
            ],
        ]
    }

    static func widget(_ name: String, size: Int64 = 1, labels: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)],
            "spec": ["size": .int(size)],
        ]
        if let labels { object[path: ["metadata", "labels"]] = labels }
        return object
    }

    static func configMap(_ name: String, data: JSONValue = ["a": "1"], labels: JSONValue? = nil) -> JSONValue {
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
        if let labels { object[path: ["metadata", "labels"]] = labels }
        return object
    }

    static func configMapsPath(_ namespace: String = "default") -> String {
        "/api/v1/namespaces/\(namespace)/configmaps"
    }

    static func configMapPath(_ name: String, namespace: String = "default") -> String {
        "/api/v1/namespaces/\(namespace)/configmaps/\(name)"
    }
}

extension TestServer {
    /// Installs the Widget CRD; its resources are served as soon as the create returns.
    func installWidgetCRD() async throws {
        try await create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", ServerFixtures.widgetCRD)
    }
}
