// metav1.ObjectMeta and the types it embeds, with Kubernetes' JSON field names.
// Optional members are omitted from JSON when nil, as Go's `omitempty` does.

/// Metadata every persisted object carries (metav1.ObjectMeta).
public struct ObjectMeta: Codable, Sendable, Hashable {
    /// Unique name within the namespace (or cluster for cluster-scoped kinds).
    public var name: String?
    /// Prefix the server uses to generate a unique name when `name` is empty.
    public var generateName: String?
    public var namespace: String?
    /// Server-assigned identity, unique over time.
    public var uid: String?
    /// Opaque version for optimistic concurrency and watches.
    public var resourceVersion: String?
    /// Sequence number of spec changes, maintained by the server.
    public var generation: Int64?
    public var creationTimestamp: Time?
    /// Set when graceful deletion was requested; the object goes once finalizers are empty.
    public var deletionTimestamp: Time?
    public var deletionGracePeriodSeconds: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?
    public var finalizers: [String]?
    public var managedFields: [ManagedFieldsEntry]?

    public init(
        name: String? = nil,
        generateName: String? = nil,
        namespace: String? = nil,
        uid: String? = nil,
        resourceVersion: String? = nil,
        generation: Int64? = nil,
        creationTimestamp: Time? = nil,
        deletionTimestamp: Time? = nil,
        deletionGracePeriodSeconds: Int64? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil,
        finalizers: [String]? = nil,
        managedFields: [ManagedFieldsEntry]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }
}

/// Points at an owning object in the same namespace (metav1.OwnerReference).
public struct OwnerReference: Codable, Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    /// True when the owner is the managing controller; at most one per object.
    public var controller: Bool?
    /// Foreground deletion of the owner waits for this object.
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String,
        kind: String,
        name: String,
        uid: String,
        controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// One manager's set of owned fields (metav1.ManagedFieldsEntry).
public struct ManagedFieldsEntry: Codable, Sendable, Hashable {
    public var manager: String?
    /// `Apply` or `Update`.
    public var operation: String?
    public var apiVersion: String?
    public var time: Time?
    /// Always `FieldsV1`.
    public var fieldsType: String?
    /// The field set in its structured-merge-diff encoding, kept verbatim.
    public var fieldsV1: JSONValue?
    public var subresource: String?

    public init(
        manager: String? = nil,
        operation: String? = nil,
        apiVersion: String? = nil,
        time: Time? = nil,
        fieldsType: String? = nil,
        fieldsV1: JSONValue? = nil,
        subresource: String? = nil
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fieldsType = fieldsType
        self.fieldsV1 = fieldsV1
        self.subresource = subresource
    }
}
