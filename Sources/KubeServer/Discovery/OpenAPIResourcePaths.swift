import KubeModel

// The OpenAPI v3 path items of one resource, shaped like kube-apiserver's: collection and item
// paths (namespaced resources also get the all-namespaces list path), a `status` path when the
// resource has that subresource, operation ids such as `patchCoreV1NamespacedService`, the
// `x-kubernetes-action` / `x-kubernetes-group-version-kind` extensions and the query parameters
// kubectl probes for (`fieldValidation` on `patch` decides whether `apply` validates on the server).

struct OpenAPIResourcePaths {
    let definition: ResourceDefinition
    let schemaName: String
    let listSchemaName: String
    private let operationPrefix: String
    private let tag: String

    init(definition: ResourceDefinition) {
        self.definition = definition
        schemaName = OpenAPISchemaNames.schemaName(
            group: definition.group, version: definition.version, kind: definition.kind, isCustomResource: definition.isCustomResource)
        listSchemaName = OpenAPISchemaNames.schemaName(
            group: definition.group, version: definition.version, kind: definition.listKind, isCustomResource: definition.isCustomResource)
        let versionPascal = definition.version.prefix(1).uppercased() + definition.version.dropFirst()
        operationPrefix = OpenAPISchemaNames.operationGroup(definition.group, isCustomResource: definition.isCustomResource) + versionPascal
        tag = OpenAPISchemaNames.tag(group: definition.group, version: definition.version, isCustomResource: definition.isCustomResource)
    }

    /// Path items keyed by URL template, e.g. `/api/v1/namespaces/{namespace}/services/{name}`.
    func pathItems() -> [String: JSONValue] {
        let base = definition.group.isEmpty ? "/api/\(definition.version)" : "/apis/\(definition.group)/\(definition.version)"
        let scope = definition.isNamespaced ? "Namespaced" : ""
        let collectionPath = definition.isNamespaced ? "\(base)/namespaces/{namespace}/\(definition.plural)" : "\(base)/\(definition.plural)"
        let itemPath = collectionPath + "/{name}"
        let scopeParameters = definition.isNamespaced ? [Self.namespaceParameter] : []
        let kind = definition.kind
        let verbs = Set(definition.verbs)
        var items: [String: JSONValue] = [:]

        var collection: JSONValue = ["parameters": .array(scopeParameters + [Self.prettyParameter])]
        if verbs.contains("list") {
            collection["get"] = operation(
                action: "list", id: "list\(operationPrefix)\(scope)\(kind)", description: "list or watch objects of kind \(kind)",
                parameters: Self.listParameters, responses: ["200": listResponse])
        }
        if verbs.contains("create") {
            collection["post"] = operation(
                action: "post", id: "create\(operationPrefix)\(scope)\(kind)", description: "create a \(kind)",
                parameters: Self.writeParameters, requestBody: objectBody,
                responses: ["200": objectResponse("OK"), "201": objectResponse("Created"), "202": objectResponse("Accepted")])
        }
        if verbs.contains("deletecollection") {
            collection["delete"] = operation(
                action: "deletecollection", id: "delete\(operationPrefix)Collection\(scope)\(kind)",
                description: "delete collection of \(kind)",
                parameters: Self.deleteParameters + Self.listParameters.filter { !["allowWatchBookmarks", "watch"].contains($0["name"]?.stringValue) },
                requestBody: Self.deleteOptionsBody, responses: ["200": Self.statusResponse])
        }
        items[collectionPath] = collection

        let itemParameters = [Self.nameParameter(kind: kind)] + scopeParameters + [Self.prettyParameter]
        var item: JSONValue = ["parameters": .array(itemParameters)]
        if verbs.contains("get") {
            item["get"] = operation(action: "get", id: "read\(operationPrefix)\(scope)\(kind)", description: "read the specified \(kind)",
                                    responses: ["200": objectResponse("OK")])
        }
        if verbs.contains("update") {
            item["put"] = operation(
                action: "put", id: "replace\(operationPrefix)\(scope)\(kind)", description: "replace the specified \(kind)",
                parameters: Self.writeParameters, requestBody: objectBody,
                responses: ["200": objectResponse("OK"), "201": objectResponse("Created")])
        }
        if verbs.contains("patch") {
            item["patch"] = patchOperation(id: "patch\(operationPrefix)\(scope)\(kind)", description: "partially update the specified \(kind)")
        }
        if verbs.contains("delete") {
            item["delete"] = operation(
                action: "delete", id: "delete\(operationPrefix)\(scope)\(kind)", description: "delete a \(kind)",
                parameters: Self.deleteParameters, requestBody: Self.deleteOptionsBody,
                responses: ["200": definition.isCustomResource ? objectResponse("OK") : Self.statusResponse,
                            "202": definition.isCustomResource ? objectResponse("Accepted") : Self.statusResponse])
        }
        items[itemPath] = item

        if definition.hasStatusSubresource {
            items[itemPath + "/status"] = [
                "parameters": .array(itemParameters),
                "get": operation(action: "get", id: "read\(operationPrefix)\(scope)\(kind)Status",
                                 description: "read status of the specified \(kind)", responses: ["200": objectResponse("OK")]),
                "put": operation(action: "put", id: "replace\(operationPrefix)\(scope)\(kind)Status",
                                 description: "replace status of the specified \(kind)", parameters: Self.writeParameters,
                                 requestBody: objectBody, responses: ["200": objectResponse("OK"), "201": objectResponse("Created")]),
                "patch": patchOperation(id: "patch\(operationPrefix)\(scope)\(kind)Status",
                                        description: "partially update status of the specified \(kind)"),
            ]
        }

        if definition.isNamespaced, verbs.contains("list") {
            items["\(base)/\(definition.plural)"] = [
                "parameters": .array(Self.listParameters + [Self.prettyParameter]),
                "get": operation(action: "list", id: "list\(operationPrefix)\(kind)ForAllNamespaces",
                                 description: "list or watch objects of kind \(kind)", responses: ["200": listResponse]),
            ]
        }
        return items
    }

