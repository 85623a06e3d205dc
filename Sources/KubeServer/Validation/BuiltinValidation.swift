import KubeModel

// Spec validation of the built-in kinds this server stores, with the messages and paths of
// kubernetes pkg/apis/*/validation (and apiextensions for CRDs). Only the checks clients rely
// on are implemented; ObjectMeta is validated separately by `validateObjectMeta`.

/// Validates the kind-specific part of a built-in object; `old` is the stored object on update.
/// Unknown kinds have no extra rules and yield no errors.
public func validateBuiltin(kind: String, object: JSONValue, old: JSONValue?) -> [FieldError] {
    switch kind {
    case "Service": return BuiltinValidation.service(object, old: old)
    case "Namespace": return BuiltinValidation.namespace(object)
    case "Pod": return BuiltinValidation.podSpec(object["spec"] ?? .emptyObject, path: FieldPath("spec"))
    case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet": return BuiltinValidation.workload(object)
    case "EndpointSlice": return BuiltinValidation.endpointSlice(object)
    case "Lease": return BuiltinValidation.lease(object)
    case "CustomResourceDefinition": return BuiltinValidation.customResourceDefinition(object)
    case "Role", "ClusterRole": return BuiltinValidation.policyRules(object, isNamespaced: kind == "Role")
    default: return []
    }
}

/// The name rule each built-in kind applies to `metadata.name`.
public func nameRule(forBuiltinKind kind: String) -> NameRule {
    switch kind {
    case "Namespace", "Service": return .dnsLabel
    case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding": return .pathSegment
    default: return .dnsSubdomain
    }
}

enum BuiltinValidation {
    static let serviceTypes = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    static let portProtocols = ["SCTP", "TCP", "UDP"]

    static func service(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        let spec = object["spec"] ?? .emptyObject
        let specPath = FieldPath("spec")
        var errors: [FieldError] = []
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        if !serviceTypes.contains(type) {
            errors.append(.notSupported(specPath.child("type").description, .string(type), supported: serviceTypes))
        }
        let clusterIP = spec["clusterIP"]?.stringValue ?? spec["clusterIPs"]?[0]?.stringValue ?? ""
        let isHeadless = clusterIP == "None"
        let ports = spec["ports"]?.arrayValue ?? []
        if ports.isEmpty && !isHeadless && type != "ExternalName" {
            errors.append(.required(specPath.child("ports").description))
        }
        if type == "ExternalName" {
            let externalName = spec["externalName"]?.stringValue ?? ""
            if externalName.isEmpty {
                errors.append(.required(specPath.child("externalName").description))
            } else {
                for problem in NameValidation.dns1123SubdomainProblems(externalName.hasSuffix(".") ? String(externalName.dropLast()) : externalName) {
                    errors.append(.invalid(specPath.child("externalName").description, .string(externalName), problem))
                }
            }
        }
        var seenNames: Set<String> = []
        var seenPorts: [(port: Int64, protocol: String)] = []
        for (index, port) in ports.enumerated() {
            let portPath = specPath.child("ports").index(index)
            let name = port["name"]?.stringValue ?? ""
            if ports.count > 1 && name.isEmpty {
                errors.append(.required(portPath.child("name").description))
            } else if !name.isEmpty {
                for problem in NameValidation.dns1123LabelProblems(name) {
                    errors.append(.invalid(portPath.child("name").description, .string(name), problem))
                }
                if !seenNames.insert(name).inserted {
                    errors.append(.duplicate(portPath.child("name").description, .string(name)))
                }
            }
            let number = port["port"]?.intValue ?? 0
            if !(1...65535).contains(number) {
                errors.append(.invalid(portPath.child("port").description, .int(number), "must be between 1 and 65535, inclusive"))
            }
            let portProtocol = port["protocol"]?.stringValue ?? "TCP"
            if !portProtocols.contains(portProtocol) {
                errors.append(.notSupported(portPath.child("protocol").description, .string(portProtocol), supported: portProtocols))
            }
            if let target = port["targetPort"] {
                errors += targetPortErrors(target, path: portPath.child("targetPort"))
            }
            if let nodePort = port["nodePort"]?.intValue, nodePort != 0 {
                if type == "ClusterIP" || type == "ExternalName" {
                    errors.append(.forbidden(portPath.child("nodePort").description, "may not be used when `type` is '\(type)'"))
                } else if !(1...65535).contains(nodePort) {
                    errors.append(.invalid(portPath.child("nodePort").description, .int(nodePort), "must be between 1 and 65535, inclusive"))
                }
            }
            if seenPorts.contains(where: { $0.port == number && $0.protocol == portProtocol }) {
                errors.append(.duplicate(portPath.description, .object(["port": .int(number), "protocol": .string(portProtocol)])))
            } else {
                seenPorts.append((number, portProtocol))
            }
        }
        if let old, type != "ExternalName", (old["spec"]?["type"]?.stringValue ?? "ClusterIP") != "ExternalName" {
            let oldClusterIP = old["spec"]?["clusterIPs"]?[0]?.stringValue ?? old["spec"]?["clusterIP"]?.stringValue ?? ""
            let newClusterIPs = spec["clusterIPs"]?.arrayValue?.compactMap(\.stringValue) ?? (clusterIP.isEmpty ? [] : [clusterIP])
            if !oldClusterIP.isEmpty, let newPrimary = newClusterIPs.first, !newPrimary.isEmpty, newPrimary != oldClusterIP {
                errors.append(.invalid(specPath.child("clusterIPs").index(0).description, .array(newClusterIPs.map { .string($0) }), "may not change once set"))
            }
        }
        return errors
    }

