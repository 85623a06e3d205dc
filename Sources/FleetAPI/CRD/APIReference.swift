import KubeModel

// docs/api.md, rendered from the same definitions as the CRDs: each kind with what it is for,
// its printer columns, every field with its constraints, and the conditions the controllers
// write. The hand-written parts (the wire constants and the decisions on the reference's broken
// markers) live in `APIReferenceText`.

public enum APIReference {
    /// The whole of docs/api.md.
    public static func markdown() -> String {
        var out = APIReferenceText.introduction
        out += "\n## Kinds\n\n"
        out += "| Kind | Short name | Versions (storage ★) | Scope | Installed in |\n|---|---|---|---|---|\n"
        for definition in FleetCRDs.networking {
            let installed = FleetCRDs.memberPlurals.contains(definition.plural) ? "hub and members" : "hub"
            out += "| [\(definition.kind)](#\(definition.kind.lowercased())) | \(shortNames(definition)) | \(versions(definition)) | Namespaced | \(installed) |\n"
        }
        for definition in FleetCRDs.networking {
            out += section(for: definition)
        }
        out += "\n## Fleet core kinds (`\(ClusterGroup.name)`)\n\n"
        out += "Fleet installs these; the CRDs in config/crd/fleet-core are for local fleets and tests.\n"
        for definition in FleetCRDs.fleetCore {
            out += section(for: definition)
        }
        out += APIReferenceText.multiClusterServices
        for definition in FleetCRDs.multiClusterServicesAPI {
            out += section(for: definition)
        }
        out += APIReferenceText.multiClusterServicesRules
        out += APIReferenceText.conventions
        out += APIReferenceText.decisions
        return out
    }

    private static func shortNames(_ definition: CRDDefinition) -> String {
        definition.shortNames.isEmpty ? "—" : definition.shortNames.map { "`\($0)`" }.joined(separator: ", ")
    }

    private static func versions(_ definition: CRDDefinition) -> String {
        definition.versions.map { $0.storage ? "\($0.name) ★" : $0.name }.joined(separator: ", ")
    }

    private static func section(for definition: CRDDefinition) -> String {
        let storage = definition.versions.first(where: \.storage) ?? definition.versions[0]
        var out = "\n### \(definition.kind)\n\n"
        out += "`\(definition.group)/\(storage.name)`, plural `\(definition.plural)`"
        if !definition.shortNames.isEmpty { out += ", short name \(shortNames(definition))" }
        out += ", \(definition.isNamespaced ? "namespaced" : "cluster-scoped")"
        out += storage.hasStatusSubresource ? ", status subresource" : ", no status subresource"
        out += ".\n\n" + definition.summary + "\n"
        if !storage.printerColumns.isEmpty {
            out += "\n`kubectl get` columns: "
            out += (["NAME"] + storage.printerColumns.map { $0.name.uppercased() }).map { "`\($0)`" }
                .joined(separator: " ")
            out += ".\n"
        }
        let rules = (storage.schema.keywords["x-kubernetes-validations"]?.arrayValue ?? [])
        if !rules.isEmpty {
            out += "\nObject rules: " + rules.compactMap { $0.objectValue?["message"]?.stringValue }
                .map { "`\($0)`" }.joined(separator: "; ") + ".\n"
        }
        var rows: [String] = []
        let properties = storage.schema.keywords["properties"]?.objectValue ?? [:]
        let required = Set(storage.schema.keywords["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for name in ["spec", "status"] {
            guard let schema = properties[name] else { continue }
            collectRows(path: name, schema: schema, required: required.contains(name), into: &rows)
        }
        if !rows.isEmpty {
            out += "\n| Field | Type | Required | Constraints | Description |\n|---|---|---|---|---|\n"
            out += rows.joined()
        }
        if !definition.conditions.isEmpty {
            out += "\n| Condition | Status | Reason | Message |\n|---|---|---|---|\n"
            for condition in definition.conditions {
                let message = condition.message.isEmpty ? "" : "`\(condition.message)`"
                out += "| \(condition.type) | \(condition.status) | `\(condition.reason)` | \(message) |\n"
            }
        }
        return out
    }

    private static func collectRows(path: String, schema: JSONValue, required: Bool, into rows: inout [String]) {
        guard let keywords = schema.objectValue else { return }
        let type = typeName(keywords)
        let description = (keywords["description"]?.stringValue ?? "").replacingOccurrences(of: "|", with: "\\|")
        rows.append("| `\(path)` | \(type) | \(required ? "yes" : "") | \(constraints(keywords)) | \(description) |\n")
        if path.hasSuffix(".conditions") { return }
        var children = keywords
        var childPath = path
        if type.hasPrefix("[]"), let items = keywords["items"]?.objectValue {
            children = items
            childPath = path + "[]"
        }
        let properties = children["properties"]?.objectValue ?? [:]
        let requiredChildren = Set(children["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        for name in properties.keys.sorted() {
            collectRows(
                path: "\(childPath).\(name)", schema: properties[name]!, required: requiredChildren.contains(name),
                into: &rows)
        }
    }

    private static func typeName(_ keywords: [String: JSONValue]) -> String {
        if keywords["x-kubernetes-int-or-string"]?.boolValue == true { return "int or string" }
        let type = keywords["type"]?.stringValue ?? "any"
        switch type {
        case "array":
            let items = keywords["items"]?.objectValue ?? [:]
            return "[]" + typeName(items)
        case "integer":
            return keywords["format"]?.stringValue ?? "integer"
        case "string":
            return keywords["format"]?.stringValue == "date-time" ? "time" : "string"
        case "object":
            if keywords["properties"] == nil, keywords["additionalProperties"] != nil { return "map" }
            return "object"
        default:
            return type
        }
    }

    private static func constraints(_ keywords: [String: JSONValue]) -> String {
        var parts: [String] = []
        if let values = keywords["enum"]?.arrayValue {
            parts.append("one of " + values.map { "`\(literal($0))`" }.joined(separator: ", "))
        }
        if let value = keywords["default"] { parts.append("default `\(literal(value))`") }
        if let value = keywords["minimum"] { parts.append("≥ \(literal(value))") }
        if let value = keywords["maximum"] { parts.append("≤ \(literal(value))") }
        if let value = keywords["minLength"] { parts.append("length ≥ \(literal(value))") }
        if let value = keywords["maxLength"] { parts.append("length ≤ \(literal(value))") }
        if let value = keywords["maxItems"] { parts.append("at most \(literal(value)) items") }
        if let value = keywords["pattern"]?.stringValue { parts.append("pattern `\(value.replacingOccurrences(of: "|", with: "\\|"))`") }
        if let keys = keywords["x-kubernetes-list-map-keys"]?.arrayValue {
            parts.append("map list keyed by " + keys.map { "`\(literal($0))`" }.joined(separator: ", "))
        }
        for rule in keywords["x-kubernetes-validations"]?.arrayValue ?? [] {
            if let message = rule.objectValue?["message"]?.stringValue { parts.append("rule: \(message)") }
        }
        return parts.joined(separator: "; ")
    }

    private static func literal(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .int(let int): return String(int)
        case .bool(let bool): return String(bool)
        case .double(let double): return String(double)
        default: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }
}
