import KubeModel

// The apimachinery meta/v1 schemas every group-version document references: object and list
// metadata, Status, DeleteOptions, Patch and their parts. Descriptions follow the real ones in
// spirit (shortened) so that `kubectl explain <kind>.metadata` is useful.

enum OpenAPIMetaSchemas {
    private typealias Names = OpenAPISchemaNames

    static func reference(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    /// A property that references another schema; OpenAPI 3.0 ignores siblings of `$ref`,
    /// so a real server wraps the reference in `allOf` to keep the description.
    static func referenceProperty(_ name: String, description: String, default defaultValue: JSONValue? = nil) -> JSONValue {
        var property: JSONValue = ["allOf": [reference(name)], "description": .string(description)]
        if let defaultValue { property["default"] = defaultValue }
        return property
    }

    static func string(_ description: String, format: String? = nil) -> JSONValue {
        var schema: JSONValue = ["type": "string", "description": .string(description)]
        if let format { schema["format"] = .string(format) }
        return schema
    }

    static func integer(_ description: String, format: String = "int64") -> JSONValue {
        ["type": "integer", "format": .string(format), "description": .string(description)]
    }

    static func stringMap(_ description: String) -> JSONValue {
        ["type": "object", "additionalProperties": ["type": "string", "default": ""], "description": .string(description)]
    }

    static let apiVersionDescription =
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    static let kindDescription =
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    static let objectMetaDescription =
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
    static let listMetaDescription =
        "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"

    /// All meta/v1 schemas, keyed by component name.
    static let all: [String: JSONValue] = [
        Names.objectMeta: [
            "type": "object",
            "description": "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
            "properties": [
                "annotations": stringMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations"),
                "creationTimestamp": referenceProperty(Names.time, description: "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", default: .emptyObject),
                "deletionGracePeriodSeconds": integer("Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only."),
                "deletionTimestamp": referenceProperty(Names.time, description: "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
                "finalizers": [
                    "type": "array", "items": ["type": "string", "default": ""],
                    "description": "Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.",
                    "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge",
                ],
                "generateName": string("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
                "generation": integer("A sequence number representing a specific generation of the desired state. Populated by the system. Read-only."),
                "labels": stringMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels"),
                "managedFields": [
                    "type": "array", "items": ["allOf": [reference(Names.managedFieldsEntry)], "default": .emptyObject],
                    "description": "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn't need to set or understand this field.",
                ],
                "name": string("Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"),
                "namespace": string("Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the \"default\" namespace, but \"default\" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces"),
                "ownerReferences": [
                    "type": "array", "items": ["allOf": [reference(Names.ownerReference)], "default": .emptyObject],
                    "description": "List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected.",
                    "x-kubernetes-list-map-keys": ["uid"], "x-kubernetes-list-type": "map",
                    "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge",
                ],
                "resourceVersion": string("An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Populated by the system. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency"),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
                "uid": string("UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids"),
            ],
        ],
        Names.listMeta: [
            "type": "object",
            "description": "ListMeta describes metadata that synthetic resources must have, including lists and various status objects. A resource may have only one of {ObjectMeta, ListMeta}.",
            "properties": [
                "continue": string("continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available."),
                "remainingItemCount": integer("remainingItemCount is the number of subsequent items in the list which are not included in this list response."),
                "resourceVersion": string("String that identifies the server's internal version of this object that can be used by clients to determine when objects have changed."),
                "selfLink": string("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
            ],
        ],
        Names.time: ["type": "string", "format": "date-time", "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON."],
        Names.fieldsV1: ["type": "object", "description": "FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format."],
        Names.patch: ["type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."],
        Names.ownerReference: [
            "type": "object",
            "description": "OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field.",
            "required": ["apiVersion", "kind", "name", "uid"],
            "properties": [
                "apiVersion": string("API version of the referent."),
                "blockOwnerDeletion": ["type": "boolean", "description": "If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."],
                "controller": ["type": "boolean", "description": "If true, this reference points to the managing controller."],
                "kind": string("Kind of the referent."),
                "name": string("Name of the referent."),
                "uid": string("UID of the referent."),
            ],
            "x-kubernetes-map-type": "atomic",
        ],
        Names.managedFieldsEntry: [
            "type": "object",
            "description": "ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.",
            "properties": [
                "apiVersion": string("APIVersion defines the version of this resource that this field set applies to."),
                "fieldsType": string("FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: \"FieldsV1\""),
                "fieldsV1": referenceProperty(Names.fieldsV1, description: "FieldsV1 holds the first JSON version format as described in the \"FieldsV1\" type."),
                "manager": string("Manager is an identifier of the workflow managing these fields."),
                "operation": string("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
                "subresource": string("Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource."),
                "time": referenceProperty(Names.time, description: "Time is the timestamp of when the ManagedFields entry was added."),
            ],
        ],
        Names.preconditions: [
            "type": "object",
            "description": "Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.",
            "properties": ["resourceVersion": string("Specifies the target ResourceVersion"), "uid": string("Specifies the target UID.")],
        ],
        Names.deleteOptions: [
            "type": "object",
            "description": "DeleteOptions may be provided when deleting an API object.",
            "properties": [
                "apiVersion": string(apiVersionDescription),
                "dryRun": ["type": "array", "items": ["type": "string", "default": ""], "description": "When present, indicates that modifications should not be persisted.", "x-kubernetes-list-type": "atomic"],
                "gracePeriodSeconds": integer("The duration in seconds before the object should be deleted."),
                "kind": string(kindDescription),
                "orphanDependents": ["type": "boolean", "description": "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7."],
                "preconditions": referenceProperty(Names.preconditions, description: "Must be fulfilled before a deletion is carried out."),
                "propagationPolicy": string("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
            ],
        ],
        Names.statusCause: [
            "type": "object",
            "description": "StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.",
            "properties": ["field": string("The field of the resource that has caused this error."), "message": string("A human-readable description of the cause of the error."), "reason": string("A machine-readable description of the cause of the error.")],
        ],
        Names.statusDetails: [
            "type": "object",
            "description": "StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.",
            "properties": [
                "causes": ["type": "array", "items": ["allOf": [reference(Names.statusCause)], "default": .emptyObject], "description": "The Causes array includes more details associated with the StatusReason failure.", "x-kubernetes-list-type": "atomic"],
                "group": string("The group attribute of the resource associated with the status StatusReason."),
                "kind": string("The kind attribute of the resource associated with the status StatusReason."),
                "name": string("The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described)."),
                "retryAfterSeconds": integer("If specified, the time in seconds before the operation should be retried.", format: "int32"),
                "uid": string("UID of the resource."),
            ],
        ],
        Names.status: [
            "type": "object",
            "description": "Status is a return value for calls that don't return other objects.",
            "properties": [
                "apiVersion": string(apiVersionDescription),
                "code": integer("Suggested HTTP return code for this status, 0 if not set.", format: "int32"),
                "details": referenceProperty(Names.statusDetails, description: "Extended data associated with the reason."),
                "kind": string(kindDescription),
                "message": string("A human-readable description of the status of this operation."),
                "metadata": referenceProperty(Names.listMeta, description: listMetaDescription, default: .emptyObject),
                "reason": string("A machine-readable description of why this operation is in the \"Failure\" status."),
                "status": string("Status of the operation. One of: \"Success\" or \"Failure\"."),
            ],
            "x-kubernetes-group-version-kind": [["group": "", "kind": "Status", "version": "v1"]],
        ],
        Names.watchEvent: [
            "type": "object",
            "description": "Event represents a single event to a watched resource.",
            "required": ["type", "object"],
            "properties": [
                "object": ["type": "object", "description": "Object is: * If Type is Added or Modified: the new state of the object. * If Type is Deleted: the state of the object immediately before deletion. * If Type is Error: *Status is recommended; other types may make sense depending on context."],
                "type": ["type": "string", "default": ""],
            ],
        ],
    ]
}
