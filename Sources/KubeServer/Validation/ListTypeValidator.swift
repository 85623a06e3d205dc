import KubeModel

// `x-kubernetes-list-type: set` and `map` uniqueness, as apiextensions' structurallisttype
// package checks it: every element repeating an earlier one (set) or an earlier element's
// key values (map) is reported as `Duplicate value` at its own index, with the value (a map
// list's key fields) printed as apimachinery prints an unstructured value:
// `Duplicate value: map[string]interface {}{"name":"a"}`.

struct ListTypeValidator {
    var rootName: String

    func validate(_ value: JSONValue, schema: StructuralSchema, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        switch value {
        case .array(let elements):
            if let items = schema.items {
                for (index, element) in elements.enumerated() {
                    errors += validate(element, schema: items, path: path.index(index))
                }
            }
            errors += duplicates(in: elements, schema: schema, path: path)
        case .object(let members):
            for key in members.keys.sorted() {
                if let property = schema.properties[key] {
                    errors += validate(members[key]!, schema: property, path: path.child(key))
                } else if case .schema(let values)? = schema.additionalProperties {
                    errors += validate(members[key]!, schema: values, path: path.key(key))
                }
            }
        default:
            break
        }
        return errors
    }

    private func duplicates(in elements: [JSONValue], schema: StructuralSchema, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        switch schema.listType {
        case "set":
            for index in elements.indices where elements[..<index].contains(where: { jsonEqual($0, elements[index]) }) {
                errors.append(duplicate(path.index(index), elements[index]))
            }
        case "map":
            let keys = elements.map { element -> JSONValue in
                var key: [String: JSONValue] = [:]
                for name in schema.listMapKeys {
                    key[name] = element[name] ?? schema.items?.properties[name]?.defaultValue ?? .null
                }
                return .object(key)
            }
            for index in keys.indices where keys[..<index].contains(where: { jsonEqual($0, keys[index]) }) {
                errors.append(duplicate(path.index(index), keys[index]))
            }
        default:
            break
        }
        return errors
    }

    private func duplicate(_ path: FieldPath, _ value: JSONValue) -> FieldError {
        let rendered = value.isNull ? "null" : FieldError.goSyntax(value)
        return FieldError(.duplicate, field: render(path), detail: rendered)
    }

    private func render(_ path: FieldPath) -> String {
        path.description.isEmpty ? rootName : path.description
    }
}
