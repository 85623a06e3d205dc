import FleetAPI
import KubeClient
import KubeModel

// The fleet's networking state, object by object, without what differs between two runs that
// reached the same state by different paths: identities and versions (uid, resourceVersion,
// generation), times (creation, transitions, exportedSince), allocated cluster IPs, and the
// latency bookkeeping annotations. Two runs of one scenario — one with faults, one without —
// must give equal snapshots.

struct FleetSnapshot: Equatable, Sendable {
    /// Normalized JSON of every object, by `<cluster>/<kind>/<namespace>/<name>`.
    var objects: [String: String]

    static func take(_ fleet: FleetTestbed) async throws -> FleetSnapshot {
        var objects: [String: String] = [:]
        func add<K: Resource>(_ cluster: FleetTestbed.Cluster, _ kind: K.Type, skippingNamespace: String? = nil) async throws {
            for object in try await cluster.client.api(K.self).list().items {
                let namespace = object.metadata.namespace ?? ""
                if namespace == skippingNamespace { continue }
                let normalized = normalize(try JSONValue(encoding: object))
                objects["\(cluster.name)/\(K.kind)/\(namespace)/\(object.metadata.name ?? "")"] =
                    String(decoding: normalized.serialized(sortedKeys: true), as: UTF8.self)
            }
        }
        for member in fleet.members {
            try await add(member, Service.self, skippingNamespace: "default")
            try await add(member, EndpointSlice.self, skippingNamespace: "default")
            try await add(member, ServiceExport.self)
            try await add(member, ServiceImport.self)
            try await add(member, MultiClusterService.self)
        }
        try await add(fleet.hub, ServiceImport.self)
        try await add(fleet.hub, InternalServiceExport.self)
        try await add(fleet.hub, InternalServiceImport.self)
        try await add(fleet.hub, EndpointSliceExport.self)
        try await add(fleet.hub, EndpointSliceImport.self)
        return FleetSnapshot(objects: objects)
    }

    /// What differs from `other`, one line per object (missing, extra, or both texts).
    func differences(from other: FleetSnapshot) -> [String] {
        Set(objects.keys).union(other.objects.keys).sorted().compactMap { key in
            switch (objects[key], other.objects[key]) {
            case (let mine?, let theirs?) where mine != theirs: "\(key):\n  \(mine)\n  \(theirs)"
            case (nil, .some): "\(key): only in the other"
            case (.some, nil): "\(key): only here"
            default: nil
            }
        }
    }

    static let droppedKeys: Set<String> = [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "lastTransitionTime",
        "observedGeneration", "exportedSince", "serviceExportCreationTimestamp", "clusterIP", "clusterIPs",
    ]

    static func normalize(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let fields):
            var kept: [String: JSONValue] = [:]
            for (key, field) in fields where !droppedKeys.contains(key) {
                if key == "annotations", case .object(let annotations) = field {
                    let stable = annotations.filter { !$0.key.hasPrefix("networking.fleet.azure.com/last-") }
                    if !stable.isEmpty { kept[key] = .object(stable) }
                    continue
                }
                kept[key] = normalize(field)
            }
            return .object(kept)
        case .array(let items):
            return .array(items.map(normalize))
        default:
            return value
        }
    }
}
