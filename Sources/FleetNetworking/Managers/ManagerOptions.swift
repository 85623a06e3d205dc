import AzureClient
import ArgumentParser
import FleetAPI
import Foundation
import KubeClient

// The command-line flags of the three manager binaries (reference-api §3.1–§3.3), with the
// reference's names and defaults, plus `--kubeconfig` / `--hub-kubeconfig` for running outside a
// cluster. Each options struct turns into a configuration struct (`configuration(environment:)`)
// without touching the network, so the rules are testable as pure functions.

/// klog's flags, accepted for compatibility with the reference's deployments. `--v` sets the log
/// level (0: info, 1–3: debug, 4+: trace); the others are accepted and ignored.
public struct KlogOptions: ParsableArguments {
    @Option(name: .customLong("v"), help: "Log verbosity (klog): 0 info, 1-3 debug, 4+ trace.")
    public var verbosity: Int = 0
    @Option(name: .customLong("add_dir_header"), help: "Accepted for klog compatibility; ignored.")
    public var addDirHeader = GoBool(false)
    @Option(name: .customLong("alsologtostderr"), help: "Accepted for klog compatibility; ignored.")
    public var alsoLogToStderr = GoBool(false)
    @Option(name: .customLong("log_backtrace_at"), help: "Accepted for klog compatibility; ignored.")
    public var logBacktraceAt: String = ":0"
    @Option(name: .customLong("log_dir"), help: "Accepted for klog compatibility; ignored.")
    public var logDir: String = ""
    @Option(name: .customLong("log_file"), help: "Accepted for klog compatibility; ignored.")
    public var logFile: String = ""
    @Option(name: .customLong("log_file_max_size"), help: "Accepted for klog compatibility; ignored.")
    public var logFileMaxSize: UInt64 = 1800
    @Option(name: .customLong("logtostderr"), help: "Accepted for klog compatibility; logs always go to stderr.")
    public var logToStderr = GoBool(true)
    @Option(name: .customLong("one_output"), help: "Accepted for klog compatibility; ignored.")
    public var oneOutput = GoBool(false)
    @Option(name: .customLong("skip_headers"), help: "Accepted for klog compatibility; ignored.")
    public var skipHeaders = GoBool(false)
    @Option(name: .customLong("skip_log_headers"), help: "Accepted for klog compatibility; ignored.")
    public var skipLogHeaders = GoBool(false)
    @Option(name: .customLong("stderrthreshold"), help: "Accepted for klog compatibility; ignored.")
    public var stderrThreshold: String = "2"
    @Option(name: .customLong("vmodule"), help: "Accepted for klog compatibility; ignored.")
    public var vmodule: String = ""

    public init() {}

    public static let booleanFlags: Set<String> = [
        "add_dir_header", "alsologtostderr", "logtostderr", "one_output", "skip_headers", "skip_log_headers",
    ]

    var flagValues: [(String, String)] {
        [
            ("add_dir_header", "\(addDirHeader)"), ("alsologtostderr", "\(alsoLogToStderr)"),
            ("log_backtrace_at", logBacktraceAt), ("log_dir", logDir), ("log_file", logFile),
            ("log_file_max_size", "\(logFileMaxSize)"), ("logtostderr", "\(logToStderr)"), ("one_output", "\(oneOutput)"),
            ("skip_headers", "\(skipHeaders)"), ("skip_log_headers", "\(skipLogHeaders)"),
            ("stderrthreshold", stderrThreshold), ("v", "\(verbosity)"), ("vmodule", vmodule),
        ]
    }
}

/// Where a manager serves metrics and probes.
public struct ManagerEndpoints: Sendable, Hashable {
    public var metrics: BindAddress
    public var probes: BindAddress

    public init(metrics: BindAddress, probes: BindAddress) {
        self.metrics = metrics
        self.probes = probes
    }
}

/// Leader election of the managers of one binary.
public struct LeaderElectionSettings: Sendable, Hashable {
    public var enabled: Bool
    /// Namespace of the leases (in the member cluster for both managers of a member binary).
    public var namespace: String

    public init(enabled: Bool, namespace: String) {
        self.enabled = enabled
        self.namespace = namespace
    }
}

// MARK: hub-net-controller-manager

