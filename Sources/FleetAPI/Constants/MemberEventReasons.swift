// Event reasons of the member-net-controller-manager's networking controllers (reference
// controllers §2.1, §2.4), recorded about member ServiceExports.

public enum MemberEventReasons {
    /// Warning: the exported Service does not exist (or is being deleted).
    public static let serviceNotFound = "ServiceNotFound"
    /// Warning: the exported Service is headless or of type ExternalName.
    public static let serviceNotEligible = "ServiceNotEligible"
    /// Warning: the ServiceExport's weight annotation is invalid.
    public static let invalidWeightAnnotation = "ServiceExportInvalidWeightAnnotation"
    /// Normal: the export has weight 0 and is withdrawn (the reference's reason is `Service`).
    public static let zeroWeight = "Service"
    /// Normal: the ServiceExport became valid.
    public static let validServiceExport = "ValidServiceExport"
    /// Normal: the export waits for the hub's conflict resolution.
    public static let pendingConflictResolution = "PendingExportConflictResolution"
    /// Warning: the hub found the export in conflict.
    public static let conflictFound = "ServiceExportConflictFound"
    /// Normal: the hub found no conflict.
    public static let noConflictFound = "NoServiceExportConflictFound"
}
