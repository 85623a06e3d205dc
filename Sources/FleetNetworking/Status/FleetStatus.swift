import FleetAPI
import KubeClient
import KubeModel
import KubeRuntime

// `fleetnet status`: one table of the fleet, read from the hub (and the importing members) the way
// an operator would look: each exported service, the API governing it (`fleet` for
// networking.fleet.azure.com ServiceExports, `mcs` for multicluster.x-k8s.io ones), the clusters
// exporting it, conflicts with their reasons, the clusters importing it (the MultiClusterService's
// claimer, or every member holding a multicluster.x-k8s.io ServiceImport), exported endpoints per
// cluster (with how many the hub leaves out for lying outside the member's declared CIDRs), and
// the load-balancer IP of the importer's MultiClusterService; then each member's declared
// endpoint CIDRs, or that it declares none (the hub then accepts any endpoint from it). Works
// against a local fleet or real clusters.

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
        /// Exported endpoint addresses the hub leaves out (outside declared CIDRs), per cluster.
        public var rejected: [String: Int] = [:]
        public var externalIP: String?

        public init(
            service: String, api: String, exportedBy: [String], conflicts: [String: String], importedBy: [String],
            endpoints: [String: Int], rejected: [String: Int] = [:], externalIP: String?
        ) {
            self.service = service
            self.api = api
            self.exportedBy = exportedBy
            self.conflicts = conflicts
            self.importedBy = importedBy
            self.endpoints = endpoints
            self.rejected = rejected
            self.externalIP = externalIP
        }
    }

    /// A member and the endpoint CIDRs declared on its MemberCluster.
    public struct MemberRow: Sendable, Hashable {
        public var name: String
        public var declaration: EndpointCIDRDeclaration

        public init(name: String, declaration: EndpointCIDRDeclaration) {
            self.name = name
            self.declaration = declaration
        }
    }

    public var rows: [Row]
    public var members: [MemberRow]

    public init(rows: [Row], members: [MemberRow] = []) {
        self.rows = rows
        self.members = members
    }

    /// Reads the fleet: `hub`, and `members` by cluster name (the importers' MCS are read there).
    public static func gather(hub: KubeClient, members: [String: KubeClient]) async throws -> FleetStatus {
        let imports = try await hub.api(ServiceImport.self).list().items
        let exports = try await hub.api(InternalServiceExport.self).list().items
        let slices = try await hub.api(EndpointSliceExport.self).list().items
        let memberClusters = (try? await hub.api(MemberCluster.self).list().items) ?? []
        let declarations = Dictionary(
            memberClusters.map { ($0.metadata.name ?? "", EndpointCIDRDeclaration(of: $0)) }, uniquingKeysWith: { first, _ in first })
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
                let declaration = declarations[cluster] ?? .undeclared
                let rejected = slice.spec.endpoints.filter { !declaration.accepts($0) }.reduce(0) { $0 + $1.addresses.count }
                if rejected > 0 { row.rejected[cluster, default: 0] += rejected }
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
        let members = declarations.keys.sorted().map { MemberRow(name: $0, declaration: declarations[$0]!) }
        return FleetStatus(rows: rows, members: members)
    }

    /// The services table, then the members table, as kubectl prints tables.
    public func table() -> String {
        let header = ["SERVICE", "API", "EXPORTED-BY", "CONFLICTS", "IMPORTED-BY", "ENDPOINTS", "EXTERNAL-IP"]
        let lines = rows.map { row -> [String] in
            [
                row.service,
                row.api,
                row.exportedBy.isEmpty ? "<none>" : row.exportedBy.joined(separator: ","),
                row.conflicts.isEmpty ? "<none>" : row.conflicts.keys.sorted().map { "\($0)(\(row.conflicts[$0]!))" }.joined(separator: ","),
                row.importedBy.isEmpty ? "<none>" : row.importedBy.joined(separator: ","),
                row.endpoints.isEmpty
                    ? "0"
                    : row.endpoints.keys.sorted().map { cluster in
                        "\(cluster)=\(row.endpoints[cluster]!)" + (row.rejected[cluster].map { "(\($0) rejected)" } ?? "")
                    }.joined(separator: ","),
                row.externalIP ?? "<none>",
            ]
        }
        var text = rows.isEmpty ? "no exported services\n" : Self.render([header] + lines)
        if !members.isEmpty {
            let memberLines = members.map { member -> [String] in
                switch member.declaration {
                case .undeclared: [member.name, "<undeclared: every endpoint accepted>"]
                case .declared(let networks, let invalid):
                    [
                        member.name,
                        (networks.isEmpty ? "<none: no endpoint accepted>" : member.declaration.summary)
                            + (invalid.isEmpty ? "" : " (ignored, invalid: \(invalid.joined(separator: ",")))"),
                    ]
                }
            }
            text += "\n" + Self.render([["MEMBER", "ENDPOINT-CIDRS"]] + memberLines)
        }
        return text
    }

    private static func render(_ all: [[String]]) -> String {
        let columns = all.first?.count ?? 0
        let widths = (0..<columns).map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { cells in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
