import KubeModel
import Testing

@testable import KubeServer

@Suite("CRD schema checks on create")
struct SchemaCheckTests {
    static let root = FieldPath("spec.versions[0].schema.openAPIV3Schema")

    static func errors(_ schema: JSONValue) -> [String] {
        StructuralSchema.parse(schema, at: root).errors.map(\.description)
    }

    @Test("accepts a structural schema with rules, defaults and list types")
    func acceptsStructural() {
        let schema: JSONValue = [
            "type": "object",
            "x-kubernetes-validations": [["rule": "size(self.metadata.name) < 64"]],
            "properties": [
                "metadata": ["type": "object"],
                "spec": [
                    "type": "object",
                    "properties": [
                        "replicas": ["type": "integer", "default": 1, "maximum": 10],
                        "ports": [
                            "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"],
                            "items": ["type": "object", "required": ["port"], "properties": ["port": ["type": "integer"]]],
                        ],
                        "config": ["x-kubernetes-preserve-unknown-fields": true],
                        "port": ["x-kubernetes-int-or-string": true, "anyOf": [["type": "integer"], ["type": "string"]]],
                    ],
                    "x-kubernetes-validations": [["rule": "!has(self.replicas) || self.replicas >= 0", "reason": "FieldValueForbidden"]],
                ],
            ],
        ]
        #expect(SchemaCheckTests.errors(schema) == [])
    }

    @Test("requires types for specified fields and items")
    func missingTypes() {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["spec": ["properties": ["list": ["type": "array", "items": ["description": "x"]]]]],
        ]
        #expect(SchemaCheckTests.errors(schema) == [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[list].items.type: Required value: must not be empty for specified array items",
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
        ])
        #expect(SchemaCheckTests.errors(["properties": [:]]) == [
            "spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root",
        ])
    }

    @Test("rejects a default that does not match its schema")
    func invalidDefault() {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["spec": ["type": "object", "properties": ["replicas": ["type": "integer", "maximum": 10, "default": 11]]]],
        ]
        #expect(SchemaCheckTests.errors(schema) == [
            "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: 11: in body should be less than or equal to 10",
        ])
    }

    @Test("rejects rules that do not compile, naming the rule and the problem", arguments: [
        ("self.spec.size() > foo(1)", "compilation failed: ERROR: <input>:1:20: undeclared reference to 'foo' (in container '')"),
        ("self.type == 'stdio'", "compilation failed: ERROR: <input>:1:5: undefined field 'type'"),
        ("timestamp(self.spec) > 0", "compilation failed: ERROR: <input>:1:1: function 'timestamp' is not supported by this server's CEL subset"),
    ])
    func uncompilableRules(_ rule: String, _ detail: String) {
        let schema: JSONValue = [
            "type": "object",
            "x-kubernetes-validations": [["rule": .string(rule)]],
            "properties": ["spec": ["type": "object"]],
        ]
        #expect(SchemaCheckTests.errors(schema) == [
            "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-validations[0].rule: Invalid value: \(GoSyntax.quoted(rule)): \(detail)",
        ])
    }

    @Test("rejects malformed rule fields and list types")
    func malformedExtensions() {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "spec": [
                    "type": "object",
                    "x-kubernetes-validations": [["rule": "true", "reason": "Bogus", "messageExpression": "'x'"]],
                    "properties": [
                        "list": ["type": "array", "x-kubernetes-list-type": "map", "items": ["type": "object"]],
                        "tags": ["type": "array", "uniqueItems": true, "items": ["type": "string"]],
                    ],
                ],
            ],
        ]
        let prefix = "spec.versions[0].schema.openAPIV3Schema.properties[spec]"
        #expect(Set(SchemaCheckTests.errors(schema)) == [
            "\(prefix).properties[list].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map",
            "\(prefix).properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic",
            "\(prefix).x-kubernetes-validations[0].messageExpression: Invalid value: \"'x'\": messageExpression is not supported by this server; use message",
            "\(prefix).x-kubernetes-validations[0].reason: Unsupported value: \"Bogus\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"",
        ])
    }
}
