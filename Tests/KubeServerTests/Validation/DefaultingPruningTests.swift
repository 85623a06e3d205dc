import KubeModel
import Testing

@testable import KubeServer

@Suite("Structural defaulting and pruning")
struct DefaultingPruningTests {
    static let schema = StructuralSchema([
        "type": "object",
        "properties": [
            "spec": [
                "type": "object",
                "default": [:],
                "properties": [
                    "replicas": ["type": "integer", "default": 1],
                    "mode": ["type": "string", "default": "auto"],
                    "note": ["type": "string"],
                    "maybe": ["type": "string", "nullable": true, "default": "x"],
                    "ports": [
                        "type": "array",
                        "items": ["type": "object", "properties": ["protocol": ["type": "string", "default": "TCP"], "port": ["type": "integer"]]],
                    ],
                    "labels": ["type": "object", "additionalProperties": ["type": "object", "properties": ["weight": ["type": "integer", "default": 5]]]],
                    "raw": ["type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": ["known": ["type": "object", "properties": ["a": ["type": "string"]]]]],
                    "template": ["type": "object", "x-kubernetes-embedded-resource": true, "properties": ["spec": ["type": "object"]]],
                ],
            ],
        ],
    ])

    @Test("fills missing properties recursively, including inside an applied default")
    func defaultsMissing() {
        var object: JSONValue = ["apiVersion": "v1", "kind": "W", "metadata": ["name": "w"]]
        applyDefaults(to: &object, schema: DefaultingPruningTests.schema)
        #expect(object["spec"] == ["replicas": 1, "mode": "auto", "maybe": "x"])
    }

    @Test("defaults list items and map values, keeps explicit values, handles nulls")
    func defaultsNested() {
        var object: JSONValue = [
            "spec": [
                "replicas": 3, "mode": nil, "note": nil, "maybe": nil,
                "ports": [["port": 80], ["port": 53, "protocol": "UDP"]],
                "labels": ["a": [:]],
            ],
        ]
        applyDefaults(to: &object, schema: DefaultingPruningTests.schema)
        #expect(object["spec"] == [
            "replicas": 3, "mode": "auto", "maybe": nil,
            "ports": [["port": 80, "protocol": "TCP"], ["port": 53, "protocol": "UDP"]],
            "labels": ["a": ["weight": 5]],
        ])
    }

    @Test("prunes unknown fields and reports their paths")
    func prunesUnknown() {
        var object: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "W", "metadata": ["name": "w", "labels": ["x": "y"]],
            "extra": 1,
            "spec": [
                "replicas": 1, "foo": "bar",
                "ports": [["port": 80, "bogus": true]],
                "labels": ["a": ["weight": 1, "junk": 2]],
                "raw": ["anything": ["goes": 1], "known": ["a": "x", "b": "dropped"]],
                "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": ["free": 1], "status": [:]],
            ],
        ]
        let pruned = prune(&object, schema: DefaultingPruningTests.schema)
        #expect(pruned == [
            "extra", "spec.foo", "spec.labels.a.junk", "spec.ports[0].bogus", "spec.raw.known.b", "spec.template.spec.free", "spec.template.status",
        ])
        #expect(object == [
            "apiVersion": "example.com/v1", "kind": "W", "metadata": ["name": "w", "labels": ["x": "y"]],
            "spec": [
                "replicas": 1,
                "ports": [["port": 80]],
                "labels": ["a": ["weight": 1]],
                "raw": ["anything": ["goes": 1], "known": ["a": "x"]],
                "template": ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"], "spec": [:]],
            ],
        ])
        // Pruning is idempotent: nothing is left to prune.
        #expect(prune(&object, schema: DefaultingPruningTests.schema).isEmpty)
    }
}
