import ARMServer
import FleetAPI
import KubeModel
import KubeRuntime
import Synchronization

// The Azure half of the local LoadBalancer provider: as the Azure cloud provider creates a public
// IP resource for each external LoadBalancer Service (named `kubernetes-a<uid>` in the node
// resource group, with the DNS label of `service.beta.kubernetes.io/azure-dns-label-name`), the
// local provider registers one in the local ARM server for every address it hands out, and
// removes it when the Service no longer holds the address. Internal load balancers get none.

/// The public IPs of one member's load balancers.
public final class LocalPublicIPs: Sendable {
    private let store: ARMStore
    private let subscription: String
    private let group: String
    private let location: String
    /// The public IP name registered for each Service.
    private let names = Mutex<[ObjectKey: String]>([:])

    init(store: ARMStore, subscription: String, group: String, location: String) {
        self.store = store
        self.subscription = subscription
        self.group = group
        self.location = location
    }

    /// `service` holds `ip`: its public IP exists with the DNS label it asks for.
    func assign(_ key: ObjectKey, service: Service, ip: String) {
        guard service.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] != "true" else {
            release(key)
            return
        }
        let name = "kubernetes-a" + (service.metadata.uid ?? "\(key.namespace)-\(key.name)").replacingOccurrences(of: "-", with: "")
        let label = service.metadata.annotations?[FleetAnnotations.azureDNSLabelName].flatMap { $0.isEmpty ? nil : $0 }
        let previous = names.withLock { names in
            defer { names[key] = name }
            return names[key]
        }
        if let previous, previous != name { store.deletePublicIP(previous, group: group, subscription: subscription) }
        let desired = ARMStore.PublicIP(name: name, ipAddress: ip, dnsLabel: label, location: location)
        if store.publicIP(withID: ARMStore.publicIPID(subscription: subscription, group: group, name: name)) != desired {
            store.putPublicIP(desired, group: group, subscription: subscription)
        }
    }

    /// `key` holds no address any more.
    func release(_ key: ObjectKey) {
        guard let name = names.withLock({ $0.removeValue(forKey: key) }) else { return }
        store.deletePublicIP(name, group: group, subscription: subscription)
    }
}
