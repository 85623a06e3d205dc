// Labels written or read by the fleet networking controllers (reference-api §6.3).

public enum FleetLabels {
    /// On a MultiClusterService: the name of the ServiceImport it imports.
    public static let serviceImport = "networking.fleet.azure.com/service-import"
    /// On a MultiClusterService: the name of its derived Service in the fleet system namespace.
    public static let derivedService = "networking.fleet.azure.com/derived-service"
    /// On a derived Service: the owning MultiClusterService's name.
    public static let multiClusterServiceName = "networking.fleet.azure.com/multi-cluster-service-name"
    /// On a derived Service: the owning MultiClusterService's namespace.
    public static let multiClusterServiceNamespace = "networking.fleet.azure.com/multi-cluster-service-namespace"
    /// On EndpointSlices: the Service they belong to (discovery/v1).
    public static let serviceName = "kubernetes.io/service-name"
    /// On EndpointSlices: the controller that manages them (discovery/v1).
    public static let endpointSliceManagedBy = "endpointslice.kubernetes.io/managed-by"
    /// The `managed-by` value of EndpointSlices imported by the fleet.
    public static let endpointSliceImportManager = "endpointsliceimport-controller.networking.fleet.azure.com"
    /// On CRDs installed by net-crd-installer.
    public static let crdInstallerManaged = "crd-installer.networking.azure.fleet.com/managed"
    /// On CRDs installed by net-crd-installer outside e2e tests.
    public static let azureManagedBy = "kubernetes.azure.com/managedby"
    /// The value of `azureManagedBy`.
    public static let azureManagedByFleet = "fleet"
    /// On hub `fleet-member-<name>` namespaces created by Fleet.
    public static let isFleetResource = "kubernetes-fleet.io/is-fleet-resource"
}
