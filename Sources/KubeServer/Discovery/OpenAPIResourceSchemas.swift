import KubeModel

// Component schemas of one resource kind and its list kind. A custom resource's schema is its
// CRD version's `openAPIV3Schema` with `apiVersion`, `kind` and `metadata` (a reference to
// ObjectMeta) set as a real server does. Built-in kinds have no stored schema here, so they get
// a permissive object schema: it names the standard fields and keeps everything else open, which
// keeps `kubectl apply` working (client-side apply then falls back to kubectl's compiled-in
// strategic-merge metadata) and gives `kubectl explain` the top level.

enum OpenAPIResourceSchemas {
    static func objectSchema(for definition: ResourceDefinition) -> JSONValue {
        var schema: JSONValue
        if let stored = definition.schema, stored.objectValue != nil {
            schema = stored
        } else {
            schema = [
                "description": .string("\(definition.kind) is a \(definition.group.isEmpty ? "core" : definition.group) \(definition.version) resource; its fields beyond the standard ones are not described by this server."),
                "x-kubernetes-preserve-unknown-fields": true,
            ]
        }
        schema["type"] = "object"
        var properties = schema["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = OpenAPIMetaSchemas.string(OpenAPIMetaSchemas.apiVersionDescription)
        properties["kind"] = OpenAPIMetaSchemas.string(OpenAPIMetaSchemas.kindDescription)
        properties["metadata"] = OpenAPIMetaSchemas.referenceProperty(
            OpenAPISchemaNames.objectMeta, description: OpenAPIMetaSchemas.objectMetaDescription, default: .emptyObject)
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = [groupVersionKind(definition, kind: definition.kind)]
        return schema
    }

    static func listSchema(for definition: ResourceDefinition, itemSchemaName: String) -> JSONValue {
        [
            "type": "object",
            "description": .string("\(definition.listKind) is a list of \(definition.kind)"),
            "required": ["items"],
            "properties": [
                "apiVersion": OpenAPIMetaSchemas.string(OpenAPIMetaSchemas.apiVersionDescription),
                "items": [
                    "type": "array",
                    "description": .string("List of \(definition.plural). More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"),
                    "items": OpenAPIMetaSchemas.reference(itemSchemaName),
                ],
                "kind": OpenAPIMetaSchemas.string(OpenAPIMetaSchemas.kindDescription),
                "metadata": OpenAPIMetaSchemas.referenceProperty(
                    OpenAPISchemaNames.listMeta, description: OpenAPIMetaSchemas.listMetaDescription, default: .emptyObject),
            ],
            "x-kubernetes-group-version-kind": [groupVersionKind(definition, kind: definition.listKind)],
        ]
    }

    private static func groupVersionKind(_ definition: ResourceDefinition, kind: String) -> JSONValue {
        ["group": .string(definition.group), "kind": .string(kind), "version": .string(definition.version)]
    }
}
