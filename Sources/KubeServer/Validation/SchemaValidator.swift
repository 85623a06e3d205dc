import KubeModel

// Validates a custom resource against its structural schema the way the apiserver does:
// kube-openapi's value validation (messages `<name> in body should ...`, converted to field
// errors as apiextensions' kubeOpenAPIResultToFieldErrors does), then list-type set/map
// uniqueness, then the `x-kubernetes-validations` rules — unless an error so far (the object
// metadata's included) is one apiextensions' strategy treats as blocking: a wrong type, a missing
// required field, an unsupported enum value, or a string or list over its maximum size. Value
// errors (bounds, patterns, minimum lengths, duplicates) do not block, so a kube-apiserver reports
// them together with the rules' messages. At the root the apiserver validates with a nil field
// path, which apimachinery prints as `<nil>`.

/// Validates `value` (a whole custom resource, or any value when `schema` is a sub-schema)
/// against `schema`. `oldValue` is the stored object on update; transition rules (those using
/// `oldSelf`) run only where an old value correlates. Metadata is only checked against the
/// schema's `metadata.name`/`metadata.generateName` constraints (ObjectMeta is validated apart).
/// `precedingErrors` are the errors already found for the object (its ObjectMeta's), which count
/// when deciding whether the rules run; they are not repeated in the result.
public func validate(
    _ value: JSONValue, schema: StructuralSchema, oldValue: JSONValue? = nil, precedingErrors: [FieldError] = []
) -> [FieldError] {
    SchemaValidator(rootName: "<nil>").validate(value, schema: schema, oldValue: oldValue, precedingErrors: precedingErrors)
}

struct SchemaValidator {
    /// How an empty path is printed in field errors.
    var rootName: String

    /// The error types after which apiextensions skips the CEL rules (strategy.go's hasBlockingErr).
    static let blockingTypes: Set<FieldErrorType> = [.notSupported, .required, .tooLong, .tooMany, .typeInvalid]

    func validate(_ value: JSONValue, schema: StructuralSchema, oldValue: JSONValue?, precedingErrors: [FieldError] = []) -> [FieldError] {
        var errors: [FieldError] = []
        validateValue(value, schema: schema, name: "", isRoot: true, into: &errors)
        errors += ListTypeValidator(rootName: rootName).validate(value, schema: schema, path: FieldPath())
        if (precedingErrors + errors).contains(where: { Self.blockingTypes.contains($0.type) }) {
            if schema.containsValidationRules {
                errors.append(.invalid(rootName, .string("null"),
                    "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"))
            }
            return errors
        }
        errors += RuleValidator(rootName: rootName).validate(value, oldValue: oldValue, schema: schema.withImplicitRootFields, path: FieldPath())
        return errors
    }

    private func field(_ name: String) -> String { name.isEmpty ? rootName : name }

    /// `<name> in body`, as kube-openapi prefixes its messages.
    private func subject(_ name: String) -> String { name.isEmpty ? "in body" : "\(name) in body" }

    private func validateValue(_ value: JSONValue, schema: StructuralSchema, name: String, isRoot: Bool, into errors: inout [FieldError]) {
        if value.isNull {
            let typeName = schema.isIntOrString ? "integer,string" : schema.type
            if !typeName.isEmpty && !schema.nullable {
                errors.append(.typeInvalid(field(name), .string("null"), "\(subject(name)) must be of type \(typeName): \"null\""))
            }
            return
        }
        if !schema.admitsType(of: value) {
            let typeName = schema.isIntOrString ? "integer,string" : schema.type
            errors.append(.typeInvalid(field(name), .string(value.typeName), "\(subject(name)) must be of type \(typeName): \"\(value.typeName)\""))
        }
        validateJunctions(value, schema: schema, name: name, into: &errors)
        switch value {
        case .string(let text):
            validateString(text, value: value, schema: schema, name: name, into: &errors)
        case .int, .double:
            validateNumber(value, schema: schema, name: name, into: &errors)
        case .array(let elements):
            validateArray(elements, value: value, schema: schema, name: name, into: &errors)
        case .object(let members):
            validateObject(members, schema: schema, name: name, isRoot: isRoot, into: &errors)
        default:
            break
        }
        if let enumValues = schema.enumValues, !enumValues.contains(where: { jsonEqual($0, value) }) {
            let supported = enumValues.map { $0.stringValue ?? ValidationText.encode($0) }
            errors.append(.notSupported(field(name), value, supported: supported))
        }
    }

