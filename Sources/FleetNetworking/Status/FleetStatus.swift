import FleetAPI
import KubeClient
import KubeModel
import KubeRuntime

// `fleetnet status`: one table of the fleet, read from the hub (and the importing members) the way
// an operator would look: each exported service, the API governing it (`fleet` for
// networking.fleet.azure.com ServiceExports, `mcs` for multicluster.x-k8s.io ones), the clusters
// exporting it, conflicts with their reasons, the clusters importing it (the MultiClusterService's
// claimer, or every member holding a multicluster.x-k8s.io ServiceImport), exported endpoints per
// cluster, and the load-balancer IP of the importer's MultiClusterService. Works against a local
// fleet or real clusters.

public struct FleetStatus: Sendable {
    public struct Row: Sendable, Hashable {
        /// `<namespace>/<name>`.
        public var service: String
        /// `fleet` or `mcs`: the API of the service's oldest export, whose rules govern it.
        public var api: String
        public var exportedBy: [String]
        /// Exporting clusters in conflict, with the condition's reason.
        public var conflicts: [String: String]
        public var importedBy: [String]
        /// Exported endpoints (addresses) per cluster.
        public var endpoints: [String: Int]
        public var externalIP: String?
    }

    public var rows: [Row]

    /// Reads the fleet: `hub`, and `members` by cluster name (the importers' MCS are read there).
    public static func gather(hub: KubeClient, members: [String: KubeClient]) async throws -> FleetStatus {
        let imports = try await hub.api(ServiceImport.self).list().items
        let exports = try await hub.api(InternalServiceExport.self).list().items
        let slices = try await hub.api(EndpointSliceExport.self).list().items
        var keys = Set(imports.map(\.namespacedName))
        for export in exports {
            if let reference = export.spec?.serviceReference { keys.insert(reference.namespacedName) }
        }
        var rows: [Row] = []
        for key in keys.sorted() {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let serviceImport = imports.first { $0.namespacedName == key }
            var row = Row(service: key, api: "fleet", exportedBy: [], conflicts: [:], importedBy: [], endpoints: [:], externalIP: nil)
            var candidates: [ServiceExportCandidate] = []
            for export in exports where export.spec?.serviceReference.namespacedName == key {
                let cluster = FleetNamespaces.memberCluster(ofNamespace: export.metadata.namespace ?? "") ?? "?"
                row.exportedBy.append(cluster)
                if !export.metadata.isDeleting { candidates.append(ServiceExportCandidate(export: export, cluster: cluster)) }
                if let conflict = export.status?.conditions?.condition(ofType: ServiceExportConditions.conflict),
                    conflict.status != ConditionStatus.false
                {
                    row.conflicts[cluster] = conflict.reason
                }
            }
            row.exportedBy.sort()
            for slice in slices where slice.spec.ownerServiceReference.namespacedName == key {
                let cluster = FleetNamespaces.memberCluster(ofNamespace: slice.metadata.namespace ?? "") ?? "?"
                row.endpoints[cluster, default: 0] += slice.spec.endpoints.reduce(0) { $0 + $1.addresses.count }
            }
            if let annotation = serviceImport?.metadata.annotations?[FleetAnnotations.serviceInUseBy],
                let inUse = try? JSONValue(parsing: Array(annotation.utf8)).decode(as: ServiceInUseBy.self)
            {
                row.importedBy = inUse.memberClusters.values.sorted()
            }
            if ServiceResolution(candidates, served: [], service: ObjectKey(namespace: parts[0], name: parts[1])).isClusterSet {
                row.api = "mcs"
                for (member, client) in members.sorted(by: { $0.key < $1.key }) {
                    let imported = try? await client.api(MCSServiceImport.self, namespace: parts[0]).get(parts[1])
                    if imported != nil, !row.importedBy.contains(member) { row.importedBy.append(member) }
                }
                row.importedBy.sort()
            }
            for importer in row.importedBy {
                guard let client = members[importer] else { continue }
                let services = try? await client.api(MultiClusterService.self, namespace: parts[0]).list().items
                let mcs = services?.first { $0.spec.serviceImport?.name == parts[1] }
                row.externalIP = mcs?.status?.loadBalancer?.ingress?.first?.ip ?? row.externalIP
            }
            rows.append(row)
        }
        return FleetStatus(rows: rows)
    }

    /// The table, as kubectl prints tables.
    public func table() -> String {
        let header = ["SERVICE", "API", "EXPORTED-BY", "CONFLICTS", "IMPORTED-BY", "ENDPOINTS", "EXTERNAL-IP"]
        let lines = rows.map { row -> [String] in
            [
                row.service,
                row.api,
                row.exportedBy.isEmpty ? "<none>" : row.exportedBy.joined(separator: ","),
                row.conflicts.isEmpty ? "<none>" : row.conflicts.keys.sorted().map { "\($0)(\(row.conflicts[$0]!))" }.joined(separator: ","),
                row.importedBy.isEmpty ? "<none>" : row.importedBy.joined(separator: ","),
                row.endpoints.isEmpty ? "0" : row.endpoints.keys.sorted().map { "\($0)=\(row.endpoints[$0]!)" }.joined(separator: ","),
                row.externalIP ?? "<none>",
            ]
        }
        let all = [header] + lines
        let widths = (0..<header.count).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
