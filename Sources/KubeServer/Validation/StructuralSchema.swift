import KubeModel

// A CRD version's `openAPIV3Schema`, parsed into a value the validator, defaulter and pruner walk.
// Mirrors apiextensions-apiserver's `schema.Structural`: the generic and extension fields of each
// node plus the value validations (including allOf/anyOf/oneOf/not, which only validate values
// and never add fields). Parsing is lenient; `StructuralSchema.check` reports what a real server
// rejects when the CRD is created.

/// `additionalProperties`: either a boolean or a schema for every value of a map.
public indirect enum AdditionalProperties: Sendable {
    case allowed(Bool)
    case schema(StructuralSchema)
}

/// One `x-kubernetes-validations` entry.
public struct ValidationRule: Sendable {
    public var rule: String
    public var message: String
    public var messageExpression: String
    /// `FieldValueInvalid` (default), `FieldValueForbidden`, `FieldValueRequired` or `FieldValueDuplicate`.
    public var reason: String
    /// A relative JSON path such as `.spec.ports`, appended to the error path.
    public var fieldPath: String
    public var optionalOldSelf: Bool
    /// The compiled rule; `nil` when it did not compile (then it is reported by `check` and skipped).
    public var program: CELProgram?

    public init(
        rule: String, message: String = "", messageExpression: String = "", reason: String = "",
        fieldPath: String = "", optionalOldSelf: Bool = false
    ) {
        self.rule = rule
        self.message = message
        self.messageExpression = messageExpression
        self.reason = reason
        self.fieldPath = fieldPath
        self.optionalOldSelf = optionalOldSelf
        self.program = try? CELProgram(compiling: rule)
    }
}

/// The structural form of an OpenAPI v3 schema as the apiserver uses it for custom resources.
public struct StructuralSchema: Sendable {
    public var type: String = ""
    public var format: String = ""
    public var description: String = ""
    public var nullable = false
    public var defaultValue: JSONValue?
    public var properties: [String: StructuralSchema] = [:]
    public var required: [String] = []
    public var additionalProperties: AdditionalProperties?
    public var enumValues: [JSONValue]?
    public var maximum: JSONValue?
    public var exclusiveMaximum = false
    public var minimum: JSONValue?
    public var exclusiveMinimum = false
    public var multipleOf: JSONValue?
    public var pattern: String?
    public var minLength: Int64?
    public var maxLength: Int64?
    public var minItems: Int64?
    public var maxItems: Int64?
    public var uniqueItems = false
    public var minProperties: Int64?
    public var maxProperties: Int64?
    public var preservesUnknownFields = false
    public var isIntOrString = false
    public var isEmbeddedResource = false
    /// `atomic`, `set` or `map`; `nil` when unspecified (atomic).
    public var listType: String?
    public var listMapKeys: [String] = []
    /// `granular` or `atomic`.
    public var mapType: String?
    public var validationRules: [ValidationRule] = []
    public var allOf: [StructuralSchema] = []
    public var anyOf: [StructuralSchema] = []
    public var oneOf: [StructuralSchema] = []
    /// The raw JSON this node was parsed from (kept for error messages and re-serialisation).
    public var source: JSONValue = .emptyObject

    // Recursive single children are stored in arrays so the struct stays a plain value type.
    private var itemsStorage: [StructuralSchema] = []
    private var notStorage: [StructuralSchema] = []

    public var items: StructuralSchema? {
        get { itemsStorage.first }
        set { itemsStorage = newValue.map { [$0] } ?? [] }
    }

    public var not: StructuralSchema? {
        get { notStorage.first }
        set { notStorage = newValue.map { [$0] } ?? [] }
    }

    public init() {}

