import KubeModel
import Testing

@testable import KubeServer

@Suite("server-side apply")
struct ServerSideApplyTests {
    let deployments = BuiltInTypeResolver(kind: "Deployment")
    let services = BuiltInTypeResolver(kind: "Service")

    func deployment(replicas: Int64?, labels: [String: JSONValue] = ["app": "web"]) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "labels": .object(labels)],
        ]
        if let replicas { object[path: ["spec", "replicas"]] = .int(replicas) }
        return object
    }

    func entries(_ object: JSONValue) -> [JSONValue] {
        object[path: ["metadata", "managedFields"]]?.arrayValue ?? []
    }

    @Test("applying to nothing creates the object with one Apply entry")
    func applyCreates() throws {
        let result = try ServerSideApply.apply(
            configuration: deployment(replicas: 2), to: nil, manager: "kubectl", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "2025-01-01T00:00:00Z")
        #expect(result[path: ["spec", "replicas"]] == 2)
        let entry = try #require(entries(result).first)
        #expect(entries(result).count == 1)
        #expect(entry["manager"] == "kubectl")
        #expect(entry["operation"] == "Apply")
        #expect(entry["time"] == "2025-01-01T00:00:00Z")
        let fields = try FieldSet(fieldsV1: try #require(entry["fieldsV1"]))
        #expect(fields.fieldsV1JSON == #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}}"#)
    }

    @Test("re-applying without a field removes it from the object")
    func reapplyRemoves() throws {
        let first = try ServerSideApply.apply(
            configuration: deployment(replicas: 2, labels: ["app": "web", "tier": "front"]), to: nil,
            manager: "kubectl", force: false, apiVersion: "apps/v1", resolver: deployments, now: "t1")
        let second = try ServerSideApply.apply(
            configuration: deployment(replicas: 2), to: first, manager: "kubectl", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "t2")
        #expect(second[path: ["metadata", "labels", "tier"]] == nil)
        #expect(second[path: ["metadata", "labels", "app"]] == "web")
    }

    @Test("a field another applier also owns survives when one applier drops it")
    func sharedFieldKept() throws {
        let first = try ServerSideApply.apply(
            configuration: deployment(replicas: 2), to: nil, manager: "alice", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "t1")
        let shared = try ServerSideApply.apply(
            configuration: deployment(replicas: 2), to: first, manager: "bob", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "t2")
        #expect(entries(shared).count == 2)
        let dropped = try ServerSideApply.apply(
            configuration: deployment(replicas: nil), to: shared, manager: "alice", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "t3")
        #expect(dropped[path: ["spec", "replicas"]] == 2)
        let alice = try #require(entries(dropped).first { $0["manager"] == "alice" })
        let aliceFields = try FieldSet(fieldsV1: alice["fieldsV1"]!)
        #expect(!aliceFields.contains(ObjectPath(fields: "spec", "replicas")))
    }

    @Test("changing a field an updater owns is a conflict naming it, singular form")
    func singleConflict() throws {
        let created = try ManagedFieldsTracker.update(
            old: nil, new: deployment(replicas: 1), manager: "kubectl-client-side-apply", apiVersion: "apps/v1",
            resolver: deployments, now: "t1")
        let error = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(
                configuration: deployment(replicas: 3), to: created, manager: "kubectl", force: false,
                apiVersion: "apps/v1", resolver: deployments, now: "t2")
        }
        #expect(
            error?.message == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas"#)
        #expect(error?.code == 409)
        let cause = error?.status[path: ["details", "causes"]]?[0]
        #expect(cause?["reason"] == "FieldManagerConflict")
        #expect(cause?["message"] == #"conflict with "kubectl-client-side-apply" using apps/v1"#)
        #expect(cause?["field"] == ".spec.replicas")
    }

    @Test("several conflicts are listed per manager, plural form")
    func pluralConflicts() throws {
        let created = try ManagedFieldsTracker.update(
            old: nil, new: deployment(replicas: 1), manager: "kubectl-client-side-apply", apiVersion: "apps/v1",
            resolver: deployments, now: "t1")
        let error = #expect(throws: ApplyError.self) {
            try ServerSideApply.apply(
                configuration: deployment(replicas: 3, labels: ["app": "api"]), to: created, manager: "kubectl",
                force: false, apiVersion: "apps/v1", resolver: deployments, now: "t2")
        }
        #expect(
            error?.message == "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n"
                + "- .metadata.labels.app\n- .spec.replicas")
    }

    @Test("force takes the conflicting fields from the other manager")
    func forceApply() throws {
        let created = try ManagedFieldsTracker.update(
            old: nil, new: deployment(replicas: 1), manager: "editor", apiVersion: "apps/v1",
            resolver: deployments, now: "t1")
        let result = try ServerSideApply.apply(
            configuration: deployment(replicas: 3), to: created, manager: "kubectl", force: true,
            apiVersion: "apps/v1", resolver: deployments, now: "t2")
        #expect(result[path: ["spec", "replicas"]] == 3)
        let editor = try #require(entries(result).first { $0["manager"] == "editor" })
        let editorFields = try FieldSet(fieldsV1: editor["fieldsV1"]!)
        #expect(!editorFields.contains(ObjectPath(fields: "spec", "replicas")))
        #expect(entries(result).first?["operation"] == "Apply")
    }

    @Test("an update moves ownership of what it changed to its manager")
    func updateMovesOwnership() throws {
        let applied = try ServerSideApply.apply(
            configuration: deployment(replicas: 2), to: nil, manager: "kubectl", force: false,
            apiVersion: "apps/v1", resolver: deployments, now: "t1")
        var edited = applied
        edited[path: ["spec", "replicas"]] = 5
        let result = try ManagedFieldsTracker.update(
            old: applied, new: edited, manager: "kubectl-edit", apiVersion: "apps/v1", resolver: deployments,
            now: "t2")
        let byManager = Dictionary(uniqueKeysWithValues: entries(result).map { ($0["manager"]!.stringValue!, $0) })
        let edit = try FieldSet(fieldsV1: try #require(byManager["kubectl-edit"]?["fieldsV1"]))
        let apply = try FieldSet(fieldsV1: try #require(byManager["kubectl"]?["fieldsV1"]))
        #expect(edit.paths == [ObjectPath(fields: "spec", "replicas")])
        #expect(!apply.contains(ObjectPath(fields: "spec", "replicas")))
        #expect(byManager["kubectl-edit"]?["operation"] == "Update")
        #expect(byManager["kubectl-edit"]?["apiVersion"] == "apps/v1")
    }

    @Test("associative lists merge by key and keep items of other keys")
    func associativeMerge() throws {
        func service(_ ports: [JSONValue]) -> JSONValue {
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": ["ports": .array(ports)]]
        }
        let first = try ServerSideApply.apply(
            configuration: service([["port": 80, "targetPort": 8080]]), to: nil, manager: "a", force: false,
            apiVersion: "v1", resolver: services, now: "t1")
        let second = try ServerSideApply.apply(
            configuration: service([["port": 443, "protocol": "TCP"], ["port": 80, "name": "http"]]), to: first,
            manager: "b", force: false, apiVersion: "v1", resolver: services, now: "t2")
        let ports = try #require(second[path: ["spec", "ports"]]?.arrayValue)
        #expect(ports.count == 2)
        #expect(ports[0] == ["port": 80, "targetPort": 8080, "name": "http"])
        #expect(ports[1] == ["port": 443, "protocol": "TCP"])
        let b = try #require(entries(second).first { $0["manager"] == "b" })
        #expect(
            JSONText.encode(b["fieldsV1"]!).contains(#"k:{\"port\":80,\"protocol\":\"TCP\"}"#))
    }

    @Test("atomic lists are replaced whole")
    func atomicReplace() throws {
        func service(_ ips: [JSONValue]) -> JSONValue {
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"], "spec": ["externalIPs": .array(ips)]]
        }
        let first = try ServerSideApply.apply(
            configuration: service(["10.0.0.1", "10.0.0.2"]), to: nil, manager: "a", force: false,
            apiVersion: "v1", resolver: services, now: "t1")
        let second = try ServerSideApply.apply(
            configuration: service(["10.0.0.3"]), to: first, manager: "a", force: false, apiVersion: "v1",
            resolver: services, now: "t2")
        #expect(second[path: ["spec", "externalIPs"]] == ["10.0.0.3"])
    }

    @Test("set lists union their values across managers")
    func setList() throws {
        func withFinalizers(_ values: [JSONValue]) -> JSONValue {
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg", "finalizers": .array(values)]]
        }
        let resolver = BuiltInTypeResolver(kind: "ConfigMap")
        let first = try ServerSideApply.apply(
            configuration: withFinalizers(["a.io/x"]), to: nil, manager: "one", force: false, apiVersion: "v1",
            resolver: resolver, now: "t1")
        let second = try ServerSideApply.apply(
            configuration: withFinalizers(["b.io/y"]), to: first, manager: "two", force: false, apiVersion: "v1",
            resolver: resolver, now: "t2")
        #expect(second[path: ["metadata", "finalizers"]] == ["a.io/x", "b.io/y"])
        let two = try #require(entries(second).first { $0["manager"] == "two" })
        #expect(try FieldSet(fieldsV1: two["fieldsV1"]!).fieldsV1JSON == #"{"f:metadata":{"f:finalizers":{"v:\"b.io/y\"":{}}}}"#)
    }

    @Test("apply configurations missing identity fields are rejected with 400")
    func validation() {
        let noKind: JSONValue = ["apiVersion": "v1", "metadata": ["name": "x"]]
        let wrongVersion: JSONValue = ["apiVersion": "v2", "kind": "ConfigMap", "metadata": ["name": "x"]]
        let noName: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": [:]]
        for configuration in [noKind, wrongVersion, noName] {
            let error = #expect(throws: ApplyError.self) {
                try ServerSideApply.validate(configuration: configuration, apiVersion: "v1")
            }
            #expect(error?.code == 400)
        }
        #expect(
            (try? ServerSideApply.validate(configuration: wrongVersion, apiVersion: "v1")) == nil)
    }

    @Test(
        "manager names default to the user agent's first token",
        arguments: [
            (nil, "kubectl/v1.32.4 (linux/amd64) kubernetes/abc", "kubectl"),
            ("kubectl-client-side-apply", "kubectl/v1.32.4", "kubectl-client-side-apply"),
            (nil, "Go-http-client/1.1", "Go-http-client"),
        ] as [(String?, String, String)])
    func managerName(fieldManager: String?, userAgent: String, expected: String) {
        #expect(ManagedFieldsTracker.managerName(fieldManager: fieldManager, userAgent: userAgent) == expected)
    }

    @Test("a write sending managedFields [] leaves the object untracked")
    func resetManagedFields() throws {
        let created = try ManagedFieldsTracker.update(
            old: nil, new: deployment(replicas: 1), manager: "kubectl-create", apiVersion: "apps/v1",
            resolver: deployments, now: "t1")
        #expect(!entries(created).isEmpty)
        var cleared = created
        cleared[path: ["metadata", "managedFields"]] = []
        let result = try ManagedFieldsTracker.update(
            old: created, new: cleared, manager: "kubectl-edit", apiVersion: "apps/v1", resolver: deployments,
            now: "t2")
        #expect(result[path: ["metadata", "managedFields"]] == nil)
    }
}

