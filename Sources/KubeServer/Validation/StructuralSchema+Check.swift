import KubeModel

// What the apiserver rejects in a CRD version's schema when the CRD is written: non-structural
// schemas (apiextensions-apiserver pkg/apiserver/schema/validation.go), malformed extensions,
// defaults that do not validate against their own schema, and `x-kubernetes-validations` rules
// that do not compile in the supported CEL subset.

extension StructuralSchema {
    private enum Level { case root, item, field }

    static let supportedRuleReasons = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]

    /// Every problem a real server reports for this schema, with paths below `path`.
    public func check(at path: FieldPath) -> [FieldError] {
        var errors = checkStructure(level: .root, path: path)
        errors += checkDefaults(path: path, insideValueValidation: false)
        // Rules see the implicit root fields (metadata.name etc.) whatever the schema declares.
        errors += withImplicitRootFields.checkRules(path: path)
        return errors
    }

    private func checkStructure(level: Level, path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if type == "array" && items == nil {
            errors.append(.required(path.child("items").description, "must be specified"))
        }
        if let items {
            errors += items.checkStructure(level: .item, path: path.child("items"))
        }
        for name in properties.keys.sorted() {
            errors += properties[name]!.checkStructure(level: .field, path: path.child("properties").key(name))
        }
        if let additionalProperties {
            if level == .root {
                errors.append(.forbidden(path.child("additionalProperties").description, "must not be used at the root"))
            }
            if !properties.isEmpty {
                errors.append(.forbidden(path.child("additionalProperties").description, "additionalProperties and properties are mutual exclusive"))
            }
            if case .schema(let values) = additionalProperties {
                errors += values.checkStructure(level: .field, path: path.child("additionalProperties"))
            }
        }
        if isIntOrString && preservesUnknownFields {
            errors.append(.invalid(path.child("x-kubernetes-preserve-unknown-fields").description, .bool(true), "must be false if x-kubernetes-int-or-string is true"))
        }
        if isIntOrString && isEmbeddedResource {
            errors.append(.invalid(path.child("x-kubernetes-embedded-resource").description, .bool(true), "must be false if x-kubernetes-int-or-string is true"))
        }
        for (keyword, branches) in [("allOf", allOf), ("anyOf", anyOf), ("oneOf", oneOf)] {
            let skipIntOrStringPattern = keyword == "anyOf" && isIntOrString && branches.map(\.type) == ["integer", "string"]
            for (index, branch) in branches.enumerated() where !skipIntOrStringPattern {
                errors += branch.checkValueValidation(path: path.child(keyword).index(index))
            }
        }
        if let not {
            errors += not.checkValueValidation(path: path.child("not"))
        }
        if isEmbeddedResource && type != "object" {
            if type.isEmpty {
                errors.append(.required(path.child("type").description, "must be object if x-kubernetes-embedded-resource is true"))
            } else {
                errors.append(.invalid(path.child("type").description, .string(type), "must be object if x-kubernetes-embedded-resource is true"))
            }
        } else if type.isEmpty && !isIntOrString && !preservesUnknownFields {
            let detail: String
            switch level {
            case .root: detail = "must not be empty at the root"
            case .item: detail = "must not be empty for specified array items"
            case .field: detail = "must not be empty for specified object fields"
            }
            errors.append(.required(path.child("type").description, detail))
        }
        if level == .root && !type.isEmpty && type != "object" {
            errors.append(.invalid(path.child("type").description, .string(type), "must be object at the root"))
        }
        if level == .root || isEmbeddedResource {
            for (name, expected) in [("kind", "string"), ("apiVersion", "string"), ("metadata", "object")] {
                if let property = properties[name], property.type != expected {
                    errors.append(.invalid(path.child("properties").key(name).child("type").description, .string(property.type), "must be \(expected)"))
                }
            }
        }
        if level == .root, let metadata = properties["metadata"] {
            let allowed: Set<String> = ["name", "generateName"]
            let constrainsOthers = !Set(metadata.properties.keys).isSubset(of: allowed) || metadata.additionalProperties != nil
                || !metadata.required.isEmpty || !metadata.validationRules.isEmpty
            if constrainsOthers {
                errors.append(.forbidden(path.child("properties").key("metadata").description,
                    "must not specify anything other than name and generateName, but metadata is implicitly specified"))
            }
        }
        if isEmbeddedResource && !preservesUnknownFields && properties.isEmpty {
            errors.append(.required(path.child("properties").description,
                "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
        }
        if let listType {
            if !["atomic", "set", "map"].contains(listType) {
                errors.append(.notSupported(path.child("x-kubernetes-list-type").description, .string(listType), supported: ["atomic", "set", "map"]))
            } else if type != "array" {
                errors.append(.invalid(path.child("type").description, .string(type), "must be array if x-kubernetes-list-type is specified"))
            } else if listType == "map" && listMapKeys.isEmpty {
                errors.append(.required(path.child("x-kubernetes-list-map-keys").description, "must not be empty if x-kubernetes-list-type is map"))
            }
            if listType == "map", let items {
                if items.type != "object" {
                    errors.append(.invalid(path.child("items").child("type").description, .string(items.type), "must be object if parent array's x-kubernetes-list-type is map"))
                }
                for key in listMapKeys where items.properties[key] == nil {
                    errors.append(.required(path.child("items").child("properties").key(key).description,
                        "entries specified in x-kubernetes-list-map-keys must be properties of the items schema"))
                }
            }
        }
        if !listMapKeys.isEmpty && listType != "map" {
            errors.append(.forbidden(path.child("x-kubernetes-list-map-keys").description, "requires x-kubernetes-list-type: map"))
        }
        if let mapType, !["granular", "atomic"].contains(mapType) {
            errors.append(.notSupported(path.child("x-kubernetes-map-type").description, .string(mapType), supported: ["granular", "atomic"]))
        }
        if uniqueItems {
            errors.append(.forbidden(path.child("uniqueItems").description, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if let pattern, (try? Regex(pattern)) == nil {
            errors.append(.invalid(path.child("pattern").description, .string(pattern), "must be a valid regular expression, but isn't"))
        }
        return errors
    }

    /// Inside allOf/anyOf/oneOf/not only value validations are allowed (structural schemas).
    private func checkValueValidation(path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        let json = source.objectValue ?? [:]
        if !type.isEmpty { errors.append(.forbidden(path.child("type").description, "must be empty to be structural")) }
        if additionalProperties != nil { errors.append(.forbidden(path.child("additionalProperties").description, "must be undefined to be structural")) }
        if defaultValue != nil { errors.append(.forbidden(path.child("default").description, "must be undefined to be structural")) }
        if json["title"] != nil { errors.append(.forbidden(path.child("title").description, "must be empty to be structural")) }
        if !description.isEmpty { errors.append(.forbidden(path.child("description").description, "must be empty to be structural")) }
        if nullable { errors.append(.forbidden(path.child("nullable").description, "must be false to be structural")) }
        if preservesUnknownFields { errors.append(.forbidden(path.child("x-kubernetes-preserve-unknown-fields").description, "must be false to be structural")) }
        if isEmbeddedResource { errors.append(.forbidden(path.child("x-kubernetes-embedded-resource").description, "must be false to be structural")) }
        if isIntOrString { errors.append(.forbidden(path.child("x-kubernetes-int-or-string").description, "must be false to be structural")) }
        if !listMapKeys.isEmpty { errors.append(.forbidden(path.child("x-kubernetes-list-map-keys").description, "must be empty to be structural")) }
        if listType != nil { errors.append(.forbidden(path.child("x-kubernetes-list-type").description, "must be undefined to be structural")) }
        if properties["metadata"] != nil {
            errors.append(.forbidden(path.child("properties").key("metadata").description, "must not be specified in a nested context"))
        }
        for name in properties.keys.sorted() {
            errors += properties[name]!.checkValueValidation(path: path.child("properties").key(name))
        }
        if let items { errors += items.checkValueValidation(path: path.child("items")) }
        return errors
    }

    /// Each default must validate against the schema it sits in.
    private func checkDefaults(path: FieldPath, insideValueValidation: Bool) -> [FieldError] {
        var errors: [FieldError] = []
        if let defaultValue, !insideValueValidation {
            let defaultPath = path.child("default")
            for error in SchemaValidator(rootName: "").validate(defaultValue, schema: self, oldValue: nil) {
                var relocated = error
                relocated.field = error.field.isEmpty ? defaultPath.description : "\(defaultPath.description).\(error.field)"
                errors.append(relocated)
            }
        }
        for name in properties.keys.sorted() {
            errors += properties[name]!.checkDefaults(path: path.child("properties").key(name), insideValueValidation: false)
        }
        if let items { errors += items.checkDefaults(path: path.child("items"), insideValueValidation: false) }
        if case .schema(let values)? = additionalProperties {
            errors += values.checkDefaults(path: path.child("additionalProperties"), insideValueValidation: false)
        }
        return errors
    }

    /// Every rule must compile; reasons, messages and field paths must be well formed.
    private func checkRules(path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        for (index, rule) in validationRules.enumerated() {
            let rulePath = path.child("x-kubernetes-validations").index(index)
            if rule.rule.trimmingWhitespace.isEmpty {
                errors.append(.required(rulePath.child("rule").description, "rule is not specified"))
            } else {
                do {
                    let program = try CELProgram(compiling: rule.rule)
                    if let problem = program.undefinedFields(against: self).first {
                        errors.append(.invalid(rulePath.child("rule").description, .string(rule.rule), "compilation failed: \(problem)"))
                    }
                } catch {
                    errors.append(.invalid(rulePath.child("rule").description, .string(rule.rule), "compilation failed: \(error)"))
                }
            }
            if !rule.messageExpression.isEmpty {
                errors.append(.invalid(rulePath.child("messageExpression").description, .string(rule.messageExpression),
                    "messageExpression is not supported by this server; use message"))
            }
            if rule.message.contains("\n") {
                errors.append(.invalid(rulePath.child("message").description, .string(rule.message), "message must not contain line breaks"))
            } else if !rule.message.isEmpty && rule.message.trimmingWhitespace.isEmpty {
                errors.append(.invalid(rulePath.child("message").description, .string(rule.message), "message must be non-empty if specified"))
            }
            if !rule.reason.isEmpty && !StructuralSchema.supportedRuleReasons.contains(rule.reason) {
                errors.append(.notSupported(rulePath.child("reason").description, .string(rule.reason), supported: StructuralSchema.supportedRuleReasons))
            }
            if !rule.fieldPath.isEmpty && RuleFieldPath.resolve(rule.fieldPath, in: self) == nil {
                errors.append(.invalid(rulePath.child("fieldPath").description, .string(rule.fieldPath), "fieldPath must be a valid path"))
            }
            if rule.optionalOldSelf {
                errors.append(.forbidden(rulePath.child("optionalOldSelf").description, "optionalOldSelf is not supported by this server"))
            }
        }
        for name in properties.keys.sorted() {
            errors += properties[name]!.checkRules(path: path.child("properties").key(name))
        }
        if let items { errors += items.checkRules(path: path.child("items")) }
        if case .schema(let values)? = additionalProperties {
            errors += values.checkRules(path: path.child("additionalProperties"))
        }
        return errors
    }
}

extension String {
    var trimmingWhitespace: String {
        String(unicodeScalars.drop(while: \.properties.isWhitespace).reversed().drop(while: \.properties.isWhitespace).reversed().map(Character.init))
    }
}

/// The `fieldPath` of a validation rule (`.spec.ports`, `.labels['app.kubernetes.io/name']`,
/// `.items[0]`), checked against the schema and normalised to the form appended to error paths.
enum RuleFieldPath {
    /// The normalised path (`spec.ports`, `labels[app.kubernetes.io/name]`) or `nil` when it does
    /// not name a field of `schema`.
    static func resolve(_ path: String, in schema: StructuralSchema) -> String? {
        var scalars = Substring(path.trimmingWhitespace)
        guard scalars.first == "." || scalars.first == "[" else { return nil }
        var current = schema
        var rendered = ""
        while let first = scalars.first {
            if first == "." {
                scalars = scalars.dropFirst()
                let name = scalars.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
                guard !name.isEmpty, let next = current.schema(forProperty: String(name)) ?? (current.preservesUnknownFields ? StructuralSchema() : nil) else {
                    return nil
                }
                rendered += rendered.isEmpty ? String(name) : ".\(name)"
                scalars = scalars.dropFirst(name.count)
                current = next
            } else if first == "[" {
                guard let close = scalars.firstIndex(of: "]") else { return nil }
                var inner = scalars[scalars.index(after: scalars.startIndex)..<close]
                scalars = scalars[scalars.index(after: close)...]
                if inner.first == "'" || inner.first == "\"", inner.count >= 2, inner.last == inner.first {
                    inner = inner.dropFirst().dropLast()
                    guard let next = current.schema(forProperty: String(inner)) else { return nil }
                    current = next
                } else if Int(inner) != nil, let items = current.items {
                    current = items
                } else {
                    return nil
                }
                rendered += "[\(inner)]"
            } else {
                return nil
            }
        }
        return rendered
    }
}
