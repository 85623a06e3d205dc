import AzureClient
import FleetAPI
import Foundation
import KubeModel
import Logging
import Synchronization

// The member side of the Traffic Manager feature (traffic-manager spec §5): the Azure public IP
// resource behind an exported LoadBalancer Service, which member/serviceexport reports in the
// InternalServiceExport (`publicIPResourceID`, `isDNSLabelConfigured`) for the hub's
// TrafficManagerBackend controller to use as an endpoint's target.
//
// As the reference: only external LoadBalancer Services with an ingress IP; the resource group is
// the Service's `azure-load-balancer-resource-group` annotation or the cloud config's; all public
// IPs of the group are listed (every page) and the first with the ingress IP is taken. Unlike the
// reference, an answer is remembered per Service, ingress IP, resource group and DNS-label
// annotation (a ServiceExport is reconciled again on every hub verdict; the public IP of an
// address does not change while the address is held), and an address with no public IP yet is
// looked up again later instead of never (the reference waits for the Service to change).

/// Finds the Azure public IP resource of a LoadBalancer Service.
public final class PublicIPLookup: Sendable {
    /// What the export reports about its public IP.
    public struct Result: Sendable, Hashable {
        public var resourceID: String
        public var isDNSLabelConfigured: Bool
    }

    public enum Outcome: Sendable, Hashable {
        /// Not an external LoadBalancer with an ingress IP: no public IP to report.
        case notApplicable
        /// No public IP of the resource group has the ingress IP (yet).
        case notFound(ip: String, group: String)
        case found(Result)
    }

    /// The annotation asks for a DNS label the public IP does not have yet: the cloud provider is
    /// adding it. Retried with backoff.
    public struct DNSLabelPending: Error, CustomStringConvertible {
        public let resourceID: String
        public var description: String { "in the process of adding DNS to the public ip address \(resourceID)" }
    }

    private struct CacheKey: Hashable {
        var ip: String
        var group: String
        var dnsLabelAnnotation: String?
    }

    public let subscription: String
    /// The cloud config's `resourceGroup` (on AKS the node resource group).
    public let defaultResourceGroup: String
    private let arm: ARMConnection
    /// Per Service (UID): the last answer and what it was for.
    private let cache = Mutex<[String: (key: CacheKey, result: Result)]>([:])

    /// How long until an address without a public IP is looked up again.
    public let retryAfter: Duration

    public init(arm: ARMConnection, subscription: String, defaultResourceGroup: String, retryAfter: Duration = .seconds(30)) {
        self.arm = arm
        self.retryAfter = retryAfter
        self.subscription = subscription
        self.defaultResourceGroup = defaultResourceGroup
    }

    /// The public IP of `service`, from the cache or by listing the resource group's public IPs.
    /// Throws the ARM error of the list, or `DNSLabelPending`.
    public func lookUp(_ service: Service) async throws -> Outcome {
        guard service.spec?.type == "LoadBalancer",
            service.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] != "true",
            let ip = service.status?.loadBalancer?.ingress?.first?.ip, !ip.isEmpty
        else { return .notApplicable }
        let annotations = service.metadata.annotations ?? [:]
        let annotatedGroup = annotations[FleetAnnotations.azureLoadBalancerResourceGroup]?.trimmingCharacters(in: .whitespaces) ?? ""
        let group = annotatedGroup.isEmpty ? defaultResourceGroup : annotatedGroup
        let serviceID = service.metadata.uid ?? "\(service.metadata.namespace ?? "")/\(service.metadata.name ?? "")"
        let key = CacheKey(ip: ip, group: group, dnsLabelAnnotation: annotations[FleetAnnotations.azureDNSLabelName])
        if let cached = cache.withLock({ $0[serviceID] }), cached.key == key { return .found(cached.result) }

        let items = try await arm.client().listPublicIPs(subscription: subscription, group: group)
        guard let match = items.first(where: { $0.objectValue?["properties"]?.objectValue?["ipAddress"]?.stringValue == ip }),
            let id = match.objectValue?["id"]?.stringValue
        else { return .notFound(ip: ip, group: group) }
        let label = match.objectValue?["properties"]?.objectValue?["dnsSettings"]?.objectValue?["domainNameLabel"]?.stringValue
        var result = Result(resourceID: id, isDNSLabelConfigured: !(label ?? "").isEmpty)
        switch key.dnsLabelAnnotation {
        case nil: break
        case ""?:
            // The cloud provider removes the label.
            result.isDNSLabelConfigured = false
        case _?:
            guard result.isDNSLabelConfigured else { throw DNSLabelPending(resourceID: id) }
        }
        cache.withLock { $0[serviceID] = (key, result) }
        return .found(result)
    }

    /// Forgets what is remembered about a Service (it was deleted or unexported).
    public func forget(serviceUID uid: String) {
        _ = cache.withLock { $0.removeValue(forKey: uid) }
    }

    public static let userAgent = "fleet-member-net-controller-manager"

    /// member-net's lookup (`--enable-traffic-manager-feature`, `--cloud-config`; see
    /// TrafficManagerFeature).
    public static func make(enabled: Bool, cloudConfigPath: String, logger: Logger) throws -> PublicIPLookup? {
        guard
            let cloud = try TrafficManagerFeature.cloudConfig(
                enabled: enabled, path: cloudConfigPath, off: "public IP lookups for Traffic Manager off", logger: logger)
        else { return nil }
        logger.info("public IP lookups for Traffic Manager on: subscription \(cloud.subscriptionID), resource group \(cloud.resourceGroup)")
        return PublicIPLookup(
            arm: ARMConnection(cloud: cloud, userAgent: userAgent, logger: logger), subscription: cloud.subscriptionID,
            defaultResourceGroup: cloud.resourceGroup)
    }
}