/// The flags of hub-net-controller-manager.
public struct HubNetOptions: ParsableArguments {
    @Option(name: .customLong("metrics-bind-address"), help: "The address the metric endpoint binds to (0 disables it).")
    public var metricsBindAddress: String = ":8080"
    @Option(name: .customLong("health-probe-bind-address"), help: "The address the probe endpoint binds to.")
    public var healthProbeBindAddress: String = ":8081"
    @Option(name: .customLong("leader-elect"), help: "Enable leader election, ensuring there is only one active controller manager.")
    public var leaderElect = GoBool(true)
    @Option(name: .customLong("leader-election-namespace"), help: "The namespace in which the leader election lease is created.")
    public var leaderElectionNamespace: String = FleetNamespaces.fleetSystem
    @Option(
        name: .customLong("internalserviceexport-retry-interval"),
        help: "Accepted for compatibility with the reference and unused: the export resolution is driven by ServiceImport and InternalServiceExport events and never polls.")
    public var internalServiceExportRetryInterval = GoDuration(.seconds(2))
    @Option(
        name: .customLong("force-delete-wait-time"),
        help: "How long to wait after a MemberCluster is deleted before its EndpointSliceImport finalizers are removed.")
    public var forceDeleteWaitTime = GoDuration(.seconds(15 * 60))
    @Option(name: .customLong("enable-v1beta1-apis"), help: "Enable the v1beta1 (MemberCluster) controllers.")
    public var enableV1Beta1APIs = GoBool(true)
    @Option(
        name: .customLong("enable-traffic-manager-feature"),
        help: "Run the TrafficManagerProfile and TrafficManagerBackend controllers (Azure Traffic Manager), given a cloud config.")
    public var enableTrafficManagerFeature = GoBool(true)
    @Option(name: .customLong("cloud-config"), help: "Azure cloud config (azure.json, JSON or YAML) of the Traffic Manager feature.")
    public var cloudConfig: String = "/etc/kubernetes/provider/azure.json"
    @Option(name: .customLong("kubeconfig"), help: "Kubeconfig of the hub cluster (default: KUBECONFIG, in-cluster, ~/.kube/config).")
    public var kubeconfig: String?
    @OptionGroup public var klog: KlogOptions

    public init() {}

    public static var booleanFlags: Set<String> {
        KlogOptions.booleanFlags.union(["leader-elect", "enable-v1beta1-apis", "enable-traffic-manager-feature"])
    }

    /// Every flag and its value, sorted by name (logged at start).
    public var flagValues: [(String, String)] {
        ([
            ("metrics-bind-address", metricsBindAddress), ("health-probe-bind-address", healthProbeBindAddress),
            ("leader-elect", "\(leaderElect)"), ("leader-election-namespace", leaderElectionNamespace),
            ("internalserviceexport-retry-interval", "\(internalServiceExportRetryInterval)"),
            ("force-delete-wait-time", "\(forceDeleteWaitTime)"), ("enable-v1beta1-apis", "\(enableV1Beta1APIs)"),
            ("enable-traffic-manager-feature", "\(enableTrafficManagerFeature)"), ("cloud-config", cloudConfig),
            ("kubeconfig", kubeconfig ?? ""),
        ] + klog.flagValues).sorted { $0.0 < $1.0 }
    }

    /// The configuration; `loadHub` resolves the hub's client configuration (kubeconfig or in-cluster).
    public func configuration(
        loadHub: (String?) throws -> ClientConfiguration = { try ClientConfiguration.automatic(kubeconfigPath: $0) }
    ) throws -> HubNetManagerConfiguration {
        let endpoints = ManagerEndpoints(
            metrics: try BindAddress.parse(metricsBindAddress, flag: "metrics-bind-address"),
            probes: try BindAddress.parse(healthProbeBindAddress, flag: "health-probe-bind-address"))
        let hub: ClientConfiguration
        do {
            hub = try loadHub(kubeconfig)
        } catch {
            throw ManagerConfigurationError("cannot load the hub cluster configuration (flag --kubeconfig, KUBECONFIG or in-cluster): \(error)")
        }
        return HubNetManagerConfiguration(
            hub: hub, endpoints: endpoints,
            leaderElection: LeaderElectionSettings(enabled: leaderElect.value, namespace: leaderElectionNamespace),
            internalServiceExportRetryInterval: internalServiceExportRetryInterval.value,
            forceDeleteWaitTime: forceDeleteWaitTime.value, enableV1Beta1APIs: enableV1Beta1APIs.value,
            enableTrafficManagerFeature: enableTrafficManagerFeature.value, cloudConfigPath: cloudConfig, verbosity: klog.verbosity)
    }
}

/// What hub-net-controller-manager runs with.
public struct HubNetManagerConfiguration: Sendable {
    public var hub: ClientConfiguration
    public var endpoints: ManagerEndpoints
    public var leaderElection: LeaderElectionSettings
    public var internalServiceExportRetryInterval: Duration
    public var forceDeleteWaitTime: Duration
    public var enableV1Beta1APIs: Bool
    public var enableTrafficManagerFeature: Bool
    /// The Azure cloud config of the Traffic Manager feature.
    public var cloudConfigPath: String
    public var verbosity: Int

