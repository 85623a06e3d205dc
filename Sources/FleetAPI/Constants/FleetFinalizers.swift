// Finalizers of the fleet networking controllers (reference-api §6.2).

public enum FleetFinalizers {
    /// Member ServiceExport, while it is exported.
    public static let serviceExportCleanup = "networking.fleet.azure.com/svc-export-cleanup"
    /// Hub InternalServiceExport.
    public static let internalServiceExportCleanup = "networking.fleet.azure.com/internal-svc-export-cleanup"
    /// Member ServiceImport, and hub ServiceImport while it is in use.
    public static let serviceImportCleanup = "networking.fleet.azure.com/serviceimport-cleanup"
    /// Hub InternalServiceImport.
    public static let internalServiceImportCleanup = "networking.fleet.azure.com/internalsvcimport-cleanup"
    /// Hub EndpointSliceExport.
    public static let endpointSliceExportCleanup = "networking.fleet.azure.com/endpointsliceexport-cleanup"
    /// Hub EndpointSliceImport (owned by the importing member's agent).
    public static let endpointSliceImportCleanup = "networking.fleet.azure.com/endpointsliceimport-cleanup"
    /// Member MultiClusterService.
    public static let serviceResourcesCleanup = "networking.fleet.azure.com/service-resources-cleanup"
    /// TrafficManagerProfile.
    public static let trafficManagerProfileCleanup = "networking.fleet.azure.com/traffic-manager-profile-cleanup"
    /// TrafficManagerBackend.
    public static let trafficManagerBackendCleanup = "networking.fleet.azure.com/traffic-manager-backend-cleanup"
    /// TrafficManagerProfile and TrafficManagerBackend: removes their metric series.
    public static let metricsCleanup = "networking.fleet.azure.com/metrics-cleanup"
}