    private func validateString(_ text: String, value: JSONValue, schema: StructuralSchema, name: String, into errors: inout [FieldError]) {
        let length = Int64(text.unicodeScalars.count)
        if let maxLength = schema.maxLength, length > maxLength {
            errors.append(FieldError(.tooLong, field: field(name), badValue: value, detail: "may not be more than \(maxLength) bytes"))
        }
        if let minLength = schema.minLength, length < minLength {
            errors.append(.invalid(field(name), value, "\(subject(name)) should be at least \(minLength) chars long"))
        }
        if let pattern = schema.pattern, let regex = CompiledPatterns.regex(pattern), !text.contains(regex) {
            errors.append(.invalid(field(name), value, "\(subject(name)) should match '\(pattern)'"))
        }
        if !schema.format.isEmpty, !OpenAPIStringFormat.isValid(text, format: schema.format) {
            errors.append(.typeInvalid(field(name), value, "\(subject(name)) must be of type \(schema.format): \(GoSyntax.quoted(text))"))
        }
    }

    private func validateNumber(_ value: JSONValue, schema: StructuralSchema, name: String, into errors: inout [FieldError]) {
        guard let number = value.doubleValue else { return }
        if let multipleOf = schema.multipleOf?.doubleValue, multipleOf > 0 {
            let quotient = number / multipleOf
            if quotient.rounded() != quotient {
                errors.append(.invalid(field(name), value, "\(subject(name)) should be a multiple of \(GoNumberFormat.number(schema.multipleOf!))"))
            }
        }
        if let maximum = schema.maximum, let limit = maximum.doubleValue {
            if schema.exclusiveMaximum ? number >= limit : number > limit {
                let relation = schema.exclusiveMaximum ? "less than" : "less than or equal to"
                errors.append(.invalid(field(name), value, "\(subject(name)) should be \(relation) \(GoNumberFormat.number(maximum))"))
            }
        }
        if let minimum = schema.minimum, let limit = minimum.doubleValue {
            if schema.exclusiveMinimum ? number <= limit : number < limit {
                let relation = schema.exclusiveMinimum ? "greater than" : "greater than or equal to"
                errors.append(.invalid(field(name), value, "\(subject(name)) should be \(relation) \(GoNumberFormat.number(minimum))"))
            }
        }
    }

    private func validateArray(_ elements: [JSONValue], value: JSONValue, schema: StructuralSchema, name: String, into errors: inout [FieldError]) {
        if let items = schema.items {
            for (index, element) in elements.enumerated() {
                validateValue(element, schema: items, name: "\(name)[\(index)]", isRoot: false, into: &errors)
            }
        }
        if let minItems = schema.minItems, elements.count < minItems {
            errors.append(.invalid(field(name), .int(Int64(elements.count)), "\(subject(name)) should have at least \(minItems) items"))
        }
        if let maxItems = schema.maxItems, elements.count > maxItems {
            errors.append(.tooMany(field(name), actual: elements.count, max: Int(maxItems)))
        }
        if schema.uniqueItems {
            let hasDuplicates = elements.indices.contains { i in elements[(i + 1)...].contains { jsonEqual($0, elements[i]) } }
            if hasDuplicates {
                errors.append(.invalid(field(name), .string(""), "\(subject(name)) shouldn't contain duplicates"))
            }
        }
    }

    private func validateObject(_ members: [String: JSONValue], schema: StructuralSchema, name: String, isRoot: Bool, into errors: inout [FieldError]) {
        if let maxProperties = schema.maxProperties, members.count > maxProperties {
            // kube-openapi reports the limit, not the count, and no maximum: "has too many items".
            errors.append(FieldError(.tooMany, field: field(name), badValue: .int(maxProperties), detail: "has too many items"))
        }
        if let minProperties = schema.minProperties, members.count < minProperties {
            errors.append(.invalid(field(name), .int(minProperties), "\(subject(name)) should have at least \(minProperties) properties"))
        }
        for key in schema.required where members[key] == nil {
            errors.append(.required(name.isEmpty ? key : "\(name).\(key)"))
        }
        for key in members.keys.sorted() {
            let childName = name.isEmpty ? key : "\(name).\(key)"
            let member = members[key]!
            if isRoot && key == "metadata" {
                validateMetadata(member, schema: schema.properties["metadata"], name: childName, into: &errors)
                continue
            }
            if let property = schema.properties[key] {
                validateValue(member, schema: property, name: childName, isRoot: false, into: &errors)
            } else if case .schema(let values)? = schema.additionalProperties {
                validateValue(member, schema: values, name: childName, isRoot: false, into: &errors)
            } else if case .allowed(false)? = schema.additionalProperties {
                errors.append(.invalid(field(name), .string(key), "\(name).\(key) in body is a forbidden property"))
            }
        }
        if schema.isEmbeddedResource {
            for key in ["apiVersion", "kind"] where (members[key]?.stringValue ?? "").isEmpty {
                errors.append(.required(name.isEmpty ? key : "\(name).\(key)", "must not be empty"))
            }
        }
    }

