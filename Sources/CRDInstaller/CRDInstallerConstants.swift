import FleetAPI

// The installer's wire names, taken from FleetAPI (where every fleet constant is defined once),
// plus the image path of the reference's CRD manifests.

/// Group, resources and label keys of the fleet-networking CRD installer.
public enum CRDInstallerConstants {
    /// The API group whose CRDs are installed; CRDs of other groups are ignored.
    public static let group = NetworkingGroup.name

    /// Resources (CRD plurals) a member cluster gets; a hub gets every CRD of the group.
    public static let memberResources: Set<String> = FleetCRDs.memberPlurals

    /// Label marking a CRD as written by the installer (value `"true"`).
    public static let managedLabelKey = FleetLabels.crdInstallerManaged
    public static let managedLabelValue = "true"

    /// Label telling AKS's addon manager the CRD belongs to Fleet (not set in e2e mode).
    public static let azureManagedByLabelKey = FleetLabels.azureManagedBy
    public static let azureManagedByLabelValue = FleetLabels.azureManagedByFleet

    /// Where the reference image carries its CRD manifests.
    public static let defaultCRDDirectory = "/workspace/config/crd/bases"
}
