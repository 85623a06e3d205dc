// Annotations written or read by the fleet networking controllers (reference-api §6.4).

public enum FleetAnnotations {
    /// On a ServiceExport: the export's weight, an integer in [0, 1000]; absent means 1.
    public static let weight = "networking.fleet.azure.com/weight"
    /// On a MultiClusterService: `true` asks for an internal load balancer for the derived Service.
    public static let azureLoadBalancerInternalMCS = "networking.fleet.azure.com/azure-load-balancer-internal"
    /// On a hub ServiceImport: JSON `{"MemberClusters":{...}}` naming the clusters importing it.
    public static let serviceInUseBy = "networking.fleet.azure.com/service-in-use-by"
    /// On a member EndpointSlice: its fleet-wide unique name (the EndpointSliceExport's name).
    public static let fleetUniqueName = "networking.fleet.azure.com/fleet-unique-name"
    /// Export-latency bookkeeping on member EndpointSlices.
    public static let lastSeenGeneration = "networking.fleet.azure.com/last-seen-generation"
    /// Export-latency bookkeeping on member EndpointSlices and ServiceExports (RFC 3339).
    public static let lastSeenTimestamp = "networking.fleet.azure.com/last-seen-timestamp"
    /// Export-latency bookkeeping on member ServiceExports.
    public static let lastSeenResourceVersion = "networking.fleet.azure.com/last-seen-resource-version"
    /// Import-latency bookkeeping on hub EndpointSliceImports.
    public static let lastObservedGeneration = "networking.fleet.azure.com/last-observed-generation"
    /// Export-latency bookkeeping on hub InternalServiceExports.
    public static let lastObservedResourceVersion = "networking.fleet.azure.com/last-observed-resource-version"
    /// On Services: Azure internal load balancer (`"true"`), read on exports and written on derived Services.
    public static let azureLoadBalancerInternal = "service.beta.kubernetes.io/azure-load-balancer-internal"
    /// On Services: the resource group of the load balancer's public IP.
    public static let azureLoadBalancerResourceGroup = "service.beta.kubernetes.io/azure-load-balancer-resource-group"
    /// On a hub MemberCluster (ours, set by the fleet admin): the member's pod CIDRs, comma
    /// separated (`10.1.0.0/16,fd00:1::/64`). Where declared, the hub accepts only endpoints inside
    /// these and `extraEndpointCIDRs` from that member; elsewhere any endpoint is accepted.
    public static let podCIDRs = "networking.fleet.azure.com/pod-cidrs"
    /// On a hub MemberCluster (ours): more CIDRs the member's endpoints may use besides its pods',
    /// e.g. the VMs behind services without selectors. Only read where `podCIDRs` is declared.
    public static let extraEndpointCIDRs = "networking.fleet.azure.com/extra-endpoint-cidrs"
    /// On Services: the DNS label of the load balancer's public IP.
    public static let azureDNSLabelName = "service.beta.kubernetes.io/azure-dns-label-name"
}
