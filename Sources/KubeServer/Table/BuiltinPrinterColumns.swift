import Foundation
import KubeModel

// The `kubectl get` columns kube-apiserver produces for built-in kinds (kubernetes
// pkg/printers/internalversion), with the same cell formatting: `<none>` for empty values,
// `80/TCP,443:30080/TCP` port lists, `1/1` ready counts, human ages. The server always renders
// the wide columns; kubectl hides those with priority > 0 unless `-o wide`. Kinds without a
// dedicated printer get the default convertor's `Name` + `Created At` (an RFC 3339 date).

public enum BuiltinPrinterColumns {
    /// The columns for a built-in kind, Name column included; the default `Name`/`Created At`
    /// pair for kinds without a dedicated printer.
    public static func columns(forKind kind: String, group: String) -> [PrinterColumn] {
        switch (group, kind) {
        case ("", "Namespace"): return namespace
        case ("", "Node"): return node
        case ("", "Service"): return service
        case ("", "Pod"): return pod
        case ("discovery.k8s.io", "EndpointSlice"): return endpointSlice
        case ("apps", "Deployment"): return deployment
        case ("apps", "StatefulSet"): return statefulSet
        case ("", "ConfigMap"): return configMap
        case ("", "Secret"): return secret
        case ("", "ServiceAccount"): return serviceAccount
        case ("", "Event"), ("events.k8s.io", "Event"): return event
        case ("coordination.k8s.io", "Lease"): return lease
        case ("rbac.authorization.k8s.io", "RoleBinding"), ("rbac.authorization.k8s.io", "ClusterRoleBinding"): return roleBinding
        default: return defaultColumns
        }
    }

    static let nameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    static let creationTimestampDescription =
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"

    static let nameColumn = PrinterColumn(
        name: "Name", type: "string", format: "name", description: nameDescription, jsonPath: ".metadata.name")

    static let ageColumn = PrinterColumn(name: "Age", type: "string", description: creationTimestampDescription) { object in
        .string(age(object[path: ["metadata", "creationTimestamp"]]?.stringValue))
    }

    /// `Created At`: the default table convertor's column, an RFC 3339 UTC timestamp.
    static let createdAtColumn = PrinterColumn(name: "Created At", type: "date", description: creationTimestampDescription) { object in
        guard let text = object[path: ["metadata", "creationTimestamp"]]?.stringValue, let date = RFC3339.parse(text) else { return .null }
        return .string(RFC3339.format(date))
    }

    /// Kinds without a dedicated printer: CustomResourceDefinition, Role, ClusterRole, ...
    static let defaultColumns = [nameColumn, createdAtColumn]

    static let namespace = [
        nameColumn,
        PrinterColumn(name: "Status", description: "The status of the namespace") { object in
            object[path: ["status", "phase"]] ?? ""
        },
        ageColumn,
    ]