    private static func targetPortErrors(_ target: JSONValue, path: FieldPath) -> [FieldError] {
        switch target {
        case .string(let name):
            // An IANA service name: at most 15 characters, lower-case letters, digits and '-'.
            var problems: [String] = []
            if name.count > 15 { problems.append("must be no more than 15 characters") }
            if name.isEmpty || !name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) {
                problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
            }
            if !name.contains(where: \.isLetter) { problems.append("must contain at least one letter (a-z)") }
            return problems.map { .invalid(path.description, target, $0) }
        default:
            guard let number = target.intValue else { return [] }
            return (1...65535).contains(number) ? [] : [.invalid(path.description, .int(number), "must be between 1 and 65535, inclusive")]
        }
    }

    static func namespace(_ object: JSONValue) -> [FieldError] {
        // The DNS-label name rule is applied through `nameRule(forBuiltinKind:)`; finalizers in
        // spec must be qualified names.
        var errors: [FieldError] = []
        for (index, finalizer) in (object["spec"]?["finalizers"]?.arrayValue ?? []).enumerated() {
            let name = finalizer.stringValue ?? ""
            for problem in NameValidation.qualifiedNameProblems(name) {
                errors.append(.invalid(FieldPath("spec").child("finalizers").index(index).description, .string(name), problem))
            }
        }
        return errors
    }

    static func podSpec(_ spec: JSONValue, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let containers = spec["containers"]?.arrayValue ?? []
        if containers.isEmpty {
            errors.append(.required(path.child("containers").description))
        }
        var names: Set<String> = []
        for (listName, list) in [("initContainers", spec["initContainers"]?.arrayValue ?? []), ("containers", containers)] {
            for (index, container) in list.enumerated() {
                let containerPath = path.child(listName).index(index)
                let name = container["name"]?.stringValue ?? ""
                if name.isEmpty {
                    errors.append(.required(containerPath.child("name").description))
                } else {
                    for problem in NameValidation.dns1123LabelProblems(name) {
                        errors.append(.invalid(containerPath.child("name").description, .string(name), problem))
                    }
                    if !names.insert(name).inserted {
                        errors.append(.duplicate(containerPath.child("name").description, .string(name)))
                    }
                }
                if (container["image"]?.stringValue ?? "").isEmpty {
                    errors.append(.required(containerPath.child("image").description))
                }
            }
        }
        return errors
    }

    static func workload(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? .emptyObject
        let specPath = FieldPath("spec")
        var errors: [FieldError] = []
        if let replicas = spec["replicas"]?.intValue, replicas < 0 {
            errors.append(.invalid(specPath.child("replicas").description, .int(replicas), "must be greater than or equal to 0"))
        }
        guard let selector = spec["selector"], selector.objectValue != nil else {
            errors.append(.required(specPath.child("selector").description))
            return errors
        }
        let matchLabels = selector["matchLabels"]?.objectValue ?? [:]
        let expressions = selector["matchExpressions"]?.arrayValue ?? []
        if matchLabels.isEmpty && expressions.isEmpty {
            errors.append(.invalid(specPath.child("selector").description, selector, "empty selector is invalid for deployment"))
        }
        errors += validateLabels(selector["matchLabels"], path: specPath.child("selector").child("matchLabels"))
        let templateLabels = spec["template"]?["metadata"]?["labels"] ?? .emptyObject
        if !(matchLabels.isEmpty && expressions.isEmpty) && !LabelSelectorMatcher.matches(selector, labels: templateLabels.objectValue ?? [:]) {
            errors.append(.invalid(specPath.child("template").child("metadata").child("labels").description, templateLabels,
                "`selector` does not match template `labels`"))
        }
        if let template = spec["template"] {
            errors += podSpec(template["spec"] ?? .emptyObject, path: specPath.child("template").child("spec"))
        } else {
            errors.append(.required(specPath.child("template").description))
        }
        return errors
    }

    static let addressTypes = ["FQDN", "IPv4", "IPv6"]

    static func endpointSlice(_ object: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        let addressType = object["addressType"]?.stringValue ?? ""
        if addressType.isEmpty {
            errors.append(.required("addressType"))
        } else if !addressTypes.contains(addressType) {
            errors.append(.notSupported("addressType", .string(addressType), supported: addressTypes))
        }
        for (index, endpoint) in (object["endpoints"]?.arrayValue ?? []).enumerated() {
            let addresses = endpoint["addresses"]?.arrayValue ?? []
            let path = FieldPath("endpoints").index(index).child("addresses")
            if addresses.isEmpty {
                errors.append(.required(path.description, "must contain at least 1 address"))
            }
            for (addressIndex, address) in addresses.enumerated() {
                let text = address.stringValue ?? ""
                let valid: Bool
                switch addressType {
                case "IPv4": valid = OpenAPIStringFormat.isIPv4(text)
                case "IPv6": valid = OpenAPIStringFormat.isIPv6(text)
                case "FQDN": valid = NameValidation.dns1123SubdomainProblems(text).isEmpty
                default: valid = true
                }
                if !valid {
                    let detail = addressType == "FQDN" ? NameValidation.dns1123SubdomainProblems(text).joined(separator: ", ") : "must be a valid \(addressType) address"
                    errors.append(.invalid(path.index(addressIndex).description, .string(text), detail))
                }
            }
        }
        for (index, port) in (object["ports"]?.arrayValue ?? []).enumerated() {
            if let portProtocol = port["protocol"]?.stringValue, !portProtocols.contains(portProtocol) {
                errors.append(.notSupported(FieldPath("ports").index(index).child("protocol").description, .string(portProtocol), supported: portProtocols))
            }
        }
        return errors
    }

    static func lease(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? .emptyObject
        var errors: [FieldError] = []
        if let duration = spec["leaseDurationSeconds"]?.intValue, duration <= 0 {
            errors.append(.invalid("spec.leaseDurationSeconds", .int(duration), "must be greater than 0"))
        }
        if let transitions = spec["leaseTransitions"]?.intValue, transitions < 0 {
            errors.append(.invalid("spec.leaseTransitions", .int(transitions), "must be greater than or equal to 0"))
        }
        return errors
    }

    static func customResourceDefinition(_ object: JSONValue) -> [FieldError] {
        let spec = object["spec"] ?? .emptyObject
        let specPath = FieldPath("spec")
        var errors: [FieldError] = []
        let group = spec["group"]?.stringValue ?? ""
        let plural = spec["names"]?["plural"]?.stringValue ?? ""
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        if !name.isEmpty && name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        if group.isEmpty {
            errors.append(.required(specPath.child("group").description))
        } else if !NameValidation.dns1123SubdomainProblems(group).isEmpty {
            errors.append(.invalid(specPath.child("group").description, .string(group), NameValidation.dns1123SubdomainProblems(group).joined(separator: ",")))
        } else if !group.contains(".") {
            errors.append(.invalid(specPath.child("group").description, .string(group), "should be a domain with at least one dot"))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope.isEmpty {
            errors.append(.required(specPath.child("scope").description))
        } else if scope != "Cluster" && scope != "Namespaced" {
            errors.append(.notSupported(specPath.child("scope").description, .string(scope), supported: ["Cluster", "Namespaced"]))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        var versionNames: Set<String> = []
        var uniqueNames = true
        for (index, version) in versions.enumerated() {
            let versionPath = specPath.child("versions").index(index)
            let versionName = version["name"]?.stringValue ?? ""
            if !versionNames.insert(versionName).inserted { uniqueNames = false }
            if !isDNS1035Label(versionName) {
                errors.append(.invalid(versionPath.child("name").description, .string(versionName),
                    NameValidation.regexError(
                        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
                        "[a-z]([-a-z0-9]*[a-z0-9])?", examples: ["my-name", "abc-123"])))
            }
            if let schema = version["schema"]?["openAPIV3Schema"] {
                errors += StructuralSchema.parse(schema, at: versionPath.child("schema").child("openAPIV3Schema")).errors
            } else if version["served"]?.boolValue ?? false {
                errors.append(.required(versionPath.child("schema").child("openAPIV3Schema").description, "schemas are required"))
            }
        }
        if !uniqueNames {
            errors.append(.invalid(specPath.child("versions").description, .array(versions), "must contain unique version names"))
        }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            errors.append(.invalid(specPath.child("versions").description, .array(versions), "must have exactly one version marked as storage version"))
        }
        for field in ["plural", "singular", "kind", "listKind"] where (spec["names"]?[field]?.stringValue ?? "").isEmpty {
            errors.append(.required(specPath.child("names").child(field).description))
        }
        if !plural.isEmpty {
            for problem in NameValidation.dns1123LabelProblems(plural) {
                errors.append(.invalid(specPath.child("names").child("plural").description, .string(plural), problem))
            }
        }
        return errors
    }

    private static func isDNS1035Label(_ value: String) -> Bool {
        guard value.utf8.count <= 63, let first = value.utf8.first, first >= 0x61 && first <= 0x7A else { return false }
        return NameValidation.isDNS1123Label(value)
    }

    static func policyRules(_ object: JSONValue, isNamespaced: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, rule) in (object["rules"]?.arrayValue ?? []).enumerated() {
            let path = FieldPath("rules").index(index)
            let verbs = rule["verbs"]?.arrayValue ?? []
            let resources = rule["resources"]?.arrayValue ?? []
            let apiGroups = rule["apiGroups"]?.arrayValue
            let nonResourceURLs = rule["nonResourceURLs"]?.arrayValue ?? []
            if verbs.isEmpty {
                errors.append(.required(path.child("verbs").description, "verbs must contain at least one value"))
            }
            if !nonResourceURLs.isEmpty {
                if isNamespaced {
                    errors.append(.invalid(path.child("nonResourceURLs").description, .array(nonResourceURLs), "namespaced rules cannot apply to non-resource URLs"))
                }
                if !(apiGroups ?? []).isEmpty || !resources.isEmpty {
                    errors.append(.invalid(path.child("nonResourceURLs").description, .array(nonResourceURLs), "rules cannot apply to both regular resources and non-resource URLs"))
                }
                continue
            }
            if resources.isEmpty {
                errors.append(.required(path.child("resources").description, "resource rules must supply at least one resource"))
            }
            if apiGroups == nil || apiGroups!.isEmpty {
                errors.append(.required(path.child("apiGroups").description, "resource rules must supply at least one api group"))
            }
        }
        return errors
    }
}

/// `metav1.LabelSelector` matching (matchLabels and matchExpressions).
public enum LabelSelectorMatcher {
    public static func matches(_ selector: JSONValue, labels: [String: JSONValue]) -> Bool {
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] where labels[key] != value {
            return false
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = expression["values"]?.arrayValue ?? []
            let actual = labels[key]
            switch expression["operator"]?.stringValue ?? "" {
            case "In": if actual == nil || !values.contains(actual!) { return false }
            case "NotIn": if let actual, values.contains(actual) { return false }
            case "Exists": if actual == nil { return false }
            case "DoesNotExist": if actual != nil { return false }
            default: return false
            }
        }
        return true
    }
}
