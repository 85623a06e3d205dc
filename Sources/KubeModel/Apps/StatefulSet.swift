// apps/v1 StatefulSet: Pods with stable names `<set>-<ordinal>`, each with `hostname` = its name and
// `subdomain` = the governing Service, so a headless Service gives every Pod its own DNS name.

/// A set of Pods with stable identities (apps/v1 StatefulSet).
public struct StatefulSet: Resource, Hashable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "StatefulSet"
    public static let plural = "statefulsets"
    public static let isNamespaced = true

    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    public var spec: StatefulSetSpec?
    public var status: StatefulSetStatus?

    public init(metadata: ObjectMeta = ObjectMeta(), spec: StatefulSetSpec? = nil, status: StatefulSetStatus? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct StatefulSetSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    /// The governing (headless) Service: the Pods' `subdomain`.
    public var serviceName: String?
    /// `OrderedReady` (the default) or `Parallel`.
    public var podManagementPolicy: String?
    public var revisionHistoryLimit: Int32?
    public var minReadySeconds: Int32?
    public var updateStrategy: JSONValue?
    public var persistentVolumeClaimRetentionPolicy: JSONValue?
    public var volumeClaimTemplates: [JSONValue]?
    public var ordinals: JSONValue?

    public init(
        replicas: Int32? = nil, selector: LabelSelector = LabelSelector(), template: PodTemplateSpec = PodTemplateSpec(),
        serviceName: String? = nil, podManagementPolicy: String? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.serviceName = serviceName
        self.podManagementPolicy = podManagementPolicy
    }
}

public struct StatefulSetStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var readyReplicas: Int32?
    public var currentReplicas: Int32?
    public var updatedReplicas: Int32?
    public var availableReplicas: Int32?
    public var currentRevision: String?
    public var updateRevision: String?
    public var collisionCount: Int32?

    public init(
        observedGeneration: Int64? = nil, replicas: Int32? = nil, readyReplicas: Int32? = nil, currentReplicas: Int32? = nil,
        updatedReplicas: Int32? = nil, availableReplicas: Int32? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.readyReplicas = readyReplicas
        self.currentReplicas = currentReplicas
        self.updatedReplicas = updatedReplicas
        self.availableReplicas = availableReplicas
    }
}