    /// kubectl's node columns: Ready (or NotReady/Unknown, `,SchedulingDisabled` when cordoned),
    /// the roles from `node-role.kubernetes.io/<role>` labels, the kubelet's version, and wide
    /// the addresses and system info.
    static let node = [
        nameColumn,
        PrinterColumn(name: "Status", description: "The status of the node") { object in
            let ready = (object[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
            var status: String
            switch ready?["status"]?.stringValue {
            case "True"?: status = "Ready"
            case "False"?: status = "NotReady"
            default: status = "Unknown"
            }
            if object[path: ["spec", "unschedulable"]]?.boolValue == true { status += ",SchedulingDisabled" }
            return .string(status)
        },
        PrinterColumn(name: "Roles", description: "The roles of the node") { object in
            let roles = (object[path: ["metadata", "labels"]]?.objectValue ?? [:]).keys.compactMap { key -> String? in
                guard key.hasPrefix("node-role.kubernetes.io/") else { return nil }
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                return role.isEmpty ? nil : role
            }
            return .string(roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ","))
        },
        ageColumn,
        PrinterColumn(name: "Version", description: "Kubelet Version reported by the node.") { object in
            object[path: ["status", "nodeInfo", "kubeletVersion"]] ?? ""
        },
        PrinterColumn(name: "Internal-IP", description: "List of addresses reachable to the node.", priority: 1) { object in
            .string(nodeAddress(object, type: "InternalIP"))
        },
        PrinterColumn(name: "External-IP", description: "List of addresses reachable to the node.", priority: 1) { object in
            .string(nodeAddress(object, type: "ExternalIP"))
        },
        PrinterColumn(name: "OS-Image", description: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", priority: 1) { object in
            .string(nonEmpty(object[path: ["status", "nodeInfo", "osImage"]]?.stringValue) ?? "<unknown>")
        },
        PrinterColumn(name: "Kernel-Version", description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", priority: 1) { object in
            .string(nonEmpty(object[path: ["status", "nodeInfo", "kernelVersion"]]?.stringValue) ?? "<unknown>")
        },
        PrinterColumn(name: "Container-Runtime", description: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", priority: 1) { object in
            .string(nonEmpty(object[path: ["status", "nodeInfo", "containerRuntimeVersion"]]?.stringValue) ?? "<unknown>")
        },
    ]

    /// The node's first address of `type`, or `<none>`.
    static func nodeAddress(_ object: JSONValue, type: String) -> String {
        let address = (object[path: ["status", "addresses"]]?.arrayValue ?? []).first { $0["type"]?.stringValue == type }
        return nonEmpty(address?["address"]?.stringValue) ?? "<none>"
    }

    static let service = [
        nameColumn,
        PrinterColumn(name: "Type", description: "type determines how the Service is exposed. Defaults to ClusterIP.") { object in
            .string(serviceType(object))
        },
        PrinterColumn(name: "Cluster-IP", description: "clusterIP is the IP address of the service and is usually assigned randomly.") { object in
            let spec = object["spec"]
            let clusterIP = spec?["clusterIPs"]?[0]?.stringValue ?? spec?["clusterIP"]?.stringValue ?? ""
            return .string(clusterIP.isEmpty ? "<none>" : clusterIP)
        },
        PrinterColumn(name: "External-IP", description: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.") { object in
            .string(serviceExternalIP(object))
        },
        PrinterColumn(name: "Port(s)", description: "The list of ports that are exposed by this service.") { object in
            let pieces = (object[path: ["spec", "ports"]]?.arrayValue ?? []).map { port -> String in
                let number = port["port"]?.intValue ?? 0
                let protocolName = port["protocol"]?.stringValue ?? "TCP"
                if let nodePort = port["nodePort"]?.intValue, nodePort > 0 { return "\(number):\(nodePort)/\(protocolName)" }
                return "\(number)/\(protocolName)"
            }
            return .string(pieces.isEmpty ? "<none>" : pieces.joined(separator: ","))
        },
        ageColumn,
        PrinterColumn(name: "Selector", description: "Route service traffic to pods with label keys and values matching this selector.", priority: 1) { object in
            .string(formatLabels(object[path: ["spec", "selector"]]))
        },
    ]

    static let endpointSlice = [
        nameColumn,
        PrinterColumn(name: "AddressType", description: "addressType specifies the type of address carried by this EndpointSlice.") { object in
            object["addressType"] ?? ""
        },
        PrinterColumn(name: "Ports", description: "ports specifies the list of network ports exposed by each endpoint in this slice.") { object in
            let ports = (object["ports"]?.arrayValue ?? []).map { port -> String in
                if let number = port["port"]?.intValue { return String(number) }
                if let name = port["name"]?.stringValue { return name }
                return "*"
            }
            return .string(listWithMore(ports))
        },
        PrinterColumn(name: "Endpoints", description: "endpoints is a list of unique endpoints in this slice.") { object in
            let addresses = (object["endpoints"]?.arrayValue ?? []).flatMap { endpoint in
                (endpoint["addresses"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
            return .string(listWithMore(addresses))
        },
        ageColumn,
    ]

    static let configMap = [
        nameColumn,
        PrinterColumn(name: "Data", type: "integer", description: "Number of data entries in the ConfigMap.") { object in
            .int(Int64((object["data"]?.objectValue?.count ?? 0) + (object["binaryData"]?.objectValue?.count ?? 0)))
        },
        ageColumn,
    ]

    static let secret = [
        nameColumn,
        PrinterColumn(name: "Type", description: "Used to facilitate programmatic handling of secret data.") { object in
            object["type"] ?? ""
        },
        PrinterColumn(name: "Data", type: "integer", description: "Number of data entries in the Secret.") { object in
            .int(Int64(object["data"]?.objectValue?.count ?? 0))
        },
        ageColumn,
    ]

    static let serviceAccount = [
        nameColumn,
        PrinterColumn(name: "Secrets", type: "integer", description: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.") { object in
            .int(Int64(object["secrets"]?.arrayValue?.count ?? 0))
        },
        ageColumn,
    ]

    static let lease = [
        nameColumn,
        PrinterColumn(name: "Holder", description: "holderIdentity contains the identity of the holder of a current lease.") { object in
            object[path: ["spec", "holderIdentity"]]?.stringValue.map(JSONValue.string) ?? ""
        },
        ageColumn,
    ]

    static let roleBinding = [
        nameColumn,
        PrinterColumn(name: "Role", description: "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.") { object in
            let kind = object[path: ["roleRef", "kind"]]?.stringValue ?? ""
            let name = object[path: ["roleRef", "name"]]?.stringValue ?? ""
            return .string("\(kind)/\(name)")
        },
        ageColumn,
        PrinterColumn(name: "Users", description: "Users in the roleBinding", priority: 1) { object in
            .string(subjects(of: object, kind: "User").joined(separator: ", "))
        },
        PrinterColumn(name: "Groups", description: "Groups in the roleBinding", priority: 1) { object in
            .string(subjects(of: object, kind: "Group").joined(separator: ", "))
        },
        PrinterColumn(name: "ServiceAccounts", description: "ServiceAccounts in the roleBinding", priority: 1) { object in
            .string(subjects(of: object, kind: "ServiceAccount").joined(separator: ", "))
        },
    ]

    // MARK: Formatting helpers shared by the printers

    /// The age of a timestamp at the table's render time (`TableRenderContext.now`).
    static func age(_ timestamp: String?) -> String {
        HumanDuration.age(ofTimestamp: timestamp, now: TableRenderContext.currentTime)
    }

    /// `k1=v1,k2=v2` sorted by key, `<none>` when empty (apimachinery `labels.FormatLabels`).
    static func formatLabels(_ labels: JSONValue?) -> String {
        guard let members = labels?.objectValue, !members.isEmpty else { return "<none>" }
        return members.keys.sorted().map { "\($0)=\(members[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    /// At most three entries, then ` + N more...`; `<unset>` when empty.
    static func listWithMore(_ entries: [String], limit: Int = 3) -> String {
        let shown = entries.prefix(limit).joined(separator: ",")
        if entries.count > limit { return "\(shown) + \(entries.count - limit) more..." }
        return shown.isEmpty ? "<unset>" : shown
    }

    /// A label selector (`matchLabels` + `matchExpressions`) as `labels.Selector.String()`:
    /// requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
    static func formatLabelSelector(_ selector: JSONValue?) -> String {
        guard let selector, selector.objectValue != nil else { return "" }
        var requirements: [(key: String, text: String)] = []
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] {
            requirements.append((key, "\(key)=\(value.stringValue ?? "")"))
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            guard let key = expression["key"]?.stringValue else { continue }
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch expression["operator"]?.stringValue {
            case "In": requirements.append((key, "\(key) in (\(values))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!\(key)"))
            default: return "<invalid>"
            }
        }
        return requirements.sorted { $0.key < $1.key }.map(\.text).joined(separator: ",")
    }

    private static func serviceType(_ object: JSONValue) -> String {
        object[path: ["spec", "type"]]?.stringValue ?? "ClusterIP"
    }

    private static func serviceExternalIP(_ object: JSONValue) -> String {
        let externalIPs = (object[path: ["spec", "externalIPs"]]?.arrayValue ?? []).compactMap(\.stringValue)
        switch serviceType(object) {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let ingress = object[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []
            let addresses = Set(ingress.compactMap { entry -> String? in
                if let ip = entry["ip"]?.stringValue, !ip.isEmpty { return ip }
                if let hostname = entry["hostname"]?.stringValue, !hostname.isEmpty { return hostname }
                return nil
            }).sorted()
            let all = addresses + externalIPs
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return object[path: ["spec", "externalName"]]?.stringValue ?? ""
        default:
            return "<unknown>"
        }
    }

    private static func subjects(of object: JSONValue, kind: String) -> [String] {
        (object["subjects"]?.arrayValue ?? []).compactMap { subject in
            guard subject["kind"]?.stringValue == kind else { return nil }
            let name = subject["name"]?.stringValue ?? ""
            return kind == "ServiceAccount" ? "\(subject["namespace"]?.stringValue ?? "")/\(name)" : name
        }
    }
}
