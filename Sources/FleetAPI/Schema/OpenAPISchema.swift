import KubeModel

// A small builder for the OpenAPI v3 (structural) schemas of the fleet's CRDs. The Swift types in
// this target and these schemas are written side by side, one file per kind; the CRD manifests and
// docs/api.md are generated from the schemas, and a test checks that every field a Swift type
// encodes is known to its schema, so the two cannot drift apart.

/// One node of a structural schema, kept as the JSON that goes into the CRD.
public struct OpenAPISchema: Sendable, Hashable {
    /// The schema's keywords, as they appear in `openAPIV3Schema`.
    public private(set) var keywords: [String: JSONValue]

    public init(keywords: [String: JSONValue]) {
        self.keywords = keywords
    }

    /// The schema as JSON.
    public var json: JSONValue { .object(keywords) }

    // MARK: Types

    /// An object with the given properties; `required` lists the ones that must be present.
    public static func object(
        _ description: String? = nil, properties: [String: OpenAPISchema], required: [String] = []
    ) -> OpenAPISchema {
        var keywords: [String: JSONValue] = ["type": .string("object")]
        if !properties.isEmpty {
            keywords["properties"] = .object(properties.mapValues(\.json))
        }
        if !required.isEmpty {
            keywords["required"] = .array(required.sorted().map(JSONValue.string))
        }
        return OpenAPISchema(keywords: keywords).describing(description)
    }

    /// An object with free-form string values (`map[string]string`).
    public static func stringMap(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: [
            "type": .string("object"),
            "additionalProperties": .object(["type": .string("string")]),
        ]).describing(description)
    }

    public static func string(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("string")]).describing(description)
    }

    /// An RFC 3339 timestamp (`metav1.Time`).
    public static func dateTime(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("string"), "format": .string("date-time")]).describing(description)
    }

    public static func int32(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("integer"), "format": .string("int32")]).describing(description)
    }

    public static func int64(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("integer"), "format": .string("int64")]).describing(description)
    }

    public static func boolean(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("boolean")]).describing(description)
    }

    /// A list whose items follow `items`.
    public static func array(_ description: String? = nil, of items: OpenAPISchema) -> OpenAPISchema {
        OpenAPISchema(keywords: ["type": .string("array"), "items": items.json]).describing(description)
    }

    /// `intstr.IntOrString`: a port number or a port name.
    public static func intOrString(_ description: String? = nil) -> OpenAPISchema {
        OpenAPISchema(keywords: [
            "anyOf": .array([.object(["type": .string("integer")]), .object(["type": .string("string")])]),
            "x-kubernetes-int-or-string": .bool(true),
        ]).describing(description)
    }

    // MARK: Constraints

    public func describing(_ description: String?) -> OpenAPISchema {
        guard let description, !description.isEmpty else { return self }
        return setting("description", .string(description))
    }

    public func enumValues(_ values: [String]) -> OpenAPISchema {
        setting("enum", .array(values.map(JSONValue.string)))
    }

    public func enumValues(_ values: [Int64]) -> OpenAPISchema {
        setting("enum", .array(values.map(JSONValue.int)))
    }

    public func defaultValue(_ value: JSONValue) -> OpenAPISchema { setting("default", value) }
    public func minimum(_ value: Int64) -> OpenAPISchema { setting("minimum", .int(value)) }
    public func maximum(_ value: Int64) -> OpenAPISchema { setting("maximum", .int(value)) }
    public func minLength(_ value: Int64) -> OpenAPISchema { setting("minLength", .int(value)) }
    public func maxLength(_ value: Int64) -> OpenAPISchema { setting("maxLength", .int(value)) }
    public func minItems(_ value: Int64) -> OpenAPISchema { setting("minItems", .int(value)) }
    public func maxItems(_ value: Int64) -> OpenAPISchema { setting("maxItems", .int(value)) }
    public func pattern(_ value: String) -> OpenAPISchema { setting("pattern", .string(value)) }

    /// `x-kubernetes-list-type: atomic`: the list is replaced as a whole by apply.
    public func atomicList() -> OpenAPISchema { setting("x-kubernetes-list-type", .string("atomic")) }

    /// `x-kubernetes-list-type: map` keyed by `keys`: items are merged by key and keys are unique.
    public func listMap(keys: [String]) -> OpenAPISchema {
        setting("x-kubernetes-list-type", .string("map"))
            .setting("x-kubernetes-list-map-keys", .array(keys.map(JSONValue.string)))
    }

    /// `x-kubernetes-map-type: atomic`: the object is replaced as a whole by apply.
    public func atomicMap() -> OpenAPISchema { setting("x-kubernetes-map-type", .string("atomic")) }

    /// `x-kubernetes-preserve-unknown-fields: true`.
    public func preservingUnknownFields() -> OpenAPISchema {
        setting("x-kubernetes-preserve-unknown-fields", .bool(true))
    }

    /// Adds CEL rules (`x-kubernetes-validations`), each with its message.
    public func validations(_ rules: [(rule: String, message: String)]) -> OpenAPISchema {
        var existing = keywords["x-kubernetes-validations"]?.arrayValue ?? []
        existing += rules.map { .object(["rule": .string($0.rule), "message": .string($0.message)]) }
        return setting("x-kubernetes-validations", .array(existing))
    }

    /// Adds or replaces properties of an object schema.
    public func addingProperties(_ properties: [String: OpenAPISchema], required: [String] = []) -> OpenAPISchema {
        var copy = self
        var existing = keywords["properties"]?.objectValue ?? [:]
        for (name, schema) in properties { existing[name] = schema.json }
        copy.keywords["properties"] = .object(existing)
        if !required.isEmpty {
            let all = Set((keywords["required"]?.arrayValue ?? []).compactMap(\.stringValue)).union(required)
            copy.keywords["required"] = .array(all.sorted().map(JSONValue.string))
        }
        return copy
    }

    private func setting(_ key: String, _ value: JSONValue) -> OpenAPISchema {
        var copy = self
        copy.keywords[key] = value
        return copy
    }
}
