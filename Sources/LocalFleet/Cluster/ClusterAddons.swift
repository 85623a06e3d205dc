import ClusterDNS
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// What a real member cluster adds to its API server, for the local fleet: its one Node, the Deployment and
// StatefulSet controllers, a light kubelet running the built-in apps, the EndpointSlice
// controller, a light kube-proxy serving Service cluster IPs (TCP and UDP), the cluster DNS
// (`cluster.local` and `clusterset.local`), and a LoadBalancer provider with real TCP proxies. They talk to the member's API server through the
// client like any controller, so fleet networking sees an ordinary cluster.

/// The cluster add-ons of member `index` (1-based): pods in 127.<10+index>.0.0/16, Service cluster
/// IPs (served by the light kube-proxy) in 127.<100+index>.0.0/16, LoadBalancer IPs in
/// 127.<200+index>.0.0/16.
public final class ClusterAddons: Sendable {
    public let clusterName: String
    public let podAddresses: AddressPool
    public let loadBalancerAddresses: AddressPool
    /// The first two octets and a dot of the member's Service range, e.g. `127.101.`.
    public let serviceRangePrefix: String
    private let client: KubeClient
    private let logger: Logger
    /// This cluster's owner names in the process-wide address pools.
    private let ownerPrefix = "\(UUID().uuidString.prefix(8))"
    private let dns = DNSAddress()
    /// The public IPs the LoadBalancer provider registers in the local Azure, when it runs.
    private let publicIPs: LocalPublicIPs?
    /// The member's pod range, the podCIDR of its node.
    private let podCIDR: String

    public init(clusterName: String, index: Int, client: KubeClient, publicIPs: LocalPublicIPs? = nil, logger: Logger) {
        self.publicIPs = publicIPs
        precondition((1...45).contains(index), "member index \(index) is outside the local fleet's address plan")
        self.clusterName = clusterName
        self.podAddresses = AddressPool.shared(prefix: "127.\(10 + index)")
        self.loadBalancerAddresses = AddressPool.shared(prefix: "127.\(200 + index)")
        self.serviceRangePrefix = "127.\(100 + index)."
        self.podCIDR = LocalClusters.podCIDR(member: index)

        self.client = client
        self.logger = logger
    }

    /// The member's cluster DNS, `IP:port`, once it listens (fails if it could not start).
    public func dnsAddress() async throws -> String {
        try await dns.value()
    }

    /// Runs until cancelled; then stops every app server, proxy and the DNS server it started.
    public func run() async {
        let informers = SharedInformers(client: client, logger: logger)
        let records = ClusterDNSRecords(
            services: informers.informer(for: Service.self).store, slices: informers.informer(for: EndpointSlice.self).store,
            imports: informers.informer(for: MCSServiceImport.self).store)
        var dnsServer: DNSServer?
        do {
            let ip = try await MemberDNS.ensureService(client: client, preferredIP: serviceRangePrefix + "0.10")
            let server = try await MemberDNS.start(on: ip, records: records, logger: logger)
            dnsServer = server
            dns.set(.success("\(ip):\(server.port)"))
        } catch {
            logger.error("the cluster DNS of \(clusterName) did not start: \(error)")
            dns.set(.failure(error))
        }
        let runtime = PodRuntime()
        let balancers = LoadBalancers()
        let proxies = ServiceProxies()
        let controllers: [@Sendable () async -> Void] = [
            { await informers.run() },
            {
                await NodeController.run(
                    logger: self.logger, client: self.client, informers: informers,
                    node: NodeReconciler.node(named: self.clusterName, podCIDR: self.podCIDR))
            },
            {
                await DeploymentController.make(logger: self.logger, client: self.client, informers: informers, nodeName: self.clusterName)
                    .run()
            },
            {
                await StatefulSetController.make(logger: self.logger, client: self.client, informers: informers, nodeName: self.clusterName)
                    .run()
            },
            {
                await LightKubelet.make(
                    logger: self.logger,
                    clusterName: self.clusterName, ownerPrefix: self.ownerPrefix, client: self.client, informers: informers,
                    addresses: self.podAddresses, runtime: runtime
                ).run()
            },
            { await EndpointSliceController.make(logger: self.logger, client: self.client, informers: informers).run() },
            {
                await LoadBalancerController.make(
                    logger: self.logger, ownerPrefix: self.ownerPrefix,
                    client: self.client, informers: informers, addresses: self.loadBalancerAddresses,
                    balancers: balancers, publicIPs: self.publicIPs
                ).run()
            },
            {
                await ServiceProxyController.make(
                    logger: self.logger, informers: informers, serviceRangePrefix: self.serviceRangePrefix, proxies: proxies
                ).run()
            },
        ]
        await withTaskGroup(of: Void.self) { tasks in
            for controller in controllers { tasks.addTask { await controller() } }
            await tasks.waitForAll()
        }
        await runtime.stopAll()
        await balancers.stopAll()
        await proxies.stopAll()
        await dnsServer?.stop()
    }
}