    /// Parses a schema leniently: unknown keys are ignored, malformed values are treated as absent.
    public init(_ json: JSONValue) {
        source = json
        guard let object = json.objectValue else { return }
        type = object["type"]?.stringValue ?? ""
        format = object["format"]?.stringValue ?? ""
        description = object["description"]?.stringValue ?? ""
        nullable = object["nullable"]?.boolValue ?? false
        defaultValue = object["default"]
        if let members = object["properties"]?.objectValue {
            properties = members.mapValues { StructuralSchema($0) }
        }
        required = object["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let items = object["items"], items.objectValue != nil {
            self.items = StructuralSchema(items)
        }
        switch object["additionalProperties"] {
        case .bool(let flag)?: additionalProperties = .allowed(flag)
        case .object(let schema)?: additionalProperties = .schema(StructuralSchema(.object(schema)))
        default: break
        }
        enumValues = object["enum"]?.arrayValue
        maximum = object["maximum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        minimum = object["minimum"].flatMap { $0.doubleValue == nil ? nil : $0 }
        multipleOf = object["multipleOf"].flatMap { $0.doubleValue == nil ? nil : $0 }
        exclusiveMaximum = object["exclusiveMaximum"]?.boolValue ?? false
        exclusiveMinimum = object["exclusiveMinimum"]?.boolValue ?? false
        pattern = object["pattern"]?.stringValue
        minLength = object["minLength"]?.intValue
        maxLength = object["maxLength"]?.intValue
        minItems = object["minItems"]?.intValue
        maxItems = object["maxItems"]?.intValue
        uniqueItems = object["uniqueItems"]?.boolValue ?? false
        minProperties = object["minProperties"]?.intValue
        maxProperties = object["maxProperties"]?.intValue
        preservesUnknownFields = object["x-kubernetes-preserve-unknown-fields"]?.boolValue ?? false
        isIntOrString = object["x-kubernetes-int-or-string"]?.boolValue ?? false
        isEmbeddedResource = object["x-kubernetes-embedded-resource"]?.boolValue ?? false
        listType = object["x-kubernetes-list-type"]?.stringValue
        listMapKeys = object["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
        mapType = object["x-kubernetes-map-type"]?.stringValue
        validationRules = (object["x-kubernetes-validations"]?.arrayValue ?? []).map { entry in
            ValidationRule(
                rule: entry["rule"]?.stringValue ?? "",
                message: entry["message"]?.stringValue ?? "",
                messageExpression: entry["messageExpression"]?.stringValue ?? "",
                reason: entry["reason"]?.stringValue ?? "",
                fieldPath: entry["fieldPath"]?.stringValue ?? "",
                optionalOldSelf: entry["optionalOldSelf"]?.boolValue ?? false)
        }
        allOf = object["allOf"]?.arrayValue?.map { StructuralSchema($0) } ?? []
        anyOf = object["anyOf"]?.arrayValue?.map { StructuralSchema($0) } ?? []
        oneOf = object["oneOf"]?.arrayValue?.map { StructuralSchema($0) } ?? []
        if let not = object["not"], not.objectValue != nil {
            self.not = StructuralSchema(not)
        }
    }

    /// Parses `json` and checks it as the apiserver does on CRD create/update, reporting errors
    /// under `path` (e.g. `spec.versions[0].schema.openAPIV3Schema`).
    public static func parse(_ json: JSONValue, at path: FieldPath) -> (schema: StructuralSchema, errors: [FieldError]) {
        let schema = StructuralSchema(json)
        return (schema, schema.check(at: path))
    }

    /// The schema of a property, of map values (`additionalProperties`), or `nil` when unknown.
    public func schema(forProperty name: String) -> StructuralSchema? {
        if let property = properties[name] { return property }
        if case .schema(let values)? = additionalProperties { return values }
        return nil
    }

    /// Whether `type` (or int-or-string) admits the JSON value's type.
    func admitsType(of value: JSONValue) -> Bool {
        if isIntOrString {
            if case .string = value { return true }
            return value.intValue != nil
        }
        switch type {
        case "": return true
        case "integer": return value.intValue != nil && value.doubleValue != nil
        case "number": return value.doubleValue != nil
        case "string": return value.stringValue != nil
        case "boolean": return value.boolValue != nil
        case "array": return value.arrayValue != nil
        case "object": return value.objectValue != nil
        default: return false
        }
    }
}