    public init(
        hub: ClientConfiguration, endpoints: ManagerEndpoints, leaderElection: LeaderElectionSettings,
        internalServiceExportRetryInterval: Duration = .seconds(2), forceDeleteWaitTime: Duration = .seconds(900),
        enableV1Beta1APIs: Bool = true, enableTrafficManagerFeature: Bool = false,
        cloudConfigPath: String = AzureCloudConfig.defaultPath, verbosity: Int = 0
    ) {
        self.cloudConfigPath = cloudConfigPath
        self.hub = hub
        self.endpoints = endpoints
        self.leaderElection = leaderElection
        self.internalServiceExportRetryInterval = internalServiceExportRetryInterval
        self.forceDeleteWaitTime = forceDeleteWaitTime
        self.enableV1Beta1APIs = enableV1Beta1APIs
        self.enableTrafficManagerFeature = enableTrafficManagerFeature
        self.verbosity = verbosity
    }
}

// MARK: member binaries

/// The flags both member binaries share.
public struct MemberCommonOptions: ParsableArguments {
    @Option(name: .customLong("hub-metrics-bind-address"), help: "The address the hub-side manager's metric endpoint binds to (0 disables it).")
    public var hubMetricsBindAddress: String = ":8080"
    @Option(name: .customLong("hub-health-probe-bind-address"), help: "The address the hub-side manager's probe endpoint binds to.")
    public var hubHealthProbeBindAddress: String = ":8081"
    @Option(name: .customLong("leader-elect"), help: "Enable leader election for both managers (both leases live in the member cluster).")
    public var leaderElect = GoBool(true)
    @Option(name: .customLong("leader-election-namespace"), help: "The member cluster namespace of the leader election leases.")
    public var leaderElectionNamespace: String = FleetNamespaces.fleetSystem
    @Option(name: .customLong("tls-insecure"), help: "Skip verifying the hub's TLS certificate (testing only).")
    public var tlsInsecure = GoBool(false)
    @Option(name: .customLong("fleet-system-namespace"), help: "The member namespace of imported EndpointSlices and derived Services.")
    public var fleetSystemNamespace: String = FleetNamespaces.fleetSystem
    @Option(name: .customLong("enable-v1alpha1-apis"), help: "Deprecated: true is an error (v1alpha1 APIs are no longer supported).")
    public var enableV1Alpha1APIs = GoBool(false)
    @Option(name: .customLong("enable-v1beta1-apis"), help: "Run the InternalMemberCluster (join/leave, heartbeat) controller.")
    public var enableV1Beta1APIs = GoBool(true)
    @Option(name: .customLong("enable-networking-features"), help: "Run the networking controllers; when false only the membership controller runs (and leave skips cleanup).")
    public var enableNetworkingFeatures = GoBool(true)
    @Option(name: .customLong("kubeconfig"), help: "Kubeconfig of the member cluster (default: KUBECONFIG, in-cluster, ~/.kube/config).")
    public var kubeconfig: String?
    @Option(name: .customLong("hub-kubeconfig"), help: "Kubeconfig of the hub cluster, instead of HUB_SERVER_URL/CONFIG_PATH/HUB_CERTIFICATE_AUTHORITY/HUB_KUBE_HEADER.")
    public var hubKubeconfig: String?
    @OptionGroup public var klog: KlogOptions

    public init() {}

    public static var booleanFlags: Set<String> {
        KlogOptions.booleanFlags.union([
            "leader-elect", "tls-insecure", "enable-v1alpha1-apis", "enable-v1beta1-apis", "enable-networking-features",
        ])
    }

    var flagValues: [(String, String)] {
        [
            ("hub-metrics-bind-address", hubMetricsBindAddress), ("hub-health-probe-bind-address", hubHealthProbeBindAddress),
            ("leader-elect", "\(leaderElect)"), ("leader-election-namespace", leaderElectionNamespace),
            ("tls-insecure", "\(tlsInsecure)"), ("fleet-system-namespace", fleetSystemNamespace),
            ("enable-v1alpha1-apis", "\(enableV1Alpha1APIs)"), ("enable-v1beta1-apis", "\(enableV1Beta1APIs)"),
            ("enable-networking-features", "\(enableNetworkingFeatures)"), ("kubeconfig", kubeconfig ?? ""),
            ("hub-kubeconfig", hubKubeconfig ?? ""),
        ] + klog.flagValues
    }

