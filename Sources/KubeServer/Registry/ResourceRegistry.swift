import KubeModel
import Synchronization

// The set of resources the server serves right now: the built-in kinds, plus one definition per
// served version of every established CustomResourceDefinition. Lookups happen on every request,
// so they are dictionary reads under a short lock.

public final class ResourceRegistry: Sendable {
    private struct State {
        var byGVR: [GroupVersionResource: ResourceDefinition] = [:]
        /// Group names in the order discovery lists them: built-ins first, then custom groups by name.
        var builtinGroupOrder: [String] = []
    }

    private let state = Mutex(State())

    public init(builtins: [ResourceDefinition] = BuiltinResources.all) {
        state.withLock { state in
            for definition in builtins {
                state.byGVR[definition.gvr] = definition
                if !state.builtinGroupOrder.contains(definition.group) { state.builtinGroupOrder.append(definition.group) }
            }
        }
    }

    public func definition(for gvr: GroupVersionResource) -> ResourceDefinition? {
        state.withLock { $0.byGVR[gvr] }
    }

    public func definition(group: String, version: String, resource: String) -> ResourceDefinition? {
        definition(for: GroupVersionResource(group: group, version: version, resource: resource))
    }

    /// The definition serving `kind` in `apiVersion` (e.g. `apps/v1`, `Deployment`).
    public func definition(apiVersion: String, kind: String) -> ResourceDefinition? {
        let (group, version) = Self.splitAPIVersion(apiVersion)
        return state.withLock { state in
            state.byGVR.values.first { $0.group == group && $0.version == version && $0.kind == kind }
        }
    }

    /// All versions served for a group/resource.
    public func definitions(for resource: GroupResource) -> [ResourceDefinition] {
        state.withLock { state in
            state.byGVR.values.filter { $0.group == resource.group && $0.plural == resource.resource }
        }
    }

    /// Every served definition, built-in groups first (in registration order), then custom groups by name.
    public func allDefinitions() -> [ResourceDefinition] {
        state.withLock { state in
            let order = state.builtinGroupOrder
            return state.byGVR.values.sorted { lhs, rhs in
                let li = order.firstIndex(of: lhs.group) ?? Int.max
                let ri = order.firstIndex(of: rhs.group) ?? Int.max
                if li != ri { return li < ri }
                if lhs.group != rhs.group { return lhs.group < rhs.group }
                if lhs.version != rhs.version { return lhs.version < rhs.version }
                return lhs.plural < rhs.plural
            }
        }
    }

    /// Replaces the definitions of one custom group/resource (all its versions) in one step.
    public func setCustomDefinitions(_ definitions: [ResourceDefinition], for resource: GroupResource) {
        state.withLock { state in
            for key in state.byGVR.keys where key.group == resource.group && key.resource == resource.resource {
                if state.byGVR[key]?.isCustomResource == true { state.byGVR[key] = nil }
            }
            for definition in definitions { state.byGVR[definition.gvr] = definition }
        }
    }

    public static func splitAPIVersion(_ apiVersion: String) -> (group: String, version: String) {
        guard let slash = apiVersion.firstIndex(of: "/") else { return ("", apiVersion) }
        return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
    }
}

extension ResourceDefinition {
    public var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
}
