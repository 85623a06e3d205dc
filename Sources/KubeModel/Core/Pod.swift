// core/v1 Pod: the parts a controller and a light kubelet use.

/// A group of containers scheduled together (core/v1 Pod).
public struct Pod: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Pod"
    public static let plural = "pods"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var spec: PodSpec?
    public var status: PodStatus?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        spec: PodSpec? = nil,
        status: PodStatus? = nil
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
        self.spec = try container.decodeIfPresent(PodSpec.self, forKey: .spec)
        self.status = try container.decodeIfPresent(PodStatus.self, forKey: .status)
    }
}

public struct PodSpec: Codable, Sendable, Hashable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int64?
    public var dnsPolicy: String?
    public var nodeSelector: [String: String]?
    public var serviceAccountName: String?
    public var automountServiceAccountToken: Bool?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var hostname: String?
    public var subdomain: String?
    public var schedulerName: String?
    public var tolerations: [JSONValue]?
    public var affinity: JSONValue?
    public var securityContext: JSONValue?
    public var enableServiceLinks: Bool?

    public init(
        volumes: [Volume]? = nil,
        initContainers: [Container]? = nil,
        containers: [Container] = [],
        restartPolicy: String? = nil,
        terminationGracePeriodSeconds: Int64? = nil,
        dnsPolicy: String? = nil,
        nodeSelector: [String: String]? = nil,
        serviceAccountName: String? = nil,
        automountServiceAccountToken: Bool? = nil,
        nodeName: String? = nil,
        hostNetwork: Bool? = nil,
        hostname: String? = nil,
        subdomain: String? = nil,
        schedulerName: String? = nil,
        tolerations: [JSONValue]? = nil,
        affinity: JSONValue? = nil,
        securityContext: JSONValue? = nil,
        enableServiceLinks: Bool? = nil
    ) {
        self.volumes = volumes
        self.initContainers = initContainers
        self.containers = containers
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.dnsPolicy = dnsPolicy
        self.nodeSelector = nodeSelector
        self.serviceAccountName = serviceAccountName
        self.automountServiceAccountToken = automountServiceAccountToken
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.hostname = hostname
        self.subdomain = subdomain
        self.schedulerName = schedulerName
        self.tolerations = tolerations
        self.affinity = affinity
        self.securityContext = securityContext
        self.enableServiceLinks = enableServiceLinks
    }

    private enum CodingKeys: String, CodingKey {
        case volumes, initContainers, containers, restartPolicy, terminationGracePeriodSeconds, dnsPolicy, nodeSelector, serviceAccountName, automountServiceAccountToken, nodeName, hostNetwork, hostname, subdomain, schedulerName, tolerations, affinity, securityContext, enableServiceLinks
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.volumes = try container.decodeIfPresent([Volume].self, forKey: .volumes)
        self.initContainers = try container.decodeIfPresent([Container].self, forKey: .initContainers)
        self.containers = try container.decodeIfPresent([Container].self, forKey: .containers) ?? []
        self.restartPolicy = try container.decodeIfPresent(String.self, forKey: .restartPolicy)
        self.terminationGracePeriodSeconds = try container.decodeIfPresent(Int64.self, forKey: .terminationGracePeriodSeconds)
        self.dnsPolicy = try container.decodeIfPresent(String.self, forKey: .dnsPolicy)
        self.nodeSelector = try container.decodeIfPresent([String: String].self, forKey: .nodeSelector)
        self.serviceAccountName = try container.decodeIfPresent(String.self, forKey: .serviceAccountName)
        self.automountServiceAccountToken = try container.decodeIfPresent(Bool.self, forKey: .automountServiceAccountToken)
        self.nodeName = try container.decodeIfPresent(String.self, forKey: .nodeName)
        self.hostNetwork = try container.decodeIfPresent(Bool.self, forKey: .hostNetwork)
        self.hostname = try container.decodeIfPresent(String.self, forKey: .hostname)
        self.subdomain = try container.decodeIfPresent(String.self, forKey: .subdomain)
        self.schedulerName = try container.decodeIfPresent(String.self, forKey: .schedulerName)
        self.tolerations = try container.decodeIfPresent([JSONValue].self, forKey: .tolerations)
        self.affinity = try container.decodeIfPresent(JSONValue.self, forKey: .affinity)
        self.securityContext = try container.decodeIfPresent(JSONValue.self, forKey: .securityContext)
        self.enableServiceLinks = try container.decodeIfPresent(Bool.self, forKey: .enableServiceLinks)
    }
}

