import FleetAPI
import KubeModel

// The Azure endpoints a TrafficManagerBackend stands for (traffic-manager spec §4;
// reference-controllers §4.7): one per exporting cluster whose Service has a public IP with a
// DNS label, named `fleet-<backend uid>#<service import>#<cluster>`, weighted by
// `ceil(backend weight × export weight / Σ export weights of the valid clusters)`.

enum AzureEndpoints {
    static let type = "Microsoft.Network/trafficManagerProfiles/azureEndpoints"

    /// The prefix every endpoint of `backend` starts with (ownership, case-insensitive).
    static func prefix(of backend: TrafficManagerBackend) -> String { "fleet-\(backend.metadata.uid ?? "")#" }

    static func name(of backend: TrafficManagerBackend, cluster: String) -> String {
        "\(prefix(of: backend))\(backend.spec.backend.name)#\(cluster)"
    }

    static func isOwned(_ name: String, by backend: TrafficManagerBackend) -> Bool {
        name.lowercased().hasPrefix(prefix(of: backend).lowercased())
    }

    /// Why an exported Service cannot be a Traffic Manager endpoint (nil: it can).
    static func invalidity(of export: InternalServiceExportSpec) -> String? {
        let type = export.type ?? "ClusterIP"
        if type != "LoadBalancer" { return "unsupported service type \"\(type)\"" }
        if export.isInternalLoadBalancer == true { return "internal load balancer is not supported" }
        if (export.publicIPResourceID ?? "").isEmpty { return "in the processing of configuring public IP" }
        if export.isDNSLabelConfigured != true { return "DNS label is not configured to the public IP" }
        return nil
    }

    struct Desired: Equatable {
        var name: String
        var cluster: String
        var targetResourceID: String
        var weight: Int64
        var exportWeight: Int64

        var body: JSONValue {
            .object([
                "name": .string(name), "type": .string(AzureEndpoints.type),
                "properties": .object([
                    "targetResourceId": .string(targetResourceID), "endpointStatus": "Enabled", "weight": .int(weight),
                ]),
            ])
        }
    }

    /// The endpoints of the valid clusters, `(cluster, export)` in any order, with the weights
    /// split by export weight (nil counts as 1), rounded up.
    static func desired(for backend: TrafficManagerBackend, valid: [(cluster: String, export: InternalServiceExportSpec)]) -> [Desired] {
        let weight = backend.spec.weight ?? 1
        let total = valid.reduce(Int64(0)) { $0 + ($1.export.weight ?? 1) }
        guard total > 0 else { return [] }
        return valid.sorted { $0.cluster < $1.cluster }.map { entry in
            let exportWeight = entry.export.weight ?? 1
            let share = (weight * exportWeight + total - 1) / total
            return Desired(
                name: name(of: backend, cluster: entry.cluster), cluster: entry.cluster,
                targetResourceID: entry.export.publicIPResourceID ?? "", weight: share, exportWeight: exportWeight)
        }
    }

    /// Whether Azure's endpoint already is `desired` (type and target case-insensitive, weight,
    /// status).
    static func matches(_ current: JSONValue, _ desired: Desired) -> Bool {
        guard let object = current.objectValue, let properties = object["properties"]?.objectValue else { return false }
        return (object["type"]?.stringValue ?? "").lowercased() == type.lowercased()
            && (properties["targetResourceId"]?.stringValue ?? "").lowercased() == desired.targetResourceID.lowercased()
            && properties["weight"]?.intValue == desired.weight
            && (properties["endpointStatus"]?.stringValue ?? "Enabled") == "Enabled"
    }

    /// The status entry of an accepted endpoint, from Azure's answer.
    static func status(_ azure: JSONValue, desired: Desired) -> TrafficManagerEndpointStatus {
        let properties = azure.objectValue?["properties"]?.objectValue
        return TrafficManagerEndpointStatus(
            name: (azure.objectValue?["name"]?.stringValue ?? desired.name).lowercased(), resourceID: azure.objectValue?["id"]?.stringValue ?? "",
            weight: properties?["weight"]?.intValue, target: properties?["target"]?.stringValue,
            from: FromCluster(cluster: desired.cluster, weight: desired.exportWeight))
    }
}
