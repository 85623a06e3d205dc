import KubeModel

// Structural defaulting as the apiserver applies it when decoding a custom resource: first
// nulls are dropped where the field is neither nullable nor defaulted, then every missing
// property with a `default` is filled in (and a null in a non-nullable defaulted field replaced),
// recursing into properties, map values (`additionalProperties`) and array items, including
// into the defaults just applied.

/// Applies the schema's defaults to `value` in place.
public func applyDefaults(to value: inout JSONValue, schema: StructuralSchema) {
    pruneNonNullableNullsWithoutDefaults(&value, schema: schema)
    defaultValues(&value, schema: schema)
}

private func isNonNullableNull(_ value: JSONValue, _ schema: StructuralSchema?) -> Bool {
    guard let schema else { return false }
    return value.isNull && !schema.nullable
}

private func defaultValues(_ value: inout JSONValue, schema: StructuralSchema) {
    switch value {
    case .object(var members):
        value = .null  // drop the second reference so members are mutated in place
        for (key, property) in schema.properties {
            guard let defaultValue = property.defaultValue else { continue }
            if let existing = members[key], !isNonNullableNull(existing, property) { continue }
            members[key] = defaultValue
        }
        for key in Array(members.keys) {
            var member = members[key]!
            if let property = schema.properties[key] {
                defaultValues(&member, schema: property)
            } else if case .schema(let values)? = schema.additionalProperties {
                if isNonNullableNull(member, values), let defaultValue = values.defaultValue {
                    member = defaultValue
                }
                defaultValues(&member, schema: values)
            } else {
                continue
            }
            members[key] = member
        }
        value = .object(members)
    case .array(var elements):
        guard let items = schema.items else { return }
        value = .null
        for index in elements.indices {
            if isNonNullableNull(elements[index], items), let defaultValue = items.defaultValue {
                elements[index] = defaultValue
            }
            defaultValues(&elements[index], schema: items)
        }
        value = .array(elements)
    default:
        break
    }
}

/// Removes `null` members whose schema is neither nullable nor has a default, so that clients
/// sending `field: null` get the field dropped rather than a type error.
private func pruneNonNullableNullsWithoutDefaults(_ value: inout JSONValue, schema: StructuralSchema) {
    switch value {
    case .object(var members):
        value = .null
        for key in Array(members.keys) {
            let memberSchema: StructuralSchema?
            if let property = schema.properties[key] {
                memberSchema = property
            } else if case .schema(let values)? = schema.additionalProperties {
                memberSchema = values
            } else {
                memberSchema = nil
            }
            guard let memberSchema else { continue }
            if members[key]!.isNull {
                if !memberSchema.nullable && memberSchema.defaultValue == nil {
                    members[key] = nil
                }
                continue
            }
            pruneNonNullableNullsWithoutDefaults(&members[key]!, schema: memberSchema)
        }
        value = .object(members)
    case .array(var elements):
        guard let items = schema.items else { return }
        value = .null
        for index in elements.indices {
            pruneNonNullableNullsWithoutDefaults(&elements[index], schema: items)
        }
        value = .array(elements)
    default:
        break
    }
}
