// apps/v1 Deployment.

/// Declarative updates for a replicated pod template (apps/v1 Deployment).
public struct Deployment: Resource, Hashable {
    public static let group = "apps"
    public static let version = "v1"
    public static let kind = "Deployment"
    public static let plural = "deployments"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var spec: DeploymentSpec?
    public var status: DeploymentStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: DeploymentSpec? = nil,
        status: DeploymentStatus? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, spec, status
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.spec = try container.decodeIfPresent(DeploymentSpec.self, forKey: .spec)
        self.status = try container.decodeIfPresent(DeploymentStatus.self, forKey: .status)
    }
}

public struct DeploymentSpec: Codable, Sendable, Hashable {
    public var replicas: Int32?
    public var selector: LabelSelector
    public var template: PodTemplateSpec
    public var strategy: DeploymentStrategy?
    public var minReadySeconds: Int32?
    public var revisionHistoryLimit: Int32?
    public var paused: Bool?
    public var progressDeadlineSeconds: Int32?

    public init(
        replicas: Int32? = nil,
        selector: LabelSelector = LabelSelector(),
        template: PodTemplateSpec = PodTemplateSpec(),
        strategy: DeploymentStrategy? = nil,
        minReadySeconds: Int32? = nil,
        revisionHistoryLimit: Int32? = nil,
        paused: Bool? = nil,
        progressDeadlineSeconds: Int32? = nil
    ) {
        self.replicas = replicas
        self.selector = selector
        self.template = template
        self.strategy = strategy
        self.minReadySeconds = minReadySeconds
        self.revisionHistoryLimit = revisionHistoryLimit
        self.paused = paused
        self.progressDeadlineSeconds = progressDeadlineSeconds
    }

    private enum CodingKeys: String, CodingKey {
        case replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, paused, progressDeadlineSeconds
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.replicas = try container.decodeIfPresent(Int32.self, forKey: .replicas)
        self.selector = try container.decodeIfPresent(LabelSelector.self, forKey: .selector) ?? LabelSelector()
        self.template = try container.decodeIfPresent(PodTemplateSpec.self, forKey: .template) ?? PodTemplateSpec()
        self.strategy = try container.decodeIfPresent(DeploymentStrategy.self, forKey: .strategy)
        self.minReadySeconds = try container.decodeIfPresent(Int32.self, forKey: .minReadySeconds)
        self.revisionHistoryLimit = try container.decodeIfPresent(Int32.self, forKey: .revisionHistoryLimit)
        self.paused = try container.decodeIfPresent(Bool.self, forKey: .paused)
        self.progressDeadlineSeconds = try container.decodeIfPresent(Int32.self, forKey: .progressDeadlineSeconds)
    }
}

public struct PodTemplateSpec: Codable, Sendable, Hashable {
    public var metadata: ObjectMeta?
    public var spec: PodSpec?

    public init(
        metadata: ObjectMeta? = nil,
        spec: PodSpec? = nil
    ) {
        self.metadata = metadata
        self.spec = spec
    }
}

public struct DeploymentStrategy: Codable, Sendable, Hashable {
    /// `RollingUpdate` or `Recreate`.
    public var type: String?
    public var rollingUpdate: RollingUpdateDeployment?

    public init(
        type: String? = nil,
        rollingUpdate: RollingUpdateDeployment? = nil
    ) {
        self.type = type
        self.rollingUpdate = rollingUpdate
    }
}

public struct RollingUpdateDeployment: Codable, Sendable, Hashable {
    public var maxUnavailable: IntOrString?
    public var maxSurge: IntOrString?

    public init(
        maxUnavailable: IntOrString? = nil,
        maxSurge: IntOrString? = nil
    ) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
    }
}

public struct DeploymentStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var replicas: Int32?
    public var updatedReplicas: Int32?
    public var readyReplicas: Int32?
    public var availableReplicas: Int32?
    public var unavailableReplicas: Int32?
    public var conditions: [DeploymentCondition]?
    public var collisionCount: Int32?

    public init(
        observedGeneration: Int64? = nil,
        replicas: Int32? = nil,
        updatedReplicas: Int32? = nil,
        readyReplicas: Int32? = nil,
        availableReplicas: Int32? = nil,
        unavailableReplicas: Int32? = nil,
        conditions: [DeploymentCondition]? = nil,
        collisionCount: Int32? = nil
    ) {
        self.observedGeneration = observedGeneration
        self.replicas = replicas
        self.updatedReplicas = updatedReplicas
        self.readyReplicas = readyReplicas
        self.availableReplicas = availableReplicas
        self.unavailableReplicas = unavailableReplicas
        self.conditions = conditions
        self.collisionCount = collisionCount
    }
}

public struct DeploymentCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var lastUpdateTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: String,
        lastUpdateTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastUpdateTime = lastUpdateTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}
