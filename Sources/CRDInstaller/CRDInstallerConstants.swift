// Wire names the CRD installer writes and selects by. Kept together so they can move to the
// target that will own fleet-networking's API constants without touching the installer logic.

/// Group, resources and label keys of the fleet-networking CRD installer.
public enum CRDInstallerConstants {
    /// The API group whose CRDs are installed; CRDs of other groups are ignored.
    public static let group = "networking.fleet.azure.com"

    /// Resources (CRD plurals) a member cluster gets; a hub gets every CRD of the group.
    public static let memberResources: Set<String> = ["serviceexports", "serviceimports", "multiclusterservices"]

    /// Label marking a CRD as written by the installer (value `"true"`).
    public static let managedLabelKey = "crd-installer.networking.azure.fleet.com/managed"
    public static let managedLabelValue = "true"

    /// Label telling AKS's addon manager the CRD belongs to Fleet (not set in e2e mode).
    public static let azureManagedByLabelKey = "kubernetes.azure.com/managedby"
    public static let azureManagedByLabelValue = "fleet"

    /// Where the reference image carries its CRD manifests.
    public static let defaultCRDDirectory = "/workspace/config/crd/bases"
}
