// Condition types and reasons of the fleet's kinds (reference-api §1.4, §1.9–1.11, §2).

public enum ConditionStatus {
    public static let `true` = "True"
    public static let `false` = "False"
    public static let unknown = "Unknown"
}

/// ServiceExport (and InternalServiceExport) conditions.
public enum ServiceExportConditions {
    public static let valid = "Valid"
    public static let conflict = "Conflict"
    /// Ours (the reference has none): whether the hub lists this cluster in the service's
    /// ServiceImport, and why not. Written by the hub on the InternalServiceExport together with
    /// `Conflict` and copied to the ServiceExport by the member agent.
    public static let ready = "Ready"
    /// Ours: whether the hub distributes all of this export's endpoints. False when some lie
    /// outside the member's declared CIDRs (`FleetAnnotations.podCIDRs`). Written by the hub with
    /// `Conflict` and `Ready`, copied to the ServiceExport by the member agent.
    public static let endpointsAccepted = "EndpointsAccepted"

    public enum Reason {
        public static let serviceIsValid = "ServiceIsValid"
        public static let serviceNotFound = "ServiceNotFound"
        public static let serviceIneligible = "ServiceIneligible"
        public static let invalidWeightAnnotation = "ServiceExportInvalidWeightAnnotation"
        public static let pendingConflictResolution = "ServicePendingConflictResolution"
        public static let noConflictFound = "NoConflictFound"
        public static let conflictFound = "ConflictFound"
        // Ready
        public static let exported = "Exported"
        public static let namespaceNotOnHub = "NamespaceNotOnHub"
        public static let notExported = "ExportConflict"
        // EndpointsAccepted
        public static let withinDeclaredCIDRs = "WithinDeclaredCIDRs"
        public static let noCIDRsDeclared = "NoCIDRsDeclared"
        public static let outsideDeclaredCIDRs = "EndpointsOutsideDeclaredCIDRs"
    }
}

/// MultiClusterService conditions.
public enum MultiClusterServiceConditions {
    public static let valid = "Valid"

    public enum Reason {
        public static let foundServiceImport = "FoundServiceImport"
        public static let unknownServiceImport = "UnknownServiceImport"
    }
}

/// TrafficManagerProfile conditions.
public enum TrafficManagerProfileConditions {
    public static let programmed = "Programmed"

    public enum Reason {
        public static let programmed = "Programmed"
        public static let invalid = "Invalid"
        public static let dnsNameNotAvailable = "DNSNameNotAvailable"
        public static let pending = "Pending"
    }
}

/// TrafficManagerBackend conditions.
public enum TrafficManagerBackendConditions {
    public static let accepted = "Accepted"

    public enum Reason {
        public static let accepted = "Accepted"
        public static let invalid = "Invalid"
        public static let pending = "Pending"
    }
}

/// Agent conditions in an InternalMemberCluster's `agentStatus`.
public enum AgentConditions {
    public static let joined = "Joined"
    public static let healthy = "Healthy"

    public enum Reason {
        public static let agentJoined = "AgentJoined"
        public static let agentLeft = "AgentLeft"
    }
}

/// MemberCluster condition types (Fleet core).
public enum MemberClusterConditions {
    public static let readyToJoin = "ReadyToJoin"
    public static let joined = "Joined"
    public static let healthy = "Healthy"
    public static let propertyProviderStarted = "ClusterPropertyProviderStarted"
    public static let propertyCollectionSucceeded = "ClusterPropertyCollectionSucceeded"
}
