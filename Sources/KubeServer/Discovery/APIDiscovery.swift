import Foundation
import KubeModel

// The discovery documents of an API server, computed from the resources it serves: legacy
// discovery (`/api`, `/apis`, `/apis/<group>`, `/api/v1`, `/apis/<group>/<version>`) and
// aggregated discovery (`apidiscovery.k8s.io` APIGroupDiscoveryList for `/api` and `/apis`).
// Everything here is a pure function of the definitions; the server rebuilds an `APIDiscovery`
// whenever the set of served resources changes (e.g. a CRD becomes established).

/// Discovery documents for a fixed set of served resources.
public struct APIDiscovery: Sendable {
    /// One API group with its served versions, highest priority first.
    public struct Group: Sendable {
        public var name: String
        /// Served versions ordered by `KubeVersionPriority`; the first is the preferred version.
        public var versions: [String]
        public var preferredVersion: String { versions[0] }
    }

    public let definitions: [ResourceDefinition]
    /// Non-core groups, built-in groups first (in the order they first appear in the
    /// definitions), then custom resource groups by name, as a real server lists them.
    public let groups: [Group]

    public init(definitions: [ResourceDefinition]) {
        self.definitions = definitions
        var order: [String] = []
        var versionsByGroup: [String: [String]] = [:]
        var isBuiltinGroup: [String: Bool] = [:]
        for definition in definitions where !definition.group.isEmpty {
            if versionsByGroup[definition.group] == nil { order.append(definition.group) }
            if !(versionsByGroup[definition.group, default: []].contains(definition.version)) {
                versionsByGroup[definition.group, default: []].append(definition.version)
            }
            isBuiltinGroup[definition.group] = (isBuiltinGroup[definition.group] ?? false) || !definition.isCustomResource
        }
        let builtin = order.filter { isBuiltinGroup[$0] == true }
        let custom = order.filter { isBuiltinGroup[$0] != true }.sorted()
        groups = (builtin + custom).map { name in
            Group(name: name, versions: KubeVersionPriority.sorted(versionsByGroup[name] ?? []))
        }
    }

    // MARK: Legacy discovery

