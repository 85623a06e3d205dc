import FleetAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

// What every controller of a member agent works with: its own cluster, its namespace on the hub,
// the shared caches of both, and where events and metrics go. One per process; the member-side
// and hub-side controllers of member-net-controller-manager and mcs-controller-manager all take it.

/// A member agent's view of the fleet.
public struct MemberAgentContext: Sendable {
    /// The member cluster's name (`MEMBER_CLUSTER_NAME`): its identity everywhere in the fleet.
    public let clusterID: String
    /// `fleet-member-<clusterID>`, the member's exchange namespace on the hub.
    public let hubNamespace: String
    /// Where imported EndpointSlices and derived Services live (`--fleet-system-namespace`).
    public let fleetSystemNamespace: String
    /// The member cluster.
    public let member: KubeClient
    /// The hub cluster (credentials confined to `hubNamespace`).
    public let hub: KubeClient
    /// Caches of member objects (all namespaces).
    public let memberInformers: SharedInformers
    /// Caches of hub objects; always ask for `namespace: hubNamespace`.
    public let hubInformers: SharedInformers
    /// Events about member objects.
    public let memberEvents: EventRecorder
    /// Events about hub objects.
    public let hubEvents: EventRecorder
    /// The latency histograms of spec §6.
    public let latency: LatencyMetrics
    /// The wall clock (timestamps in annotations, conditions and metrics).
    public let now: @Sendable () -> Date
    /// Azure public IP lookups of exported LoadBalancer Services (member-net with the Traffic
    /// Manager feature and a cloud config); nil: exports carry no public IP.
    public let publicIPs: PublicIPLookup?
    public let logger: Logger

    public init(
        clusterID: String, fleetSystemNamespace: String = FleetNamespaces.fleetSystem, member: KubeClient,
        hub: KubeClient, memberInformers: SharedInformers, hubInformers: SharedInformers,
        memberEvents: EventRecorder, hubEvents: EventRecorder, latency: LatencyMetrics,
        now: @escaping @Sendable () -> Date = { Date() }, publicIPs: PublicIPLookup? = nil, logger: Logger
    ) {
        self.clusterID = clusterID
        self.hubNamespace = FleetNamespaces.member(clusterID)
        self.fleetSystemNamespace = fleetSystemNamespace
        self.member = member
        self.hub = hub
        self.memberInformers = memberInformers
        self.hubInformers = hubInformers
        self.memberEvents = memberEvents
        self.hubEvents = hubEvents
        self.latency = latency
        self.now = now
        self.publicIPs = publicIPs
        self.logger = logger
    }
}
