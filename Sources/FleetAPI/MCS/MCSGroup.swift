// The Kubernetes Multi-Cluster Services API (KEP-1645, kubernetes-sigs/mcs-api): its group,
// versions, labels, annotations, condition types and reasons. We serve the standard API beside
// the fleet's own (networking.fleet.azure.com), in every member cluster.

/// `multicluster.x-k8s.io`, the Multi-Cluster Services API.
public enum MCSGroup {
    public static let name = "multicluster.x-k8s.io"
    public static let v1alpha1 = "v1alpha1"
    /// The stored version; the conformance suite and our controllers use it.
    public static let v1beta1 = "v1beta1"
    /// The mcs-api release whose CRD schema ours follows.
    public static let releaseVersion = "v0.5.0"
    /// The schema revision of that release (installers use it to refuse downgrades).
    public static let crdSchemaRevision = "0"
}

/// Labels of the MCS API.
public enum MCSLabels {
    /// On CRDs: the mcs-api release they come from.
    public static let releaseVersion = "multicluster.x-k8s.io/release-version"
    /// On CRDs: the schema revision.
    public static let crdSchemaRevision = "multicluster.x-k8s.io/crd-schema-revision"
    /// On imported EndpointSlices: the name of the imported service (the ServiceImport's name).
    public static let serviceName = "multicluster.kubernetes.io/service-name"
    /// On imported EndpointSlices: the cluster the endpoints come from.
    public static let sourceCluster = "multicluster.kubernetes.io/source-cluster"
    /// The `endpointslice.kubernetes.io/managed-by` value of the EndpointSlices we import for
    /// ServiceImports (never the Kubernetes EndpointSlice controller's).
    public static let endpointSliceManager = "clusterset-controller.networking.fleet.azure.com"
}

/// Annotations of the MCS API, and ours on MCS objects.
public enum MCSAnnotations {
    /// On a ServiceImport: the name of its derived ClusterIP Service (mcs-api's controller writes
    /// the same annotation).
    public static let derivedService = "multicluster.kubernetes.io/derived-service"
    /// On a ServiceImport we manage: the exporting clusters' service `<namespace>/<name>` on the
    /// hub. Only ServiceImports carrying it are ever updated or deleted by our controllers.
    public static let importedFrom = "networking.fleet.azure.com/imported-from-fleet"
}

/// Conditions of a `multicluster.x-k8s.io` ServiceExport (KEP-1645 §Conditions).
public enum MCSServiceExportConditions {
    public static let valid = "Valid"
    public static let ready = "Ready"
    public static let conflict = "Conflict"

    public enum Reason {
        // Valid
        public static let valid = "Valid"
        public static let noService = "NoService"
        public static let invalidServiceType = "InvalidServiceType"
        // Ready
        public static let exported = "Exported"
        public static let pending = "Pending"
        public static let failed = "Failed"
        // Conflict
        public static let noConflicts = "NoConflicts"
        public static let portConflict = "PortConflict"
        public static let typeConflict = "TypeConflict"
        public static let sessionAffinityConflict = "SessionAffinityConflict"
        public static let sessionAffinityConfigConflict = "SessionAffinityConfigConflict"
        public static let labelsConflict = "LabelsConflict"
        public static let annotationsConflict = "AnnotationsConflict"
        public static let internalTrafficPolicyConflict = "InternalTrafficPolicyConflict"
        public static let trafficDistributionConflict = "TrafficDistributionConflict"
        public static let ipFamilyConflict = "IPFamilyConflict"
        /// Ours: the service is exported through the other API (fleet `ServiceExport` vs. the
        /// MCS API) by an older export, in this cluster or another; see docs/api.md.
        public static let exportAPIConflict = "ExportAPIConflict"
    }
}

/// Conditions of a `multicluster.x-k8s.io` ServiceImport.
public enum MCSServiceImportConditions {
    public static let ready = "Ready"

    public enum Reason {
        public static let ready = "Ready"
        public static let pending = "Pending"
    }
}

/// `spec.type` of a ServiceImport.
public enum MCSServiceImportType {
    public static let clusterSetIP = "ClusterSetIP"
    public static let headless = "Headless"
}

/// Reasons of the Events the member agent records about `multicluster.x-k8s.io` ServiceImports.
public enum MCSServiceImportEvents {
    /// Warning: a ServiceImport the fleet would write exists without our annotation (someone
    /// else's); it is left alone and the import waits.
    public static let notManaged = "ServiceImportNotManaged"
    /// Warning: the derived Service's name is taken by a Service the import does not own.
    public static let derivedServiceNameTaken = "DerivedServiceNameTaken"
}