    /// Only `metadata.name` and `metadata.generateName` may be constrained by a CRD schema.
    private func validateMetadata(_ metadata: JSONValue, schema: StructuralSchema?, name: String, into errors: inout [FieldError]) {
        guard let schema else { return }
        for key in ["name", "generateName"] {
            if let value = metadata[key], let property = schema.properties[key] {
                validateValue(value, schema: property, name: "\(name).\(key)", isRoot: false, into: &errors)
            }
        }
    }

    /// allOf/anyOf/oneOf/not, with go-openapi's composite messages reported at the root path.
    private func validateJunctions(_ value: JSONValue, schema: StructuralSchema, name: String, into errors: inout [FieldError]) {
        let quotedName = "\"\(name)\""
        if !schema.allOf.isEmpty {
            var failed = false
            for branch in schema.allOf {
                var branchErrors: [FieldError] = []
                validateValue(value, schema: branch, name: name, isRoot: false, into: &branchErrors)
                if !branchErrors.isEmpty { failed = true }
                errors += branchErrors
            }
            if failed {
                errors.append(.invalid(rootName, .string(""), "\(quotedName) must validate all the schemas (allOf)"))
            }
        }
        if !schema.anyOf.isEmpty {
            var firstFailure: [FieldError]?
            var matched = false
            for branch in schema.anyOf {
                var branchErrors: [FieldError] = []
                validateValue(value, schema: branch, name: name, isRoot: false, into: &branchErrors)
                if branchErrors.isEmpty {
                    matched = true
                    break
                }
                firstFailure = firstFailure ?? branchErrors
            }
            if !matched {
                errors.append(.invalid(rootName, .string(""), "\(quotedName) must validate at least one schema (anyOf)"))
                errors += firstFailure ?? []
            }
        }
        if !schema.oneOf.isEmpty {
            var valid = 0
            var firstFailure: [FieldError]?
            for branch in schema.oneOf {
                var branchErrors: [FieldError] = []
                validateValue(value, schema: branch, name: name, isRoot: false, into: &branchErrors)
                if branchErrors.isEmpty { valid += 1 } else { firstFailure = firstFailure ?? branchErrors }
            }
            if valid == 0 {
                errors.append(.invalid(rootName, .string(""), "\(quotedName) must validate one and only one schema (oneOf). Found none valid"))
                errors += firstFailure ?? []
            } else if valid > 1 {
                errors.append(.invalid(rootName, .string(""), "\(quotedName) must validate one and only one schema (oneOf). Found \(valid) valid alternatives"))
            }
        }
        if let not = schema.not {
            var branchErrors: [FieldError] = []
            validateValue(value, schema: not, name: name, isRoot: false, into: &branchErrors)
            if branchErrors.isEmpty {
                errors.append(.invalid(rootName, .string(""), "\(quotedName) must not validate the schema (not)"))
            }
        }
    }
}

/// JSON equality where an integer and a double of the same value are equal.
func jsonEqual(_ left: JSONValue, _ right: JSONValue) -> Bool {
    switch (left, right) {
    case (.int, .double), (.double, .int), (.double, .double):
        return left.doubleValue == right.doubleValue
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy(jsonEqual)
    case (.object(let a), .object(let b)):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { jsonEqual(value, $0) } ?? false }
    default:
        return left == right
    }
}

extension StructuralSchema {
    /// Whether any node carries `x-kubernetes-validations`.
    var containsValidationRules: Bool {
        if !validationRules.isEmpty { return true }
        if properties.values.contains(where: \.containsValidationRules) { return true }
        if items?.containsValidationRules == true { return true }
        if case .schema(let values)? = additionalProperties { return values.containsValidationRules }
        return false
    }

    /// The root as CEL sees it: `apiVersion`, `kind` and `metadata.name`/`generateName` are
    /// always declared, whatever the CRD's schema says about them.
    var withImplicitRootFields: StructuralSchema {
        var root = self
        var string = StructuralSchema()
        string.type = "string"
        for key in ["apiVersion", "kind"] where root.properties[key] == nil {
            root.properties[key] = string
        }
        var metadata = root.properties["metadata"] ?? StructuralSchema()
        metadata.type = "object"
        for key in ["name", "generateName"] where metadata.properties[key] == nil {
            metadata.properties[key] = string
        }
        root.properties["metadata"] = metadata
        return root
    }
}