    /// The reference's message for `--enable-v1alpha1-apis=true`.
    public static let v1alpha1Message = "v1alpha1 APIs are deprecated and no longer supported, please use v1beta1 APIs instead"

    func configuration(
        agent: MemberAgentKind, memberMetrics: (String, String), memberProbes: (String, String),
        enableTrafficManagerFeature: Bool, cloudConfigPath: String = AzureCloudConfig.defaultPath, environment: [String: String],
        loadMember: (String?) throws -> ClientConfiguration, loadHubEnvironment: ([String: String], Bool) throws -> ClientConfiguration
    ) throws -> MemberManagerConfiguration {
        if enableV1Alpha1APIs.value { throw ManagerConfigurationError(Self.v1alpha1Message) }
        let hubEndpoints = ManagerEndpoints(
            metrics: try BindAddress.parse(hubMetricsBindAddress, flag: "hub-metrics-bind-address"),
            probes: try BindAddress.parse(hubHealthProbeBindAddress, flag: "hub-health-probe-bind-address"))
        let memberEndpoints = ManagerEndpoints(
            metrics: try BindAddress.parse(memberMetrics.1, flag: memberMetrics.0),
            probes: try BindAddress.parse(memberProbes.1, flag: memberProbes.0))
        let clusterName = try HubConnection.memberClusterName(in: environment)
        let hub: ClientConfiguration
        if let hubKubeconfig, !hubKubeconfig.isEmpty {
            hub = try HubConnection.fromKubeconfig(hubKubeconfig, tlsInsecure: tlsInsecure.value)
        } else {
            hub = try loadHubEnvironment(environment, tlsInsecure.value)
        }
        let member: ClientConfiguration
        do {
            member = try loadMember(kubeconfig)
        } catch {
            throw ManagerConfigurationError("cannot load the member cluster configuration (flag --kubeconfig, KUBECONFIG or in-cluster): \(error)")
        }
        return MemberManagerConfiguration(
            agent: agent, clusterName: clusterName, member: member, hub: hub, hubEndpoints: hubEndpoints,
            memberEndpoints: memberEndpoints,
            leaderElection: LeaderElectionSettings(enabled: leaderElect.value, namespace: leaderElectionNamespace),
            fleetSystemNamespace: fleetSystemNamespace, enableV1Beta1APIs: enableV1Beta1APIs.value,
            enableNetworkingFeatures: enableNetworkingFeatures.value, enableTrafficManagerFeature: enableTrafficManagerFeature,
            cloudConfigPath: cloudConfigPath, verbosity: klog.verbosity)
    }
}

/// Which member binary.
public enum MemberAgentKind: String, Sendable, Hashable {
    /// member-net-controller-manager (`ServiceExportImportAgent`).
    case memberNet = "member-net-controller-manager"
    /// mcs-controller-manager (`MultiClusterServiceAgent`).
    case mcs = "mcs-controller-manager"

    public var agentType: String {
        switch self {
        case .memberNet: AgentTypes.serviceExportImportAgent
        case .mcs: AgentTypes.multiClusterServiceAgent
        }
    }

    /// Leader-election lease names: (hub-side manager, member-side manager).
    public var leaseNames: (hub: String, member: String) {
        switch self {
        case .memberNet: (LeaderElectionIDs.hub, LeaderElectionIDs.member)
        case .mcs: (LeaderElectionIDs.mcsHub, LeaderElectionIDs.mcsMember)
        }
    }
}

/// What a member binary runs with.
public struct MemberManagerConfiguration: Sendable {
    public var agent: MemberAgentKind
    public var clusterName: String
    public var member: ClientConfiguration
    public var hub: ClientConfiguration
    public var hubEndpoints: ManagerEndpoints
    public var memberEndpoints: ManagerEndpoints
    public var leaderElection: LeaderElectionSettings
    public var fleetSystemNamespace: String
    public var enableV1Beta1APIs: Bool
    public var enableNetworkingFeatures: Bool
    public var enableTrafficManagerFeature: Bool
    /// The Azure cloud config the Traffic Manager feature reads (member-net only).
    public var cloudConfigPath: String
    public var verbosity: Int

