import Testing

@testable import KubeModel

@Suite struct StrategicMergePatchTests {
    func apply(_ patch: String, to original: String, schema: PatchSchema) throws -> JSONValue {
        try StrategicMergePatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: original), schema: schema)
    }

    @Test(arguments: [
        // Service ports merge by `port`: matching elements merge, new ones are appended.
        (#"{"spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https"}]}}"#,
         #"{"spec":{"ports":[{"port":443,"targetPort":8443},{"port":8080}]}}"#,
         #"{"spec":{"ports":[{"port":80,"name":"http"},{"port":443,"name":"https","targetPort":8443},{"port":8080}]}}"#),
        // `$patch: delete` removes the element with that key.
        (#"{"spec":{"ports":[{"port":80},{"port":443}]}}"#,
         #"{"spec":{"ports":[{"port":80,"$patch":"delete"}]}}"#,
         #"{"spec":{"ports":[{"port":443}]}}"#),
        // `{"$patch": "replace"}` in a keyed list replaces the whole list.
        (#"{"spec":{"ports":[{"port":80},{"port":443}]}}"#,
         #"{"spec":{"ports":[{"$patch":"replace"},{"port":53,"protocol":"UDP"}]}}"#,
         #"{"spec":{"ports":[{"port":53,"protocol":"UDP"}]}}"#),
        // Untagged lists replace; maps merge; null deletes.
        (#"{"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"clusterIPs":["10.0.0.1"],"selector":{"app":"x"}}}"#,
         #"{"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"clusterIPs":["10.0.0.2"]}}"#,
         #"{"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"clusterIPs":["10.0.0.2"],"selector":{"app":"x"}}}"#),
        // `$patch: replace` on a map replaces it instead of merging.
        (#"{"spec":{"selector":{"app":"x","tier":"y"}}}"#,
         #"{"spec":{"selector":{"$patch":"replace","app":"z"}}}"#,
         #"{"spec":{"selector":{"app":"z"}}}"#),
        // `$patch: delete` on a map removes it.
        (#"{"spec":{"selector":{"app":"x"},"type":"ClusterIP"}}"#,
         #"{"spec":{"selector":{"$patch":"delete"}}}"#,
         #"{"spec":{"type":"ClusterIP"}}"#),
        // Finalizers merge as a set; `$deleteFromPrimitiveList` removes entries.
        (#"{"metadata":{"finalizers":["a","b"]}}"#,
         #"{"metadata":{"finalizers":["b","c"],"$deleteFromPrimitiveList/finalizers":["a"]}}"#,
         #"{"metadata":{"finalizers":["b","c"]}}"#),
        // Owner references merge by `uid`.
        (#"{"metadata":{"ownerReferences":[{"uid":"1","name":"a","kind":"K","apiVersion":"v1"}]}}"#,
         #"{"metadata":{"ownerReferences":[{"uid":"1","controller":true},{"uid":"2","name":"b","kind":"K","apiVersion":"v1"}]}}"#,
         #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a","kind":"K","apiVersion":"v1","controller":true},{"uid":"2","name":"b","kind":"K","apiVersion":"v1"}]}}"#),
        // Status conditions merge by `type`.
        (#"{"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Other","status":"True"}]}}"#,
         #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
         #"{"status":{"conditions":[{"type":"Ready","status":"True"},{"type":"Other","status":"True"}]}}"#),
    ])
    func mergesServicesAsKubernetesDoes(original: String, patch: String, expected: String) throws {
        #expect(try apply(patch, to: original, schema: .service) == (try JSONValue(parsing: expected)))
    }

    @Test func mergesPodContainersByNameWithNestedKeyedLists() throws {
        let original = #"""
            {"spec":{"containers":[
              {"name":"app","image":"v1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
               "ports":[{"containerPort":80,"name":"http"}],"volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"}]},
              {"name":"sidecar","image":"s1"}],
              "volumes":[{"name":"cfg","configMap":{"name":"c"}}]}}
            """#
        let patch = #"""
            {"spec":{"containers":[{"name":"app","image":"v2","env":[{"name":"B","value":"3"},{"name":"C","value":"4"}],
              "ports":[{"containerPort":80,"protocol":"TCP"}],"volumeMounts":[{"name":"data","mountPath":"/data"}]}],
              "volumes":[{"name":"data","emptyDir":{}}]}}
            """#
        let result = try apply(patch, to: original, schema: .pod)
        let containers = try #require(result[path: ["spec", "containers"]]?.arrayValue)
        #expect(containers.count == 2)
        #expect(containers[0]["image"] == "v2")
        #expect(containers[0]["env"] == [["name": "A", "value": "1"], ["name": "B", "value": "3"], ["name": "C", "value": "4"]])
        #expect(containers[0]["ports"] == [["containerPort": 80, "name": "http", "protocol": "TCP"]])
        #expect(containers[0]["volumeMounts"]?.arrayValue?.count == 2)
        #expect(containers[1] == ["name": "sidecar", "image": "s1"])
        #expect(result[path: ["spec", "volumes"]]?.arrayValue?.count == 2)
    }

    @Test func deploymentTemplatesUsePodRulesAndRetainKeysClearsOtherMembers() throws {
        let original = #"""
            {"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"app","image":"v1"},{"name":"b","image":"b"}]}}}}
            """#
        let patch = #"""
            {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},
              "template":{"spec":{"containers":[{"name":"app","image":"v2"}]}}}}
            """#
        let result = try apply(patch, to: original, schema: .deployment)
        #expect(result[path: ["spec", "strategy"]] == ["type": "Recreate"])
        #expect(result[path: ["spec", "template", "spec", "containers"]] == [["name": "app", "image": "v2"], ["name": "b", "image": "b"]])
    }

    @Test func setElementOrderReordersMergedLists() throws {
        let result = try apply(
            #"{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a","image":"new"}]}}"#,
            to: #"{"spec":{"containers":[{"name":"a","image":"old"},{"name":"b"},{"name":"c"}]}}"#, schema: .pod)
        #expect(result[path: ["spec", "containers"]] == [["name": "b"], ["name": "a", "image": "new"], ["name": "c"]])
    }

    @Test func kindsWithoutTaggedListsReplaceLists() throws {
        let result = try apply(
            #"{"metadata":{"finalizers":["x"]},"endpoints":[{"addresses":["10.0.0.2"]}]}"#,
            to: #"{"metadata":{"finalizers":["w"]},"endpoints":[{"addresses":["10.0.0.1"]}]}"#, schema: .endpointSlice)
        #expect(result == ["metadata": ["finalizers": ["w", "x"]], "endpoints": [["addresses": ["10.0.0.2"]]]])
    }

    @Test func rejectsElementsWithoutTheMergeKey() throws {
        #expect(throws: StrategicMergePatchError(message: #"map: {"name":"http"} does not contain declared merge key: port"#)) {
            try apply(#"{"spec":{"ports":[{"name":"http"}]}}"#, to: #"{"spec":{"ports":[{"port":80}]}}"#, schema: .service)
        }
        #expect(throws: StrategicMergePatchError.self) {
            try apply(#"{"spec":{"$patch":"explode"}}"#, to: "{}", schema: .service)
        }
        #expect(throws: StrategicMergePatchError.self) { try apply("[1]", to: "{}", schema: .service) }
    }

    @Test func directivesNeverLeakIntoTheResult() throws {
        let result = try apply(
            #"{"spec":{"ports":[{"port":80,"$patch":"merge"}],"selector":{"$patch":"replace","a":"b"}}}"#, to: "{}", schema: .service)
        #expect(result == ["spec": ["ports": [["port": 80]], "selector": ["a": "b"]]])
    }

    @Test(arguments: [
        (PatchSchema.pod, ["spec", "containers"], PatchListStrategy.mergeByKey("name")),
        (.pod, ["spec", "initContainers"], .mergeByKey("name")),
        (.pod, ["spec", "containers", "ports"], .mergeByKey("containerPort")),
        (.pod, ["spec", "containers", "env"], .mergeByKey("name")),
        (.pod, ["spec", "containers", "volumeMounts"], .mergeByKey("mountPath")),
        (.pod, ["spec", "volumes"], .mergeByKey("name")),
        (.pod, ["status", "conditions"], .mergeByKey("type")),
        (.service, ["spec", "ports"], .mergeByKey("port")),
        (.service, ["spec", "clusterIPs"], .replace),
        (.deployment, ["spec", "template", "spec", "containers"], .mergeByKey("name")),
        (.deployment, ["status", "conditions"], .mergeByKey("type")),
        (.configMap, ["metadata", "finalizers"], .mergePrimitives),
        (.lease, ["metadata", "ownerReferences"], .mergeByKey("uid")),
        (PatchSchema.forKind("Secret"), ["metadata", "ownerReferences"], .mergeByKey("uid")),
    ])
    func schemasCarryKubernetesPatchTags(schema: PatchSchema, path: [String], expected: PatchListStrategy) {
        #expect(schema.listStrategy(at: path) == expected)
    }
}
