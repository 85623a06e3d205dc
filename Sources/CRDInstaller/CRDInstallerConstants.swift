import FleetAPI

// The installer's wire names, taken from FleetAPI (where every fleet constant is defined once),
// plus the image path of the reference's CRD manifests.

/// Group, resources and label keys of the fleet-networking CRD installer.
public enum CRDInstallerConstants {
    /// The API group whose CRDs are installed (every one on a hub, the member kinds on a member).
    public static let group = NetworkingGroup.name

    /// The Multi-Cluster Services API group, installed on members only. CRDs of any other group
    /// are ignored.
    public static let memberOnlyGroup = MCSGroup.name

    /// The groups whose CRDs the installer reads.
    public static let groups: Set<String> = [group, memberOnlyGroup]

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
