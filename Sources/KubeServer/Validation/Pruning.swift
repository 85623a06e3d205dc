import KubeModel

// Structural pruning: fields a CRD schema does not specify are dropped on write unless a node
// says `x-kubernetes-preserve-unknown-fields: true`. At the resource root and in embedded
// resources, `apiVersion`, `kind` and `metadata` are always kept (metadata is handled by the
// ObjectMeta code, not the schema). The returned paths use the form the apiserver puts into
// strict field-validation errors (`unknown field "spec.ports[0].foo"`).

/// Removes unknown fields from `value` (a whole custom resource) and returns their paths,
/// sorted, e.g. `["spec.foo", "spec.ports[0].bar"]`.
@discardableResult
public func prune(_ value: inout JSONValue, schema: StructuralSchema) -> [String] {
    var pruned: [String] = []
    pruneNode(&value, schema: schema, path: "", isResourceRoot: true, pruned: &pruned)
    return pruned.sorted()
}

private func joined(_ path: String, _ key: String) -> String {
    path.isEmpty ? key : "\(path).\(key)"
}

private func pruneNode(_ value: inout JSONValue, schema: StructuralSchema?, path: String, isResourceRoot: Bool, pruned: inout [String]) {
    guard let schema else { return }
    switch value {
    case .object(var members):
        value = .null
        let keepsResourceFields = isResourceRoot || schema.isEmbeddedResource
        for key in members.keys.sorted() {
            if keepsResourceFields && (key == "apiVersion" || key == "kind" || key == "metadata") {
                if key == "metadata" || schema.properties[key] == nil { continue }
            }
            if let property = schema.properties[key] {
                pruneNode(&members[key]!, schema: property, path: joined(path, key), isResourceRoot: false, pruned: &pruned)
            } else if case .schema(let values)? = schema.additionalProperties {
                pruneNode(&members[key]!, schema: values, path: joined(path, key), isResourceRoot: false, pruned: &pruned)
            } else if case .allowed(true)? = schema.additionalProperties {
                continue
            } else if schema.preservesUnknownFields {
                continue
            } else {
                members[key] = nil
                pruned.append(joined(path, key))
            }
        }
        value = .object(members)
    case .array(var elements):
        value = .null
        for index in elements.indices {
            pruneNode(&elements[index], schema: schema.items, path: "\(path)[\(index)]", isResourceRoot: false, pruned: &pruned)
        }
        value = .array(elements)
    default:
        break
    }
}