    // MARK: Operations

    private func operation(
        action: String, id: String, description: String, parameters: [JSONValue] = [],
        requestBody: JSONValue? = nil, responses: [String: JSONValue]
    ) -> JSONValue {
        var responses = responses
        responses["401"] = ["description": "Unauthorized"]
        var operation: JSONValue = [
            "tags": [.string(tag)],
            "description": .string(description),
            "operationId": .string(id),
            "responses": .object(responses),
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": [
                "group": .string(definition.group), "version": .string(definition.version), "kind": .string(definition.kind),
            ],
        ]
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let requestBody { operation["requestBody"] = requestBody }
        return operation
    }

    private func patchOperation(id: String, description: String) -> JSONValue {
        var contentTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
        // kubectl computes a strategic merge patch from the OpenAPI schema when the operation offers
        // it; our built-in schemas are permissive (no fields), so we do not advertise it and kubectl
        // uses its compiled-in patch metadata instead — the server still accepts the content type.
        if definition.supportsStrategicMergePatch && !definition.isCustomResource && definition.schema != nil {
            contentTypes.append("application/strategic-merge-patch+json")
        }
        let patchSchema: JSONValue = ["schema": OpenAPIMetaSchemas.reference(OpenAPISchemaNames.patch)]
        var content: [String: JSONValue] = [:]
        for type in contentTypes { content[type] = patchSchema }
        return operation(
            action: "patch", id: id, description: description, parameters: Self.patchParameters,
            requestBody: ["content": .object(content), "required": true],
            responses: ["200": objectResponse("OK"), "201": objectResponse("Created")])
    }

    private var objectBody: JSONValue {
        ["content": ["*/*": ["schema": OpenAPIMetaSchemas.reference(schemaName)]], "required": true]
    }

    private func objectResponse(_ description: String) -> JSONValue {
        let schema: JSONValue = ["schema": OpenAPIMetaSchemas.reference(schemaName)]
        return ["description": .string(description), "content": ["application/json": schema, "application/yaml": schema]]
    }

    private var listResponse: JSONValue {
        let schema: JSONValue = ["schema": OpenAPIMetaSchemas.reference(listSchemaName)]
        return ["description": "OK", "content": [
            "application/json": schema, "application/yaml": schema,
            "application/json;stream=watch": schema,
        ]]
    }

    private static let statusResponse: JSONValue = {
        let schema: JSONValue = ["schema": OpenAPIMetaSchemas.reference(OpenAPISchemaNames.status)]
        return ["description": "OK", "content": ["application/json": schema, "application/yaml": schema]]
    }()

    private static let deleteOptionsBody: JSONValue = [
        "content": ["*/*": ["schema": OpenAPIMetaSchemas.reference(OpenAPISchemaNames.deleteOptions)]],
    ]

    // MARK: Parameters

    private static func parameter(_ name: String, in location: String = "query", type: String = "string", description: String, required: Bool = false) -> JSONValue {
        var parameter: JSONValue = [
            "name": .string(name), "in": .string(location), "description": .string(description),
            "schema": ["type": .string(type), "uniqueItems": true],
        ]
        if required { parameter["required"] = true }
        return parameter
    }

    private static func nameParameter(kind: String) -> JSONValue {
        parameter("name", in: "path", description: "name of the \(kind)", required: true)
    }

    private static let namespaceParameter = parameter(
        "namespace", in: "path", description: "object name and auth scope, such as for teams and projects", required: true)
    private static let prettyParameter = parameter(
        "pretty", description: "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).")
    private static let dryRunParameter = parameter(
        "dryRun", description: "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
    private static let fieldManagerParameter = parameter(
        "fieldManager", description: "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.")
    private static let fieldValidationParameter = parameter(
        "fieldValidation", description: "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.")
    private static let forceParameter = parameter(
        "force", type: "boolean", description: "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.")

    private static let writeParameters = [dryRunParameter, fieldManagerParameter, fieldValidationParameter]
    private static let patchParameters = [dryRunParameter, fieldManagerParameter, fieldValidationParameter, forceParameter]

    private static let deleteParameters = [
        dryRunParameter,
        parameter("gracePeriodSeconds", type: "integer", description: "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used. Defaults to a per object value if not specified. zero means delete immediately."),
        parameter("ignoreStoreReadErrorWithClusterBreakingPotential", type: "boolean", description: "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error."),
        parameter("orphanDependents", type: "boolean", description: "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added to/removed from the object's finalizers list. Either this field or PropagationPolicy may be set, but not both."),
        parameter("propagationPolicy", description: "Whether and how garbage collection will be performed. Either this field or OrphanDependents may be set, but not both. The default policy is decided by the existing finalizer set in the metadata.finalizers and the resource-specific default policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the dependents in the background; 'Foreground' - a cascading policy that deletes all dependents in the foreground."),
    ]

    private static let listParameters = [
        parameter("allowWatchBookmarks", type: "boolean", description: "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion."),
        parameter("continue", description: "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue) and the server may reject a continue value it does not recognize."),
        parameter("fieldSelector", description: "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        parameter("labelSelector", description: "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        parameter("limit", type: "integer", description: "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results."),
        parameter("resourceVersion", description: "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset"),
        parameter("resourceVersionMatch", description: "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls where resourceVersion is set See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset"),
        parameter("sendInitialEvents", type: "boolean", description: "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection."),
        parameter("timeoutSeconds", type: "integer", description: "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity."),
        parameter("watch", type: "boolean", description: "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
    ]
}
