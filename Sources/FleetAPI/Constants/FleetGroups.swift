// API groups and versions of the fleet's kinds.

/// `networking.fleet.azure.com`, the fleet networking API.
public enum NetworkingGroup {
    public static let name = "networking.fleet.azure.com"
    public static let v1alpha1 = "v1alpha1"
    public static let v1beta1 = "v1beta1"
    /// The category every networking CRD belongs to (`kubectl get fleet-networking`).
    public static let category = "fleet-networking"
}

/// `cluster.kubernetes-fleet.io`, the Fleet core API whose membership kinds networking reads and writes.
public enum ClusterGroup {
    public static let name = "cluster.kubernetes-fleet.io"
    public static let v1beta1 = "v1beta1"
    public static let categories = ["fleet", "fleet-cluster"]
}