    public init(
        agent: MemberAgentKind, clusterName: String, member: ClientConfiguration, hub: ClientConfiguration,
        hubEndpoints: ManagerEndpoints, memberEndpoints: ManagerEndpoints, leaderElection: LeaderElectionSettings,
        fleetSystemNamespace: String = FleetNamespaces.fleetSystem, enableV1Beta1APIs: Bool = true,
        enableNetworkingFeatures: Bool = true, enableTrafficManagerFeature: Bool = false,
        cloudConfigPath: String = AzureCloudConfig.defaultPath, verbosity: Int = 0
    ) {
        self.agent = agent
        self.cloudConfigPath = cloudConfigPath
        self.clusterName = clusterName
        self.member = member
        self.hub = hub
        self.hubEndpoints = hubEndpoints
        self.memberEndpoints = memberEndpoints
        self.leaderElection = leaderElection
        self.fleetSystemNamespace = fleetSystemNamespace
        self.enableV1Beta1APIs = enableV1Beta1APIs
        self.enableNetworkingFeatures = enableNetworkingFeatures
        self.enableTrafficManagerFeature = enableTrafficManagerFeature
        self.verbosity = verbosity
    }
}

/// The flags of member-net-controller-manager.
public struct MemberNetOptions: ParsableArguments {
    @OptionGroup public var common: MemberCommonOptions
    @Option(name: .customLong("member-metrics-bind-address"), help: "The address the member-side manager's metric endpoint binds to (0 disables it).")
    public var memberMetricsBindAddress: String = ":8090"
    @Option(name: .customLong("member-health-probe-bind-address"), help: "The address the member-side manager's probe endpoint binds to.")
    public var memberHealthProbeBindAddress: String = ":8091"
    @Option(
        name: .customLong("enable-traffic-manager-feature"),
        help: "Look up the Azure public IP of exported LoadBalancer Services for Traffic Manager endpoints, given a cloud config.")
    public var enableTrafficManagerFeature = GoBool(true)
    @Option(name: .customLong("cloud-config"), help: "The Azure cloud config (azure.json) the Traffic Manager feature reads.")
    public var cloudConfig: String = "/etc/kubernetes/provider/azure.json"

    public init() {}

    public static var booleanFlags: Set<String> { MemberCommonOptions.booleanFlags.union(["enable-traffic-manager-feature"]) }

    public var flagValues: [(String, String)] {
        (common.flagValues + [
            ("member-metrics-bind-address", memberMetricsBindAddress),
            ("member-health-probe-bind-address", memberHealthProbeBindAddress),
            ("enable-traffic-manager-feature", "\(enableTrafficManagerFeature)"), ("cloud-config", cloudConfig),
        ]).sorted { $0.0 < $1.0 }
    }

    public func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        loadMember: (String?) throws -> ClientConfiguration = { try ClientConfiguration.automatic(kubeconfigPath: $0) },
        loadHubEnvironment: ([String: String], Bool) throws -> ClientConfiguration = { try HubConnection.fromEnvironment($0, tlsInsecure: $1) }
    ) throws -> MemberManagerConfiguration {
        try common.configuration(
            agent: .memberNet, memberMetrics: ("member-metrics-bind-address", memberMetricsBindAddress),
            memberProbes: ("member-health-probe-bind-address", memberHealthProbeBindAddress),
            enableTrafficManagerFeature: enableTrafficManagerFeature.value, cloudConfigPath: cloudConfig, environment: environment,
            loadMember: loadMember, loadHubEnvironment: loadHubEnvironment)
    }
}

/// The flags of mcs-controller-manager.
public struct MCSOptions: ParsableArguments {
    @OptionGroup public var common: MemberCommonOptions
    @Option(name: .customLong("metrics-bind-address"), help: "The address the member-side manager's metric endpoint binds to (0 disables it).")
    public var metricsBindAddress: String = ":8090"
    @Option(name: .customLong("health-probe-bind-address"), help: "The address the member-side manager's probe endpoint binds to.")
    public var healthProbeBindAddress: String = ":8091"

    public init() {}

    public static var booleanFlags: Set<String> { MemberCommonOptions.booleanFlags }

    public var flagValues: [(String, String)] {
        (common.flagValues + [
            ("metrics-bind-address", metricsBindAddress), ("health-probe-bind-address", healthProbeBindAddress),
        ]).sorted { $0.0 < $1.0 }
    }

    public func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        loadMember: (String?) throws -> ClientConfiguration = { try ClientConfiguration.automatic(kubeconfigPath: $0) },
        loadHubEnvironment: ([String: String], Bool) throws -> ClientConfiguration = { try HubConnection.fromEnvironment($0, tlsInsecure: $1) }
    ) throws -> MemberManagerConfiguration {
        try common.configuration(
            agent: .mcs, memberMetrics: ("metrics-bind-address", metricsBindAddress),
            memberProbes: ("health-probe-bind-address", healthProbeBindAddress), enableTrafficManagerFeature: false,
            environment: environment, loadMember: loadMember, loadHubEnvironment: loadHubEnvironment)
    }
}
