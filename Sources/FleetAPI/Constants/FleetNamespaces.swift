// Namespaces, object names and identities the fleet uses (reference-api §6.1, §6.5, §3).

public enum FleetNamespaces {
    /// The reserved namespace in every cluster (`--fleet-system-namespace`).
    public static let fleetSystem = "fleet-system"
    /// The prefix of a member's exchange namespace on the hub.
    public static let memberPrefix = "fleet-member-"

    /// `fleet-member-<cluster>`: a member's exchange namespace on the hub.
    public static func member(_ clusterName: String) -> String { memberPrefix + clusterName }

    /// The member cluster whose exchange namespace this is, or nil for any other namespace.
    public static func memberCluster(ofNamespace namespace: String) -> String? {
        guard namespace.hasPrefix(memberPrefix), namespace.count > memberPrefix.count else { return nil }
        return String(namespace.dropFirst(memberPrefix.count))
    }
}

/// Leader-election Lease names of the managers (`--leader-election-namespace`, default fleet-system).
public enum LeaderElectionIDs {
    public static let hub = "2bf2b407.hub.networking.fleet.azure.com"
    public static let member = "2bf2b407.member.networking.fleet.azure.com"
    public static let mcsHub = "2bf2b407.mcs.hub.networking.fleet.azure.com"
    public static let mcsMember = "2bf2b407.mcs.member.networking.fleet.azure.com"
}

/// The agent types networking reports in InternalMemberCluster status.
public enum AgentTypes {
    public static let memberAgent = "MemberAgent"
    public static let multiClusterServiceAgent = "MultiClusterServiceAgent"
    public static let serviceExportImportAgent = "ServiceExportImportAgent"
}

/// The Prometheus metrics of the controllers (reference-api §3.7).
public enum FleetMetrics {
    public static let serviceExportDuration = "fleet_networking_service_export_duration_milliseconds"
    public static let endpointSliceExportImportDuration = "fleet_networking_endpointslice_export_import_duration_milliseconds"
    /// Gauges `{namespace, name, generation, condition, status, reason}` of the Traffic Manager kinds.
    public static let trafficManagerProfileStatus = "fleet_networking_traffic_manager_profile_status_last_timestamp_seconds"
    public static let trafficManagerBackendStatus = "fleet_networking_traffic_manager_backend_status_last_timestamp_seconds"
    /// Histogram buckets, in milliseconds.
    public static let durationBuckets: [Double] = [1000, 2500, 5000, 10000, 25000, 50000]
    /// Observations are clamped to this many milliseconds.
    public static let maximumObservation: Double = 100_000
}
