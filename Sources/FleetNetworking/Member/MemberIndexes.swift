import FleetAPI
import KubeModel
import KubeRuntime

// The cache indexes the member agent's networking controllers look objects up by. Each is
// registered once per store (`ensureIndex`), whichever controller asks first.

enum MemberIndexes {
    /// Member EndpointSlices by `<namespace>/<kubernetes.io/service-name label>`.
    static let slicesByService = "fleet.member.endpointslice.byService"
    /// Hub EndpointSliceExports by `spec.endpointSliceReference.namespacedName`.
    static let exportsBySlice = "fleet.member.endpointsliceexport.bySlice"
    /// Hub EndpointSliceImports by `spec.ownerServiceReference.namespacedName`.
    static let importsByService = "fleet.member.endpointsliceimport.byService"
    /// Member MultiClusterServices by `<namespace>/<spec.serviceImport.name>`.
    static let multiClusterServicesByImport = "fleet.member.multiclusterservice.byServiceImport"
    /// Member MultiClusterServices by their `derived-service` label (a name in fleet-system).
    static let multiClusterServicesByDerivedService = "fleet.member.multiclusterservice.byDerivedService"

    /// Hub ClusterSetImports by `spec.service.namespacedName`.
    static let clusterSetImportsByService = "fleet.member.clustersetimport.byService"
    /// Member EndpointSlices imported for ServiceImports of the MCS API, by name.
    static let clusterSetSlicesByName = "fleet.member.endpointslice.clusterSetByName"

    static func clusterSetImports(_ store: InformerStore<ClusterSetImport>) -> InformerStore<ClusterSetImport> {
        store.ensureIndex(named: clusterSetImportsByService) { [$0.spec.service.namespacedName] }
    }

    static func clusterSetSlices(_ store: InformerStore<EndpointSlice>) -> InformerStore<EndpointSlice> {
        store.ensureIndex(named: clusterSetSlicesByName) { slice in
            guard slice.metadata.labels?[FleetLabels.endpointSliceManagedBy] == MCSLabels.endpointSliceManager else { return [] }
            return [slice.metadata.name ?? ""]
        }
    }

    static func slices(_ store: InformerStore<EndpointSlice>) -> InformerStore<EndpointSlice> {
        store.ensureIndex(named: slicesByService) { slice in
            guard let service = slice.metadata.labels?[FleetLabels.serviceName] else { return [] }
            return ["\(slice.metadata.namespace ?? "")/\(service)"]
        }
    }

    static func endpointSliceExports(_ store: InformerStore<EndpointSliceExport>) -> InformerStore<EndpointSliceExport> {
        store.ensureIndex(named: exportsBySlice) { [$0.spec.endpointSliceReference.namespacedName] }
    }

    static func endpointSliceImports(_ store: InformerStore<EndpointSliceImport>) -> InformerStore<EndpointSliceImport> {
        store.ensureIndex(named: importsByService) { [$0.spec.ownerServiceReference.namespacedName] }
    }

    static func multiClusterServices(_ store: InformerStore<MultiClusterService>) -> InformerStore<MultiClusterService> {
        store
            .ensureIndex(named: multiClusterServicesByImport) { service in
                guard let name = service.spec.serviceImport?.name else { return [] }
                return ["\(service.metadata.namespace ?? "")/\(name)"]
            }
            .ensureIndex(named: multiClusterServicesByDerivedService) { service in
                [service.metadata.labels?[FleetLabels.derivedService]].compactMap { $0 }
            }
    }
}
