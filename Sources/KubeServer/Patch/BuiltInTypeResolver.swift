import KubeModel

// List and map types of the built-in kinds this server serves, transcribed from the
// `+listType`, `+listMapKey` and `+structType` markers of k8s.io/api (core/v1, apps/v1,
// discovery/v1, coordination/v1). Lists without a marker are atomic, as in the real schema.

/// Resolves types for a built-in kind from a static table.
public struct BuiltInTypeResolver: SchemaTypeResolver {
    public let kind: String
    private let lists: [String: ListType]
    private let atomicMaps: Set<String>

    /// A resolver for `kind` (`Service`, `Pod`, `Deployment`, `EndpointSlice`, ...); unknown kinds
    /// get only the shared `metadata` rules.
    public init(kind: String) {
        self.kind = kind
        var lists: [String: ListType] = [:]
        var atomicMaps: Set<String> = []
        switch kind {
        case "Service":
            lists["spec.ports"] = .map(keys: ["port", "protocol"], keyDefaults: ["protocol": "TCP"])
            lists["spec.clusterIPs"] = .atomic
            lists["spec.ipFamilies"] = .atomic
            lists["spec.externalIPs"] = .atomic
            lists["status.conditions"] = .map(keys: ["type"])
            lists["status.loadBalancer.ingress"] = .atomic
        case "Pod":
            Self.addPodSpec(prefix: "spec", to: &lists)
            lists["status.conditions"] = .map(keys: ["type"])
            lists["status.podIPs"] = .map(keys: ["ip"])
            lists["status.containerStatuses"] = .atomic
        case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
            Self.addPodSpec(prefix: "spec.template.spec", to: &lists)
            lists["status.conditions"] = .map(keys: ["type"])
            atomicMaps.insert("spec.selector")  // LabelSelector is +structType=atomic
        case "EndpointSlice":
            lists["endpoints"] = .atomic
            lists["ports"] = .atomic
            lists["endpoints[].addresses"] = .set
        case "Namespace":
            lists["status.conditions"] = .map(keys: ["type"])
        case "Node":
            lists["spec.podCIDRs"] = .set
            lists["spec.taints"] = .atomic
            lists["status.conditions"] = .map(keys: ["type"])
            lists["status.addresses"] = .map(keys: ["type"])
            lists["status.images"] = .atomic
            lists["status.volumesInUse"] = .atomic
            lists["status.volumesAttached"] = .atomic
        case "CustomResourceDefinition":
            lists["status.conditions"] = .map(keys: ["type"])
        default:
            break  // Lease, ConfigMap, Secret, Event: nothing beyond metadata.
        }
        self.lists = lists
        self.atomicMaps = atomicMaps
    }

    private static func addPodSpec(prefix: String, to lists: inout [String: ListType]) {
        for containers in ["containers", "initContainers", "ephemeralContainers"] {
            let container = "\(prefix).\(containers)"
            lists[container] = .map(keys: ["name"])
            lists["\(container)[].ports"] = .map(
                keys: ["containerPort", "protocol"], keyDefaults: ["protocol": "TCP"])
            lists["\(container)[].env"] = .map(keys: ["name"])
            lists["\(container)[].volumeMounts"] = .map(keys: ["mountPath"])
            lists["\(container)[].volumeDevices"] = .map(keys: ["devicePath"])
            lists["\(container)[].resizePolicy"] = .atomic
        }
        lists["\(prefix).volumes"] = .map(keys: ["name"])
        lists["\(prefix).imagePullSecrets"] = .map(keys: ["name"])
        lists["\(prefix).hostAliases"] = .map(keys: ["ip"])
        lists["\(prefix).topologySpreadConstraints"] = .map(keys: ["topologyKey", "whenUnsatisfiable"])
        lists["\(prefix).resourceClaims"] = .map(keys: ["name"])
        lists["\(prefix).schedulingGates"] = .map(keys: ["name"])
    }

    public func listType(at path: ObjectPath) -> ListType {
        let pattern = path.schemaPattern
        return ObjectMetaTypes.listType(at: pattern) ?? lists[pattern] ?? .atomic
    }

    public func mapType(at path: ObjectPath) -> MapType {
        atomicMaps.contains(path.schemaPattern) ? .atomic : .granular
    }

    /// Built-in objects are Go structs all the way down except for string maps (labels,
    /// selectors, data), whose values are scalars and so are owned individually either way.
    public func isDeclaredField(_ name: String, at path: ObjectPath) -> Bool {
        ObjectMetaTypes.isDeclaredField(name, at: path.schemaPattern) ?? true
    }
}
