import KubeModel

// Runs `x-kubernetes-validations` rules over a value, mirroring apiextensions' cel.Validator:
// rules of a node see that node as `self`; transition rules (using `oldSelf`) run only where an
// old value correlates (same property or map key; same key values in list-type map; equal
// element in list-type set; never for atomic list items). Messages follow the real server:
// `failed rule: <rule>` unless a message is given, `<error> evaluating rule: <rule>` on runtime
// errors, and the schema type (`"object"`, `"string"`, ...) as the bad value.

struct RuleValidator {
    var rootName: String

    func validate(_ value: JSONValue, oldValue: JSONValue?, schema: StructuralSchema, path: FieldPath) -> [FieldError] {
        if value.isNull { return [] }
        var errors = evaluateRules(value, oldValue: oldValue, schema: schema, path: path)
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                let oldMember = oldValue?[key]
                if let property = schema.properties[key] {
                    errors += validate(members[key]!, oldValue: oldMember, schema: property, path: path.child(key))
                } else if case .schema(let values)? = schema.additionalProperties {
                    errors += validate(members[key]!, oldValue: oldMember, schema: values, path: path.key(key))
                }
            }
        case .array(let elements):
            guard let items = schema.items else { break }
            let oldElements = oldValue?.arrayValue ?? []
            for (index, element) in elements.enumerated() {
                let correlated = correlate(element, in: oldElements, schema: schema)
                errors += validate(element, oldValue: correlated, schema: items, path: path.index(index))
            }
        default:
            break
        }
        return errors
    }

    private func correlate(_ element: JSONValue, in oldElements: [JSONValue], schema: StructuralSchema) -> JSONValue? {
        switch schema.listType {
        case "set":
            return oldElements.first { jsonEqual($0, element) }
        case "map":
            return oldElements.first { old in
                schema.listMapKeys.allSatisfy { key in
                    jsonEqual(old[key] ?? .null, element[key] ?? .null)
                }
            }
        default:
            return nil
        }
    }

    private func evaluateRules(_ value: JSONValue, oldValue: JSONValue?, schema: StructuralSchema, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let typeName: JSONValue = .string(schema.type)
        for rule in schema.validationRules {
            guard let program = rule.program else { continue }
            if program.isTransitionRule && oldValue == nil { continue }
            var rulePath = path
            if !rule.fieldPath.isEmpty, let relative = RuleFieldPath.resolve(rule.fieldPath, in: schema) {
                rulePath = path.child(relative)
            }
            let field = rulePath.description.isEmpty ? rootName : rulePath.description
            let ruleText = rule.rule.trimmingWhitespace
            let result: CELValue
            do {
                result = try program.evaluate(self: value, oldSelf: oldValue, schema: schema)
            } catch {
                let fieldForError = path.description.isEmpty ? rootName : path.description
                if error == .noSuchOverload {
                    errors.append(.invalid(fieldForError, typeName,
                        "'no such overload': call arguments did not match a supported operator, function or macro signature for rule: \(ruleErrorString(rule))"))
                } else {
                    errors.append(.invalid(fieldForError, typeName, "\(error.message) evaluating rule: \(ruleErrorString(rule))"))
                }
                continue
            }
            guard case .bool(let passed) = result else {
                errors.append(.invalid(path.description.isEmpty ? rootName : path.description, typeName,
                    "rule did not evaluate to a bool: \(ruleText)"))
                continue
            }
            if passed { continue }
            let detail = rule.message.trimmingWhitespace.isEmpty ? "failed rule: \(ruleText)" : rule.message.trimmingWhitespace
            switch rule.reason {
            case "FieldValueForbidden": errors.append(.forbidden(field, detail))
            case "FieldValueRequired": errors.append(.required(field, detail))
            case "FieldValueDuplicate": errors.append(.duplicate(field, typeName))
            default: errors.append(.invalid(field, typeName, detail))
            }
        }
        return errors
    }

    private func ruleErrorString(_ rule: ValidationRule) -> String {
        let message = rule.message.trimmingWhitespace
        return message.isEmpty ? rule.rule.trimmingWhitespace : message
    }
}