/// A pod volume; the source is kept as raw JSON since only its name matters here.
public struct Volume: Codable, Sendable, Hashable {
    public var name: String
    public var emptyDir: JSONValue?
    public var configMap: JSONValue?
    public var secret: JSONValue?
    public var hostPath: JSONValue?
    public var projected: JSONValue?
    public var persistentVolumeClaim: JSONValue?
    public var downwardAPI: JSONValue?

    public init(
        name: String,
        emptyDir: JSONValue? = nil,
        configMap: JSONValue? = nil,
        secret: JSONValue? = nil,
        hostPath: JSONValue? = nil,
        projected: JSONValue? = nil,
        persistentVolumeClaim: JSONValue? = nil,
        downwardAPI: JSONValue? = nil
    ) {
        self.name = name
        self.emptyDir = emptyDir
        self.configMap = configMap
        self.secret = secret
        self.hostPath = hostPath
        self.projected = projected
        self.persistentVolumeClaim = persistentVolumeClaim
        self.downwardAPI = downwardAPI
    }
}

public struct Container: Codable, Sendable, Hashable {
    public var name: String
    public var image: String?
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var env: [EnvVar]?
    public var resources: JSONValue?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    public var imagePullPolicy: String?
    public var securityContext: JSONValue?

    public init(
        name: String,
        image: String? = nil,
        command: [String]? = nil,
        args: [String]? = nil,
        workingDir: String? = nil,
        ports: [ContainerPort]? = nil,
        env: [EnvVar]? = nil,
        resources: JSONValue? = nil,
        volumeMounts: [VolumeMount]? = nil,
        livenessProbe: Probe? = nil,
        readinessProbe: Probe? = nil,
        startupProbe: Probe? = nil,
        terminationMessagePath: String? = nil,
        terminationMessagePolicy: String? = nil,
        imagePullPolicy: String? = nil,
        securityContext: JSONValue? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.env = env
        self.resources = resources
        self.volumeMounts = volumeMounts
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.terminationMessagePath = terminationMessagePath
        self.terminationMessagePolicy = terminationMessagePolicy
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
    }
}

public struct ContainerPort: Codable, Sendable, Hashable {
    public var name: String?
    public var hostPort: Int32?
    public var containerPort: Int32
    public var `protocol`: String?
    public var hostIP: String?

    public init(
        name: String? = nil,
        hostPort: Int32? = nil,
        containerPort: Int32,
        `protocol`: String? = nil,
        hostIP: String? = nil
    ) {
        self.name = name
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}

public struct EnvVar: Codable, Sendable, Hashable {
    public var name: String
    public var value: String?
    public var valueFrom: JSONValue?

    public init(
        name: String,
        value: String? = nil,
        valueFrom: JSONValue? = nil
    ) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

public struct VolumeMount: Codable, Sendable, Hashable {
    public var name: String
    public var readOnly: Bool?
    public var mountPath: String
    public var subPath: String?

    public init(
        name: String,
        readOnly: Bool? = nil,
        mountPath: String,
        subPath: String? = nil
    ) {
        self.name = name
        self.readOnly = readOnly
        self.mountPath = mountPath
        self.subPath = subPath
    }
}

public struct Probe: Codable, Sendable, Hashable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var initialDelaySeconds: Int32?
    public var timeoutSeconds: Int32?
    public var periodSeconds: Int32?
    public var successThreshold: Int32?
    public var failureThreshold: Int32?
    public var terminationGracePeriodSeconds: Int64?

    public init(
        exec: ExecAction? = nil,
        httpGet: HTTPGetAction? = nil,
        tcpSocket: TCPSocketAction? = nil,
        initialDelaySeconds: Int32? = nil,
        timeoutSeconds: Int32? = nil,
        periodSeconds: Int32? = nil,
        successThreshold: Int32? = nil,
        failureThreshold: Int32? = nil,
        terminationGracePeriodSeconds: Int64? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.initialDelaySeconds = initialDelaySeconds
        self.timeoutSeconds = timeoutSeconds
        self.periodSeconds = periodSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }
}

public struct ExecAction: Codable, Sendable, Hashable {
    public var command: [String]?