@Suite("structural schema types")
struct StructuralSchemaTypeResolverTests {
    let resolver = StructuralSchemaTypeResolver(openAPIV3Schema: [
        "type": "object",
        "properties": [
            "spec": [
                "type": "object",
                "properties": [
                    "clusters": [
                        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": ["type": "object", "properties": ["name": ["type": "string"], "weight": ["type": "integer"]]],
                    ],
                    "selector": ["type": "object", "x-kubernetes-map-type": "atomic"],
                ],
            ]
        ],
    ])

    @Test("x-kubernetes extensions decide list and map types")
    func types() {
        #expect(resolver.listType(at: ObjectPath(fields: "spec", "clusters")) == .map(keys: ["name"]))
        #expect(resolver.mapType(at: ObjectPath(fields: "spec", "selector")) == .atomic)
        #expect(resolver.listType(at: ObjectPath(fields: "metadata", "finalizers")) == .set)
        #expect(resolver.listType(at: ObjectPath(fields: "spec", "other")) == .atomic)
    }

    @Test("creating a custom resource owns its structs with \".\" as Update, not as Apply")
    func createEntries() throws {
        let object: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Thing", "metadata": ["name": "t"],
            "spec": ["clusters": [["name": "a", "weight": 1]]],
        ]
        let created = try ManagedFieldsTracker.update(
            old: nil, new: object, manager: "kubectl-create", apiVersion: "example.com/v1", resolver: resolver,
            now: "t1")
        let update = try #require(created[path: ["metadata", "managedFields"]]?[0]?["fieldsV1"])
        #expect(
            try FieldSet(fieldsV1: update).fieldsV1JSON
                == #"{"f:spec":{"f:clusters":{"k:{\"name\":\"a\"}":{"f:name":{},"f:weight":{},".":{}},".":{}},".":{}}}"#)
        let applied = try ServerSideApply.apply(
            configuration: object, to: nil, manager: "kubectl", force: false, apiVersion: "example.com/v1",
            resolver: resolver, now: "t1")
        let apply = try #require(applied[path: ["metadata", "managedFields"]]?[0]?["fieldsV1"])
        #expect(
            try FieldSet(fieldsV1: apply).fieldsV1JSON
                == #"{"f:spec":{"f:clusters":{"k:{\"name\":\"a\"}":{"f:name":{},"f:weight":{},".":{}}}}}"#)
    }
}
