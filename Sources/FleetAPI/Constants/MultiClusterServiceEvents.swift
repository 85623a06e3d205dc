// Event reasons of the multiclusterservice and membership controllers (reference-controllers §3, §2.8).

/// Events about a MultiClusterService.
public enum MultiClusterServiceEvents {
    /// The MultiClusterService's status was written.
    public static let successfulUpdateStatus = "SuccessfulUpdateStatus"
    /// Its ServiceImport has exporting clusters; the derived Service serves them.
    public static let foundValidService = "FoundValidService"
    /// The MultiClusterService is being deleted; its ServiceImport and derived Service are gone.
    public static let unimportedService = "UnimportedService"
    /// The derived Service's name is taken by another object (ours, not the reference's).
    public static let derivedServiceNameTaken = "DerivedServiceNameTaken"
}