    public init(
        command: [String]? = nil
    ) {
        self.command = command
    }
}

public struct HTTPGetAction: Codable, Sendable, Hashable {
    public var path: String?
    public var port: IntOrString
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(
        path: String? = nil,
        port: IntOrString,
        host: String? = nil,
        scheme: String? = nil,
        httpHeaders: [HTTPHeader]? = nil
    ) {
        self.path = path
        self.port = port
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

public struct HTTPHeader: Codable, Sendable, Hashable {
    public var name: String
    public var value: String

    public init(
        name: String,
        value: String
    ) {
        self.name = name
        self.value = value
    }
}

public struct TCPSocketAction: Codable, Sendable, Hashable {
    public var port: IntOrString
    public var host: String?

    public init(
        port: IntOrString,
        host: String? = nil
    ) {
        self.port = port
        self.host = host
    }
}

public struct PodStatus: Codable, Sendable, Hashable {
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var hostIP: String?
    public var hostIPs: [HostIP]?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: Time?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: String?

    public init(
        phase: String? = nil,
        conditions: [PodCondition]? = nil,
        message: String? = nil,
        reason: String? = nil,
        hostIP: String? = nil,
        hostIPs: [HostIP]? = nil,
        podIP: String? = nil,
        podIPs: [PodIP]? = nil,
        startTime: Time? = nil,
        initContainerStatuses: [ContainerStatus]? = nil,
        containerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.hostIP = hostIP
        self.hostIPs = hostIPs
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
    }
}

public struct PodCondition: Codable, Sendable, Hashable {
    public var type: String
    public var status: String
    public var lastProbeTime: Time?
    public var lastTransitionTime: Time?
    public var reason: String?
    public var message: String?

    public init(
        type: String,
        status: String,
        lastProbeTime: Time? = nil,
        lastTransitionTime: Time? = nil,
        reason: String? = nil,
        message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

public struct PodIP: Codable, Sendable, Hashable {
    public var ip: String

    public init(
        ip: String
    ) {
        self.ip = ip
    }
}

public struct HostIP: Codable, Sendable, Hashable {
    public var ip: String

    public init(
        ip: String
    ) {
        self.ip = ip
    }
}

public struct ContainerStatus: Codable, Sendable, Hashable {
    public var name: String
    public var state: ContainerState?
    public var lastState: ContainerState?
    public var ready: Bool
    public var restartCount: Int32
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?

    public init(
        name: String,
        state: ContainerState? = nil,
        lastState: ContainerState? = nil,
        ready: Bool = false,
        restartCount: Int32 = 0,
        image: String = "",
        imageID: String = "",
        containerID: String? = nil,
        started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }

    private enum CodingKeys: String, CodingKey {
        case name, state, lastState, ready, restartCount, image, imageID, containerID, started
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.name = try container.decode(String.self, forKey: .name)
        self.state = try container.decodeIfPresent(ContainerState.self, forKey: .state)
        self.lastState = try container.decodeIfPresent(ContainerState.self, forKey: .lastState)
        self.ready = try container.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        self.restartCount = try container.decodeIfPresent(Int32.self, forKey: .restartCount) ?? 0
        self.image = try container.decodeIfPresent(String.self, forKey: .image) ?? ""
        self.imageID = try container.decodeIfPresent(String.self, forKey: .imageID) ?? ""
        self.containerID = try container.decodeIfPresent(String.self, forKey: .containerID)
        self.started = try container.decodeIfPresent(Bool.self, forKey: .started)
    }
}

/// At most one member is set.
public struct ContainerState: Codable, Sendable, Hashable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil,
        running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }
}

public struct ContainerStateWaiting: Codable, Sendable, Hashable {
    public var reason: String?
    public var message: String?

    public init(
        reason: String? = nil,
        message: String? = nil
    ) {
        self.reason = reason
        self.message = message
    }
}

public struct ContainerStateRunning: Codable, Sendable, Hashable {
    public var startedAt: Time?

    public init(
        startedAt: Time? = nil
    ) {
        self.startedAt = startedAt
    }
}

public struct ContainerStateTerminated: Codable, Sendable, Hashable {
    public var exitCode: Int32
    public var signal: Int32?
    public var reason: String?
    public var message: String?
    public var startedAt: Time?
    public var finishedAt: Time?
    public var containerID: String?

    public init(
        exitCode: Int32,
        signal: Int32? = nil,
        reason: String? = nil,
        message: String? = nil,
        startedAt: Time? = nil,
        finishedAt: Time? = nil,
        containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
