import KubeModel
import KubeServer
import Testing

/// YAML request bodies become JSON with YAML 1.2 core-schema typing, as sigs.k8s.io/yaml reads them.
@Suite struct YAMLDocumentTests {
    @Test func plainScalarsAreTypedAndQuotedOnesStayStrings() throws {
        let yaml = """
            served: true
            storage: False
            replicas: 3
            ratio: 0.5
            empty: null
            name: app
            quoted: "true"
            port: '80'
            list: [1, two]
            """
        let value = try YAMLDocument.parse(Array(yaml.utf8))
        #expect(
            value
                == .object([
                    "served": .bool(true), "storage": .bool(false), "replicas": .int(3), "ratio": .double(0.5),
                    "empty": .null, "name": .string("app"), "quoted": .string("true"), "port": .string("80"),
                    "list": .array([.int(1), .string("two")]),
                ]))
    }
}
