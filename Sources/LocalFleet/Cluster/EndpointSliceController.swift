import FleetAPI
import FleetNetworking
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// kube-controller-manager's EndpointSlice controller for the local fleet: every Service with a
// selector gets one EndpointSlice (per IPv4, the only family on loopback) listing the selected
// Pods that have an IP, with ready/serving/terminating conditions, the hostname of Pods whose
// `subdomain` is the Service (StatefulSets), and the Service's ports
// resolved against the Pods' container ports. Labels as the real controller's; the slice is
// controlled by the Service. Written only when it changes.

struct EndpointSliceReconciler: Reconciler {
    static let managedBy = "endpointslice-controller.k8s.io"

    let services: InformerStore<Service>
    let pods: InformerStore<Pod>
    let slices: InformerStore<EndpointSlice>
    let client: KubeClient

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let service = services.get(key), !service.metadata.isDeleting, let spec = service.spec,
            let selector = spec.selector, !selector.isEmpty, spec.type != "ExternalName", let uid = service.metadata.uid
        else { return .done }
        let selected = pods.list(namespace: key.namespace)
            .filter { pod in selector.allSatisfy { pod.metadata.labels?[$0.key] == $0.value } && pod.status?.podIP != nil }
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        let endpoints = selected.map { pod -> Endpoint in
            let ready = pod.isReady && !pod.metadata.isDeleting
            // A Pod whose subdomain is this Service is reachable by its hostname (StatefulSets).
            let hostname = pod.spec?.subdomain == key.name ? pod.spec?.hostname : nil
            return Endpoint(
                addresses: [pod.status?.podIP ?? ""],
                conditions: EndpointConditions(ready: ready, serving: pod.isReady, terminating: pod.metadata.isDeleting),
                hostname: hostname,
                targetRef: ObjectReference(kind: "Pod", namespace: key.namespace, name: pod.metadata.name, uid: pod.metadata.uid))
        }
        let ports = (spec.ports ?? []).map { port in
            EndpointPort(
                name: port.name ?? "", protocol: port.protocol ?? "TCP",
                port: Self.targetPort(port, in: selected), appProtocol: port.appProtocol)
        }
        let name = "\(key.name)-\(DerivedNames.hexHash(uid).prefix(5))"
        let labels = [FleetLabels.serviceName: key.name, FleetLabels.endpointSliceManagedBy: Self.managedBy]
        let api = client.api(EndpointSlice.self, namespace: key.namespace)
        guard var slice = slices.get(namespace: key.namespace, name: name) else {
            _ = try await api.create(
                EndpointSlice(
                    metadata: ObjectMeta(
                        name: name, namespace: key.namespace, labels: labels,
                        ownerReferences: [OwnerReference(owner: service, isController: true, blocksOwnerDeletion: true)]),
                    addressType: "IPv4", endpoints: endpoints, ports: ports))
            return .done
        }
        if slice.endpoints == endpoints, slice.ports ?? [] == ports, slice.metadata.labels ?? [:] == labels {
            return .done
        }
        slice.endpoints = endpoints
        slice.ports = ports
        slice.metadata.labels = labels
        _ = try await api.replace(slice)
        return .done
    }

    /// The port the Pods serve a Service port on: a number, or a named container port.
    static func targetPort(_ port: ServicePort, in pods: [Pod]) -> Int32 {
        switch port.targetPort {
        case .none: return port.port
        case .some(let target):
            if let number = target.intValue { return number }
            let name = target.stringValue
            for pod in pods {
                for container in pod.spec?.containers ?? [] {
                    if let match = container.ports?.first(where: { $0.name == name }) { return match.containerPort }
                }
            }
            return port.port
        }
    }
}

enum EndpointSliceController {
    static func make(logger: Logger, client: KubeClient, informers: SharedInformers) -> Controller<EndpointSliceReconciler> {
        let services = informers.informer(for: Service.self).store
        return ControllerBuilder(name: "endpointslice")
            .logger(logger)
            .for(Service.self, in: informers)
            .owns(EndpointSlice.self, in: informers)
            .watches(Pod.self, in: informers) { pod in
                let namespace = pod.metadata.namespace ?? ""
                return services.list(namespace: namespace).compactMap { service in
                    guard let selector = service.spec?.selector, !selector.isEmpty,
                        selector.allSatisfy({ pod.metadata.labels?[$0.key] == $0.value })
                    else { return nil }
                    return ObjectKey(service)
                }
            }
            .workers(2)
            .build(reconciler: EndpointSliceReconciler(
                services: services, pods: informers.informer(for: Pod.self).store,
                slices: informers.informer(for: EndpointSlice.self).store, client: client))
    }
}