    /// `GET /api`: the `APIVersions` document. `serverAddress` is `host:port` as clients reach the server.
    public func coreAPIVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `GET /apis`: the `APIGroupList` document.
    public func groupList() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(legacyGroup))]
    }

    /// `GET /apis/<group>`: the `APIGroup` document, or `nil` when the group is not served (404).
    public func group(named name: String) -> JSONValue? {
        guard let group = groups.first(where: { $0.name == name }) else { return nil }
        var document = legacyGroup(group)
        document["kind"] = "APIGroup"
        document["apiVersion"] = "v1"
        return document
    }

    /// `GET /api/v1` (group `""`) or `GET /apis/<group>/<version>`: the `APIResourceList`, or `nil`
    /// when nothing is served at that group version (404).
    public func resourceList(group: String, version: String) -> JSONValue? {
        let served = servedDefinitions(group: group, version: version)
        guard !served.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for definition in served {
            var resource: JSONValue = [
                "name": .string(definition.plural),
                "singularName": .string(definition.singular),
                "namespaced": .bool(definition.isNamespaced),
                "kind": .string(definition.kind),
                "verbs": .array(definition.verbs.map(JSONValue.string)),
                "storageVersionHash": .string(storageVersionHash(for: definition)),
            ]
            if !definition.shortNames.isEmpty { resource["shortNames"] = .array(definition.shortNames.map(JSONValue.string)) }
            if !definition.categories.isEmpty { resource["categories"] = .array(definition.categories.map(JSONValue.string)) }
            resources.append(resource)
            for subresource in Self.subresources(of: definition) {
                var entry: JSONValue = [
                    "name": .string("\(definition.plural)/\(subresource.name)"),
                    "singularName": "",
                    "namespaced": .bool(definition.isNamespaced),
                    "kind": .string(subresource.kind),
                    "verbs": .array(subresource.verbs.map(JSONValue.string)),
                ]
                if let group = subresource.group { entry["group"] = .string(group) }
                if let version = subresource.version { entry["version"] = .string(version) }
                resources.append(entry)
            }
        }
        // The core group's list carries no apiVersion on a real server; named groups do.
        var document: JSONValue = [
            "kind": "APIResourceList",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
        if !group.isEmpty { document["apiVersion"] = "v1" }
        return document
    }

    /// `storageVersionHash` of a resource: base64 of the first 8 bytes of SHA-256 of
    /// `group/version/kind` of its storage version, as kube-apiserver computes it.
    public func storageVersionHash(for definition: ResourceDefinition) -> String {
        let storage = definitions.first {
            $0.group == definition.group && $0.plural == definition.plural && $0.isStorageVersion
        } ?? definition
        let digest = ContentDigest.sha256(Array("\(storage.group)/\(storage.version)/\(storage.kind)".utf8))
        return Data(digest.prefix(8)).base64EncodedString()
    }

    // MARK: Aggregated discovery

    /// The aggregated discovery document (`APIGroupDiscoveryList`) for `/api` (`forCoreGroup`)
    /// or `/apis`, in the apidiscovery.k8s.io version the client negotiated (`v2` or `v2beta1`,
    /// which share this shape).
    public func aggregatedDiscovery(forCoreGroup: Bool, version: AggregatedDiscoveryVersion = .v2) -> JSONValue {
        let items: [JSONValue]
        if forCoreGroup {
            let core = servedDefinitions(group: "", version: "v1")
            items = core.isEmpty ? [] : [aggregatedGroup(name: "", versions: ["v1"])]
        } else {
            items = groups.map { aggregatedGroup(name: $0.name, versions: $0.versions) }
        }
        return [
            "kind": "APIGroupDiscoveryList",
            "apiVersion": .string("apidiscovery.k8s.io/\(version.rawValue)"),
            "metadata": .emptyObject,
            "items": .array(items),
        ]
    }

    private func aggregatedGroup(name: String, versions: [String]) -> JSONValue {
        var metadata: JSONValue = ["creationTimestamp": nil]
        if !name.isEmpty { metadata["name"] = .string(name) }
        let versionEntries: [JSONValue] = versions.map { version in
            let resources: [JSONValue] = servedDefinitions(group: name, version: version).map { definition in
                var resource: JSONValue = [
                    "resource": .string(definition.plural),
                    "responseKind": Self.responseKind(group: definition.group, version: definition.version, kind: definition.kind),
                    "scope": definition.isNamespaced ? "Namespaced" : "Cluster",
                    "singularResource": .string(definition.singular),
                    "verbs": .array(definition.verbs.map(JSONValue.string)),
                ]
                if !definition.shortNames.isEmpty { resource["shortNames"] = .array(definition.shortNames.map(JSONValue.string)) }
                if !definition.categories.isEmpty { resource["categories"] = .array(definition.categories.map(JSONValue.string)) }
                let subresources = Self.subresources(of: definition)
                if !subresources.isEmpty {
                    resource["subresources"] = .array(subresources.map { subresource in
                        [
                            "subresource": .string(subresource.name),
                            "responseKind": Self.responseKind(
                                group: subresource.group ?? definition.group, version: subresource.version ?? definition.version,
                                kind: subresource.kind),
                            "verbs": .array(subresource.verbs.map(JSONValue.string)),
                        ]
                    })
                }
                return resource
            }
            return ["version": .string(version), "resources": .array(resources), "freshness": "Current"]
        }
        return ["metadata": metadata, "versions": .array(versionEntries)]
    }

    // MARK: Helpers

    private func legacyGroup(_ group: Group) -> JSONValue {
        let versions: [JSONValue] = group.versions.map {
            ["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]
        }
        return [
            "name": .string(group.name),
            "versions": .array(versions),
            "preferredVersion": ["groupVersion": .string("\(group.name)/\(group.preferredVersion)"), "version": .string(group.preferredVersion)],
        ]
    }

    /// Definitions served at one group version, sorted by resource name as a real server lists them.
    func servedDefinitions(group: String, version: String) -> [ResourceDefinition] {
        definitions.filter { $0.group == group && $0.version == version }.sorted { $0.plural < $1.plural }
    }

    struct Subresource {
        var name: String
        var kind: String
        var verbs: [String]
        /// The group and version of the subresource's kind when not the resource's (`autoscaling/v1` Scale).
        var group: String? = nil
        var version: String? = nil
    }

    /// Subresources the server routes for a definition (`status`, `scale`), with the verbs of a
    /// real server's endpoints.
    static func subresources(of definition: ResourceDefinition) -> [Subresource] {
        var subresources: [Subresource] = []
        if definition.scale != nil {
            subresources.append(Subresource(name: "scale", kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1"))
        }
        if definition.hasStatusSubresource {
            subresources.append(Subresource(name: "status", kind: definition.kind, verbs: ["get", "patch", "update"]))
        }
        return subresources
    }

    private static func responseKind(group: String, version: String, kind: String) -> JSONValue {
        ["group": .string(group), "version": .string(version), "kind": .string(kind)]
    }
}
