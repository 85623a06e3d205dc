import FleetAPI
import Foundation
import KubeClient
import KubeRuntime
import Logging

// What the hub's controllers (hub-net-controller-manager) work with.

/// The hub controllers' view of the fleet.
public struct HubAgentContext: Sendable {
    /// The hub cluster.
    public let hub: KubeClient
    /// Caches of hub objects (all namespaces).
    public let informers: SharedInformers
    /// Events about hub objects.
    public let events: EventRecorder
    /// How long a deleted MemberCluster's agents get to remove their finalizers before the hub
    /// strips them (`--force-delete-wait-time`).
    public let forceDeleteWaitTime: Duration
    /// `--internalserviceexport-retry-interval`, kept for the reference's flag. No hub controller
    /// uses it: they are driven by ServiceImport and InternalServiceExport events and never poll.
    public let retryInterval: Duration
    /// The wall clock (condition times, force-delete deadlines).
    public let now: @Sendable () -> Date
    public let logger: Logger

    public init(
        hub: KubeClient, informers: SharedInformers, events: EventRecorder,
        forceDeleteWaitTime: Duration = .seconds(15 * 60), retryInterval: Duration = .seconds(2),
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
    ) {
        self.hub = hub
        self.informers = informers
        self.events = events
        self.forceDeleteWaitTime = forceDeleteWaitTime
        self.retryInterval = retryInterval
        self.now = now
        self.logger = logger
    }
}
