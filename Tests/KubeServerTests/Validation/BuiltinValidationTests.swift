import KubeModel
import Testing

@testable import KubeServer

@Suite("Built-in kind validation")
struct BuiltinValidationTests {
    static func service(_ spec: JSONValue) -> JSONValue { ["metadata": ["name": "svc"], "spec": spec] }

    @Test("accepts valid Services", arguments: [
        ["ports": [["port": 80]]] as JSONValue,
        ["type": "NodePort", "ports": [["name": "http", "port": 80, "targetPort": "web"], ["name": "dns", "port": 53, "protocol": "UDP"]]],
        ["type": "ExternalName", "externalName": "db.example.com"],
        ["clusterIP": "None"],
    ])
    func validServices(_ spec: JSONValue) {
        #expect(validateBuiltin(kind: "Service", object: BuiltinValidationTests.service(spec), old: nil).isEmpty)
    }

    static let invalidServiceCases: [ValidationCase] = [
        ValidationCase([:], ["spec.ports: Required value"]),
        ValidationCase(["ports": [["port": 0]]], ["spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"]),
        ValidationCase(["ports": [["port": 80, "protocol": "HTTP"]]], ["spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""]),
        ValidationCase(["type": "Magic", "ports": [["port": 80]]], ["spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""]),
        ValidationCase(["ports": [["port": 80], ["name": "b", "port": 81]]], ["spec.ports[0].name: Required value"]),
        ValidationCase(["ports": [["name": "a", "port": 80], ["name": "a", "port": 81]]], ["spec.ports[1].name: Duplicate value: \"a\""]),
        ValidationCase(["ports": [["name": "a", "port": 80], ["name": "b", "port": 80]]], ["spec.ports[1]: Duplicate value: \"object\""]),
        ValidationCase(["ports": [["name": "Web", "port": 80]]], ["spec.ports[0].name: Invalid value: \"Web\": \(ObjectMetaValidationTests.labelMessage)"]),
        ]

    @Test("rejects invalid Services with the real messages", arguments: invalidServiceCases)
    func invalidServices(_ testCase: ValidationCase) {
        #expect(validateBuiltin(kind: "Service", object: BuiltinValidationTests.service(testCase.input), old: nil).map(\.description) == testCase.messages)
    }

    @Test("forbids changing the cluster IP on update")
    func clusterIPImmutable() {
        let old = BuiltinValidationTests.service(["clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "ports": [["port": 80]]])
        let changed = BuiltinValidationTests.service(["clusterIP": "10.96.0.11", "clusterIPs": ["10.96.0.11"], "ports": [["port": 80]]])
        let unset = BuiltinValidationTests.service(["ports": [["port": 80]]])
        #expect(validateBuiltin(kind: "Service", object: changed, old: old).map(\.description) == [
            "spec.clusterIPs[0]: Invalid value: \"array\": may not change once set",
        ])
        #expect(validateBuiltin(kind: "Service", object: unset, old: old).isEmpty)
        #expect(validateBuiltin(kind: "Service", object: old, old: old).isEmpty)
    }

    @Test("validates Pod containers")
    func pods() {
        let pod: JSONValue = ["spec": ["containers": [["name": "Web", "image": "nginx"], ["name": "side"], ["name": "side", "image": "x"]]]]
        #expect(validateBuiltin(kind: "Pod", object: pod, old: nil).map(\.description) == [
            "spec.containers[0].name: Invalid value: \"Web\": \(ObjectMetaValidationTests.labelMessage)",
            "spec.containers[1].image: Required value",
            "spec.containers[2].name: Duplicate value: \"side\"",
        ])
        #expect(validateBuiltin(kind: "Pod", object: ["spec": [:]], old: nil).map(\.description) == ["spec.containers: Required value"])
    }

    @Test("requires a Deployment selector matching the template labels")
    func deployments() {
        func deployment(selector: JSONValue?, labels: JSONValue) -> JSONValue {
            var spec: JSONValue = ["template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "c", "image": "i"]]]]]
            spec["selector"] = selector
            return ["spec": spec]
        }
        #expect(validateBuiltin(kind: "Deployment", object: deployment(selector: ["matchLabels": ["app": "web"]], labels: ["app": "web", "x": "y"]), old: nil).isEmpty)
        #expect(validateBuiltin(kind: "Deployment", object: deployment(selector: nil, labels: [:]), old: nil).map(\.description) == ["spec.selector: Required value"])
        #expect(validateBuiltin(kind: "Deployment", object: deployment(selector: ["matchLabels": ["app": "web"]], labels: ["app": "db"]), old: nil).map(\.description) == [
            "spec.template.metadata.labels: Invalid value: \"object\": `selector` does not match template `labels`",
        ])
        let expressions: JSONValue = ["matchExpressions": [["key": "tier", "operator": "In", "values": ["a", "b"]]]]
        #expect(validateBuiltin(kind: "Deployment", object: deployment(selector: expressions, labels: ["tier": "b"]), old: nil).isEmpty)
    }

    static let endpointSliceCases: [ValidationCase] = [
        ValidationCase([:], ["addressType: Required value"]),
        ValidationCase(["addressType": "IPv5"], ["addressType: Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""]),
        ValidationCase(["addressType": "IPv4", "endpoints": [["addresses": ["10.0.0.1"]]]], []),
        ValidationCase(["addressType": "IPv6", "endpoints": [["addresses": ["fd00::1"]]]], []),
        ]

    @Test("validates EndpointSlice address types", arguments: endpointSliceCases)
    func endpointSlices(_ testCase: ValidationCase) {
        #expect(validateBuiltin(kind: "EndpointSlice", object: testCase.input, old: nil).map(\.description) == testCase.messages)
    }

    @Test("validates Lease durations")
    func leases() {
        #expect(validateBuiltin(kind: "Lease", object: ["spec": ["leaseDurationSeconds": 0]], old: nil).map(\.description) == [
            "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
        ])
        #expect(validateBuiltin(kind: "Lease", object: ["spec": ["holderIdentity": "a", "leaseDurationSeconds": 15]], old: nil).isEmpty)
    }

    static func crd(name: String = "widgets.example.com", scope: String = "Namespaced", versions: JSONValue? = nil) -> JSONValue {
        [
            "metadata": ["name": .string(name)],
            "spec": [
                "group": "example.com", "scope": .string(scope),
                "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
                "versions": versions ?? [["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object"]]]],
            ],
        ]
    }

    @Test("validates CustomResourceDefinitions")
    func customResourceDefinitions() {
        #expect(validateBuiltin(kind: "CustomResourceDefinition", object: BuiltinValidationTests.crd(), old: nil).isEmpty)
        #expect(validateBuiltin(kind: "CustomResourceDefinition", object: BuiltinValidationTests.crd(name: "gadgets.example.com"), old: nil).map(\.description) == [
            "metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group",
        ])
        #expect(validateBuiltin(kind: "CustomResourceDefinition", object: BuiltinValidationTests.crd(scope: "Global"), old: nil).map(\.description) == [
            "spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", \"Namespaced\"",
        ])
        let twoStorage: JSONValue = [
            ["name": "v1", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object"]]],
            ["name": "v2", "served": true, "storage": true, "schema": ["openAPIV3Schema": ["type": "object", "properties": ["spec": [:]]]]],
        ]
        #expect(validateBuiltin(kind: "CustomResourceDefinition", object: BuiltinValidationTests.crd(versions: twoStorage), old: nil).map(\.description) == [
            "spec.versions[1].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
            "spec.versions: Invalid value: \"array\": must have exactly one version marked as storage version",
        ])
    }

    @Test("requires verbs in RBAC rules")
    func policyRules() {
        let role: JSONValue = ["rules": [["apiGroups": [""], "resources": ["pods"]], ["apiGroups": [""], "resources": ["pods"], "verbs": ["get"]]]]
        #expect(validateBuiltin(kind: "Role", object: role, old: nil).map(\.description) == [
            "rules[0].verbs: Required value: verbs must contain at least one value",
        ])
        #expect(nameRule(forBuiltinKind: "ClusterRole") == .pathSegment)
        #expect(nameRule(forBuiltinKind: "Namespace") == .dnsLabel)
    }
}
