import KubeModel

// Bridges admission to Validation/: the compiled schema of a custom resource version, and the
// order kube-apiserver applies the steps in — prune unknown fields, default, then validate
// metadata, schema and CEL rules (custom resources) or the kind's own rules (built-ins).

struct CompiledSchema: Sendable {
    let source: JSONValue
    let structural: StructuralSchema

    init?(_ source: JSONValue) {
        guard case .object = source else { return nil }
        self.source = source
        self.structural = StructuralSchema(source)
    }
}

enum ObjectAdmission {
    /// Prunes unknown fields (returned, for strict field validation) and applies schema defaults.
    static func pruneAndDefault(_ object: inout JSONValue, schema: CompiledSchema) -> [String] {
        let unknown = prune(&object, schema: schema.structural)
        applyDefaults(to: &object, schema: schema.structural)
        return unknown
    }

    /// Schema and CEL errors; `metadataErrors` (reported before them) count for whether the rules run.
    static func validateCustomResource(
        _ object: JSONValue, old: JSONValue?, schema: CompiledSchema, metadataErrors: [FieldError]
    ) -> [FieldError] {
        validate(object, schema: schema.structural, oldValue: old, precedingErrors: metadataErrors)
    }

    static func validateMetadata(_ object: JSONValue, definition: ResourceDefinition, old: JSONValue?) -> [FieldError] {
        let rule = definition.isCustomResource ? NameRule.dnsSubdomain : nameRule(forBuiltinKind: definition.kind)
        return validateObjectMeta(object["metadata"] ?? .emptyObject, isNamespaced: definition.isNamespaced, nameRule: rule)
    }

    static func validateBuiltin(_ object: JSONValue, definition: ResourceDefinition, old: JSONValue?) -> [FieldError] {
        KubeServer.validateBuiltin(kind: definition.kind, object: object, old: old)
    }
}
