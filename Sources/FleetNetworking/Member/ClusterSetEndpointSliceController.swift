import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/clusterset-endpointslice (ours), hub side: gives every `multicluster.x-k8s.io`
// ServiceImport this controller's agent manages an EndpointSlice per imported slice, in the
// import's namespace, named like the EndpointSliceImport it copies (unique fleet-wide):
//   - labels `multicluster.kubernetes.io/service-name` (the import), `…/source-cluster` (the
//     exporting cluster, as the hub identified it), `endpointslice.kubernetes.io/managed-by`
//     ours, and for a ClusterSetIP import `kubernetes.io/service-name` = the derived Service, so
//     that kube-proxy serves the ClusterSetIP over them;
//   - one source cluster per slice; address type, ports (only those the exporter serves, as the
//     hub filtered them), addresses, conditions, hostnames and zones as exported;
//   - owner reference to the ServiceImport (not a controller reference, as in KEP-1645's example),
//     so the slices go with the import.
// Keyed by the EndpointSliceImport; no finalizer on the hub object: a slice whose
// EndpointSliceImport is gone is found by name (an index of our slices) and deleted from the watch
// event, and on start-up from the initial lists. Imported slices are watched, so one edited or
// deleted by someone else is repaired.

struct ClusterSetEndpointSliceReconciler: Reconciler {
    let context: MemberAgentContext
    let sliceImports: InformerStore<EndpointSliceImport>
    let imports: InformerStore<MCSServiceImport>
    let slices: InformerStore<EndpointSlice>

    static let name = "member-clusterset-endpointslice"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let hubNamespace = context.hubNamespace
        let sliceImports = MemberIndexes.endpointSliceImports(
            context.hubInformers.informer(for: EndpointSliceImport.self, namespace: hubNamespace).store)
        let reconciler = ClusterSetEndpointSliceReconciler(
            context: context, sliceImports: sliceImports,
            imports: context.memberInformers.informer(for: MCSServiceImport.self).store,
            // The agent's cluster-wide EndpointSlice cache, shared with the exporting controllers.
            slices: MemberIndexes.clusterSetSlices(context.memberInformers.informer(for: EndpointSlice.self).store))
        let controller = ControllerBuilder(name: name)
            .for(EndpointSliceImport.self, in: context.hubInformers, namespace: hubNamespace)
            .watches(MCSServiceImport.self, in: context.memberInformers) { serviceImport in
                sliceImports.byIndex(MemberIndexes.importsByService, value: ObjectKey(serviceImport).description).map { ObjectKey($0) }
            }
            .watches(EndpointSlice.self, in: context.memberInformers) { slice in
                guard slice.metadata.labels?[FleetLabels.endpointSliceManagedBy] == MCSLabels.endpointSliceManager else { return [] }
                return [ObjectKey(namespace: hubNamespace, name: slice.metadata.name ?? "")]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let existing = slices.byIndex(MemberIndexes.clusterSetSlicesByName, value: key.name)
        guard let sliceImport = sliceImports.get(key), !sliceImport.metadata.isDeleting,
            let serviceImport = importing(sliceImport.spec.ownerServiceReference)
        else {
            for slice in existing { try await remove(slice) }
            return .done
        }
        let namespace = serviceImport.metadata.namespace ?? ""
        for slice in existing where slice.metadata.namespace != namespace { try await remove(slice) }

        let desired = desiredSlice(of: sliceImport, for: serviceImport, name: key.name)
        let api = context.member.api(EndpointSlice.self, namespace: namespace)
        guard var current = existing.first(where: { $0.metadata.namespace == namespace }) else {
            // Imported slices are watched: the new slice's event brings this key back.
            try await api.createUnlessPresent(desired)
            return .done
        }
        if current.metadata.isDeleting { return .done }  // its deletion event brings this key back
        if current.addressType != desired.addressType {
            // Immutable: replace the slice (its deletion event brings this key back).
            try await remove(current)
            return .done
        }
        if current.metadata.labels != desired.metadata.labels || current.metadata.ownerReferences != desired.metadata.ownerReferences
            || current.endpoints != desired.endpoints || current.ports != desired.ports
        {
            current.metadata.labels = desired.metadata.labels
            current.metadata.ownerReferences = desired.metadata.ownerReferences
            current.endpoints = desired.endpoints
            current.ports = desired.ports
            _ = try await api.replace(current)
        }
        return .done
    }

    /// The ServiceImport fleet networking manages for `service` here, if it exists.
    private func importing(_ service: OwnerServiceReference) -> MCSServiceImport? {
        guard let serviceImport = imports.get(namespace: service.namespace, name: service.name), !serviceImport.metadata.isDeleting,
            serviceImport.metadata.annotations?[MCSAnnotations.importedFrom] != nil
        else { return nil }
        return serviceImport
    }

    private func desiredSlice(of sliceImport: EndpointSliceImport, for serviceImport: MCSServiceImport, name: String) -> EndpointSlice {
        let spec = sliceImport.spec
        var labels = [
            MCSLabels.serviceName: serviceImport.metadata.name ?? "",
            MCSLabels.sourceCluster: spec.endpointSliceReference.clusterId,
            FleetLabels.endpointSliceManagedBy: MCSLabels.endpointSliceManager,
        ]
        if let derived = serviceImport.metadata.annotations?[MCSAnnotations.derivedService],
            serviceImport.spec.type == MCSServiceImportType.clusterSetIP
        {
            labels[FleetLabels.serviceName] = derived
        }
        return EndpointSlice(
            metadata: ObjectMeta(
                name: name, namespace: serviceImport.metadata.namespace, labels: labels,
                ownerReferences: [OwnerReference(owner: serviceImport, isController: false, blocksOwnerDeletion: false)]),
            addressType: spec.addressType,
            endpoints: spec.endpoints.map {
                Endpoint(addresses: $0.addresses, conditions: $0.conditions, hostname: $0.hostname, zone: $0.zone)
            },
            ports: spec.ports)
    }

    private func remove(_ slice: EndpointSlice) async throws {
        guard !slice.metadata.isDeleting else { return }
        try await context.member.api(EndpointSlice.self, namespace: slice.metadata.namespace ?? "")
            .deleteIgnoringNotFound(slice.metadata.name ?? "", uid: slice.metadata.uid)
    }
}
