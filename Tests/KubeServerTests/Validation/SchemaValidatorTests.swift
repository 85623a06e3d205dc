import KubeModel
import Testing

@testable import KubeServer

@Suite("Custom resource schema validation")
struct SchemaValidatorTests {
    static let schema = StructuralSchema([
        "type": "object",
        "properties": [
            "metadata": ["type": "object", "properties": ["name": ["type": "string", "maxLength": 20]]],
            "spec": [
                "type": "object",
                "required": ["ports"],
                "properties": [
                    "color": ["type": "string", "enum": ["red", "green", "blue"]],
                    "replicas": ["type": "integer", "minimum": 1, "maximum": 10],
                    "ratio": ["type": "number", "exclusiveMaximum": true, "maximum": 1.5, "multipleOf": 0.5],
                    "name": ["type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"],
                    "ports": [
                        "type": "array", "maxItems": 2, "minItems": 1,
                        "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port"],
                        "items": ["type": "object", "properties": ["port": ["type": "integer"], "name": ["type": "string"]]],
                    ],
                    "tags": ["type": "array", "x-kubernetes-list-type": "set", "items": ["type": "string"]],
                    "port": ["x-kubernetes-int-or-string": true],
                    "labels": ["type": "object", "additionalProperties": ["type": "string", "maxLength": 3]],
                    "created": ["type": "string", "format": "date-time"],
                    "optional": ["type": "string", "nullable": true],
                ],
            ],
        ],
    ])

    static func object(spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": spec]
    }

    @Test("accepts a valid object")
    func acceptsValid() {
        let valid = SchemaValidatorTests.object(spec: [
            "color": "red", "replicas": .double(3), "ratio": 1, "name": "abc", "ports": [["port": 80]],
            "tags": ["a", "b"], "port": "http", "labels": ["a": "x"], "created": "2024-01-02T03:04:05Z", "optional": nil,
        ])
        #expect(validate(valid, schema: SchemaValidatorTests.schema).isEmpty)
    }

    struct MessageCase: Sendable, CustomTestStringConvertible {
        let spec: JSONValue
        let messages: [String]
        init(_ spec: JSONValue, _ messages: String...) {
            self.spec = spec
            self.messages = messages
        }
        var testDescription: String { messages[0] }
    }

    static let messageCases: [MessageCase] = [
        MessageCase(["color": "purple", "ports": [["port": 1]]],
         "spec.color: Unsupported value: \"purple\": supported values: \"red\", \"green\", \"blue\""),
        MessageCase(["replicas": 11, "ports": [["port": 1]]], "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10"),
        MessageCase(["replicas": 0, "ports": [["port": 1]]], "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1"),
        MessageCase(["ratio": 1.5, "ports": [["port": 1]]], "spec.ratio: Invalid value: 1.5: spec.ratio in body should be less than 1.5"),
        MessageCase(["ratio": 0.7, "ports": [["port": 1]]], "spec.ratio: Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5"),
        MessageCase(["name": "", "ports": [["port": 1]]], "spec.name: Invalid value: \"\": spec.name in body should be at least 1 chars long",
                    "spec.name: Invalid value: \"\": spec.name in body should match '^[a-z]+$'"),
        MessageCase(["name": "A", "ports": [["port": 1]]], "spec.name: Invalid value: \"A\": spec.name in body should match '^[a-z]+$'"),
        MessageCase(["name": "abcdef", "ports": [["port": 1]]], "spec.name: Too long: may not be more than 5 bytes"),
        MessageCase([:], "spec.ports: Required value"),
        MessageCase(["replicas": "string", "ports": [["port": 1]]],
         "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""),
        MessageCase(["replicas": 2.5, "ports": [["port": 1]]],
         "spec.replicas: Invalid value: \"number\": spec.replicas in body must be of type integer: \"number\""),
        MessageCase(["name": nil, "ports": [["port": 1]]], "spec.name: Invalid value: \"null\": spec.name in body must be of type string: \"null\""),
        MessageCase(["ports": [["port": 1], ["port": 2], ["port": 3]]], "spec.ports: Too many: 3: must have at most 2 items"),
        MessageCase(["ports": []], "spec.ports: Invalid value: 0: spec.ports in body should have at least 1 items"),
        MessageCase(["ports": [["port": 1], ["port": 1]]], "spec.ports[1]: Duplicate value: map[string]interface {}{\"port\":1}"),
        MessageCase(["ports": [["port": 1]], "tags": ["a", "a"]], "spec.tags[1]: Duplicate value: \"a\""),
        MessageCase(["ports": [["port": "x"]]], "spec.ports[0].port: Invalid value: \"string\": spec.ports[0].port in body must be of type integer: \"string\""),
        MessageCase(["ports": [["port": 1]], "port": true],
         "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""),
        MessageCase(["ports": [["port": 1]], "labels": ["a": "long"]], "spec.labels.a: Too long: may not be more than 3 bytes"),
        MessageCase(["ports": [["port": 1]], "created": "yesterday"],
         "spec.created: Invalid value: \"yesterday\": spec.created in body must be of type date-time: \"yesterday\""),
    ]

    @Test("reports the messages a real apiserver gives", arguments: messageCases)
    func reportsMessages(_ testCase: MessageCase) {
        let errors = validate(SchemaValidatorTests.object(spec: testCase.spec), schema: SchemaValidatorTests.schema)
        #expect(errors.map(\.description) == testCase.messages)
    }

    @Test("checks metadata.name only against the schema's name constraint")
    func metadataName() {
        var object = SchemaValidatorTests.object(spec: ["ports": [["port": 1]]])
        object[path: ["metadata", "name"]] = "a-name-that-is-far-too-long"
        object[path: ["metadata", "labels"]] = ["anything": "goes"]
        #expect(validate(object, schema: SchemaValidatorTests.schema).map(\.description) == ["metadata.name: Too long: may not be more than 20 bytes"])
    }

    static let ruleSchema = StructuralSchema([
        "type": "object",
        "x-kubernetes-validations": [["rule": "size(self.metadata.name) < 5"]],
        "properties": [
            "spec": [
                "type": "object",
                "x-kubernetes-validations": [
                    ["rule": "self.min <= self.max", "message": "min must not exceed max"],
                    ["rule": "self.min != 3", "reason": "FieldValueForbidden", "fieldPath": ".min", "message": "three is forbidden"],
                    ["rule": "self.max == oldSelf.max", "message": "max is immutable"],
                ],
                "properties": [
                    "min": ["type": "integer"],
                    "max": ["type": "integer"],
                    "mode": ["type": "string", "x-kubernetes-validations": [["rule": "self.size() > 1"]]],
                    "items": [
                        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": [
                            "type": "object",
                            "properties": ["name": ["type": "string"], "value": ["type": "integer"]],
                            "x-kubernetes-validations": [["rule": "self.value >= oldSelf.value", "message": "value may not decrease"]],
                        ],
                    ],
                ],
            ],
        ],
    ])

    static func ruleObject(name: String = "ok", spec: JSONValue) -> JSONValue {
        ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test("reports failing x-kubernetes-validations rules like the apiserver")
    func rules() {
        let errors = validate(SchemaValidatorTests.ruleObject(name: "toolong", spec: ["min": 3, "max": 2, "mode": "x"]),
                              schema: SchemaValidatorTests.ruleSchema)
        #expect(errors.map(\.description) == [
            "<nil>: Invalid value: \"object\": failed rule: size(self.metadata.name) < 5",
            "spec: Invalid value: \"object\": min must not exceed max",
            "spec.min: Forbidden: three is forbidden",
            "spec.mode: Invalid value: \"string\": failed rule: self.size() > 1",
        ])
    }

    @Test("runs transition rules only on update, correlating list-map items by key")
    func transitionRules() {
        let schema = SchemaValidatorTests.ruleSchema
        let old = SchemaValidatorTests.ruleObject(spec: ["min": 1, "max": 5, "items": [["name": "a", "value": 2], ["name": "b", "value": 2]]])
        let new = SchemaValidatorTests.ruleObject(spec: ["min": 1, "max": 6, "items": [["name": "b", "value": 1], ["name": "c", "value": 0]]])
        #expect(validate(new, schema: schema).isEmpty)
        #expect(validate(new, schema: schema, oldValue: old).map(\.description) == [
            "spec: Invalid value: \"object\": max is immutable",
            "spec.items[0]: Invalid value: \"object\": value may not decrease",
        ])
    }

    static let boundedRuleSchema = StructuralSchema([
        "type": "object",
        "properties": [
            "spec": [
                "type": "object",
                "x-kubernetes-validations": [["rule": "self.n != 7", "message": "n must not be 7"]],
                "properties": [
                    "n": ["type": "integer", "minimum": 8, "maximum": 9],
                    "s": ["type": "string", "maxLength": 2, "minLength": 1],
                    "e": ["type": "string", "enum": ["a"]],
                    "l": ["type": "array", "maxItems": 1, "items": ["type": "string"]],
                ],
                "required": ["n"],
            ],
        ],
    ])

    @Test("runs rules after value errors but not after apiextensions' blocking errors")
    func blockingErrors() {
        let skipped = "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"
        let schema = SchemaValidatorTests.boundedRuleSchema
        // Bounds, minLength: the rule still runs and both are reported, as a kube-apiserver does.
        #expect(validate(SchemaValidatorTests.ruleObject(spec: ["n": 7, "s": ""]), schema: schema).map(\.description) == [
            "spec.n: Invalid value: 7: spec.n in body should be greater than or equal to 8",
            "spec.s: Invalid value: \"\": spec.s in body should be at least 1 chars long",
            "spec: Invalid value: \"object\": n must not be 7",
        ])
        // Too long, too many, unsupported, required: the rules are skipped.
        for spec: JSONValue in [["n": 7, "s": "abc"], ["n": 7, "l": ["a", "b"]], ["n": 7, "e": "b"], ["s": "a"]] {
            let errors = validate(SchemaValidatorTests.ruleObject(spec: spec), schema: schema).map(\.description)
            #expect(errors.last == skipped, "\(spec): \(errors)")
            #expect(!errors.contains { $0.contains("n must not be 7") }, "\(spec): \(errors)")
        }
        // A blocking error in the object's metadata (validated apart) skips them too.
        let metadataError = FieldError(.tooLong, field: "metadata.name", badValue: "x", detail: "must be no more than 253 characters")
        #expect(validate(SchemaValidatorTests.ruleObject(spec: ["n": 7]), schema: schema, precedingErrors: [metadataError]).map(\.description) == [
            "spec.n: Invalid value: 7: spec.n in body should be greater than or equal to 8", skipped,
        ])
        let invalidName = FieldError.invalid("metadata.name", "X", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters")
        #expect(validate(SchemaValidatorTests.ruleObject(spec: ["n": 7]), schema: schema, precedingErrors: [invalidName]).map(\.description) == [
            "spec.n: Invalid value: 7: spec.n in body should be greater than or equal to 8",
            "spec: Invalid value: \"object\": n must not be 7",
        ])
    }

    @Test("reports rule evaluation errors and skips rules after type errors")
    func ruleErrors() {
        let missing = validate(SchemaValidatorTests.ruleObject(spec: ["max": 1]), schema: SchemaValidatorTests.ruleSchema)
        #expect(missing.map(\.description).contains("spec: Invalid value: \"object\": no such key: min evaluating rule: min must not exceed max"))
        let wrongType = validate(SchemaValidatorTests.ruleObject(spec: ["min": "x", "max": 1]), schema: SchemaValidatorTests.ruleSchema)
        #expect(wrongType.map(\.description) == [
            "spec.min: Invalid value: \"string\": spec.min in body must be of type integer: \"string\"",
            "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
        ])
    }
}
