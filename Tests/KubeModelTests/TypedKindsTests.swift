import Foundation
import Testing

@testable import KubeModel

/// Real manifests (as kube-apiserver returns them) decode into typed kinds and encode back to the
/// same JSON, so typed clients never drop or rename fields they model.
@Suite struct TypedKindsTests {
    func roundTrip<Kind: Resource>(_ type: Kind.Type, _ text: String) throws -> Kind {
        let document = try JSONValue(parsing: text)
        let object: Kind = try document.decode()
        #expect(try JSONValue(encoding: object) == document)
        return object
    }

    @Test func serviceRoundTrips() throws {
        let service = try roundTrip(Service.self, #"""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default","uid":"0b3c","resourceVersion":"42",
             "creationTimestamp":"2024-05-01T12:00:00Z","labels":{"app":"web"},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"u1","controller":true,"blockOwnerDeletion":true}]},
             "spec":{"type":"LoadBalancer","selector":{"app":"web"},"clusterIP":"10.0.0.10","clusterIPs":["10.0.0.10"],
             "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","sessionAffinity":"None","externalTrafficPolicy":"Cluster",
             "internalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true,"loadBalancerClass":"fleet/lb",
             "ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080,"nodePort":30080,"appProtocol":"http"},
                      {"name":"metrics","protocol":"TCP","port":9090,"targetPort":"metrics"}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"192.168.1.5","ipMode":"VIP","ports":[{"port":80,"protocol":"TCP"}]}]},
             "conditions":[{"type":"Ready","status":"True","observedGeneration":2,"lastTransitionTime":"2024-05-01T12:00:01Z","reason":"Ok","message":""}]}}
            """#)
        #expect(Service.apiVersion == "v1" && Service.plural == "services" && Service.isNamespaced)
        #expect(service.spec?.ports?[1].targetPort == .string("metrics"))
        #expect(service.spec?.ports?[0].targetPort == .int(8080))
        #expect(service.status?.conditions?.first?.lastTransitionTime == Time(rfc3339: "2024-05-01T12:00:01Z"))
        #expect(service.namespacedName == "default/web")
    }

    @Test func podRoundTrips() throws {
        let pod = try roundTrip(Pod.self, #"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"default","generateName":"web-","finalizers":["a/b"]},
             "spec":{"containers":[{"name":"app","image":"nginx:1.27","args":["--port","8080"],"command":["/bin/server"],
               "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],"env":[{"name":"MODE","value":"prod"}],
               "readinessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"periodSeconds":5},
               "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg","readOnly":true}]}],
               "volumes":[{"name":"cfg","configMap":{"name":"cfg"}}],
               "nodeName":"node-1","restartPolicy":"Always","serviceAccountName":"default"},
             "status":{"phase":"Running","podIP":"10.1.0.7","podIPs":[{"ip":"10.1.0.7"}],"hostIP":"172.18.0.2",
               "startTime":"2024-05-01T12:00:00Z",
               "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2024-05-01T12:00:05Z","lastProbeTime":null}],
               "containerStatuses":[{"name":"app","ready":true,"restartCount":0,"image":"nginx:1.27","imageID":"","started":true,
                 "state":{"running":{"startedAt":"2024-05-01T12:00:02Z"}}}]}}
            """#.replacingOccurrences(of: #","lastProbeTime":null"#, with: ""))
        #expect(pod.spec?.containers.first?.readinessProbe?.httpGet?.port == .string("http"))
        #expect(pod.status?.containerStatuses?.first?.state?.running?.startedAt == Time(rfc3339: "2024-05-01T12:00:02Z"))
    }

    @Test func nullsAndMissingListsDecodeLeniently() throws {
        let pod: Pod = try JSONValue(parsing: #"{"metadata":{"name":"p","creationTimestamp":null},"spec":{"containers":null}}"#).decode()
        #expect(pod.metadata.creationTimestamp == nil)
        #expect(pod.spec?.containers == [])
        #expect(pod.apiVersion == nil)
        let slice: EndpointSlice = try JSONValue(parsing: #"{"addressType":"IPv4","endpoints":null}"#).decode()
        #expect(slice.endpoints.isEmpty)
    }

    @Test func deploymentRoundTrips() throws {
        let deployment = try roundTrip(Deployment.self, #"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","generation":3},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]}]},
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":0}},
              "template":{"metadata":{"labels":{"app":"web","tier":"a"}},"spec":{"containers":[{"name":"app","image":"nginx"}]}}},
             "status":{"observedGeneration":3,"replicas":2,"readyReplicas":2,"availableReplicas":2,"updatedReplicas":2,
              "conditions":[{"type":"Available","status":"True","lastUpdateTime":"2024-05-01T12:00:00Z","lastTransitionTime":"2024-05-01T12:00:00Z","reason":"MinimumReplicasAvailable","message":"ok"}]}}
            """#)
        #expect(Deployment.apiVersion == "apps/v1")
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxSurge == "25%")
        #expect(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable == 0)
    }

    @Test func customResourceDefinitionKeepsItsSchemaVerbatim() throws {
        let crd = try roundTrip(CustomResourceDefinition.self, #"""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"serviceimports.networking.fleet.azure.com"},
             "spec":{"group":"networking.fleet.azure.com","scope":"Namespaced","preserveUnknownFields":false,
              "names":{"plural":"serviceimports","singular":"serviceimport","kind":"ServiceImport","listKind":"ServiceImportList","shortNames":["svcimport"],"categories":["fleet-networking"]},
              "versions":[{"name":"v1alpha1","served":true,"storage":true,"deprecated":false,
                "subresources":{"status":{},"scale":{"specReplicasPath":".spec.replicas","statusReplicasPath":".status.replicas"}},
                "additionalPrinterColumns":[{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"},{"name":"IP","type":"string","priority":1,"description":"x","format":"ipv4","jsonPath":".status.ip"}],
                "selectableFields":[{"jsonPath":".spec.type"}],
                "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"ports":{"type":"array","maxItems":100,"items":{"type":"integer","minimum":0.5}}}}}}}}]},
             "status":{"conditions":[{"type":"Established","status":"True","lastTransitionTime":"2024-05-01T12:00:00Z","reason":"InitialNamesAccepted","message":"the initial names have been accepted"}],
              "acceptedNames":{"plural":"serviceimports","kind":"ServiceImport"},"storedVersions":["v1alpha1"]}}
            """#)
        #expect(!CustomResourceDefinition.isNamespaced)
        let schema = try #require(crd.spec.versions.first?.schema?.openAPIV3Schema)
        #expect(schema[path: ["properties", "spec", "properties", "ports", "maxItems"]] == .int(100))
        #expect(crd.spec.versions.first?.subresources?.status == .emptyObject)
    }

    @Test func leaseEventAndEndpointSliceRoundTrip() throws {
        let lease = try roundTrip(Lease.self, #"""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"leader","namespace":"fleet-system"},
             "spec":{"holderIdentity":"a_1","leaseDurationSeconds":15,"acquireTime":"2024-05-01T12:00:00.000000Z","renewTime":"2024-05-01T12:00:10.123456Z","leaseTransitions":3}}
            """#)
        #expect(lease.spec?.renewTime?.microsecondsSinceEpoch == 1_714_564_810_123_456)
        _ = try roundTrip(Event.self, #"""
            {"apiVersion":"v1","kind":"Event","metadata":{"name":"web.17a","namespace":"default"},
             "involvedObject":{"kind":"Service","namespace":"default","name":"web","uid":"u","apiVersion":"v1","resourceVersion":"5"},
             "reason":"Synced","message":"done","type":"Normal","count":2,"source":{"component":"svc-controller"},
             "firstTimestamp":"2024-05-01T12:00:00Z","lastTimestamp":"2024-05-01T12:01:00Z","eventTime":"2024-05-01T12:00:00.500000Z",
             "reportingComponent":"svc-controller","reportingInstance":"host-1","action":"Sync"}
            """#)
        _ = try roundTrip(EndpointSlice.self, #"""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc","namespace":"default","labels":{"kubernetes.io/service-name":"web"}},
             "addressType":"IPv4","endpoints":[{"addresses":["10.1.0.7"],"conditions":{"ready":true,"serving":true,"terminating":false},
               "nodeName":"node-1","zone":"z1","hostname":"web-1","targetRef":{"kind":"Pod","namespace":"default","name":"web-1","uid":"p"}}],
             "ports":[{"name":"http","port":8080,"protocol":"TCP","appProtocol":"http"}]}
            """#)
    }

    @Test func configObjectsAndRBACRoundTrip() throws {
        let secret = try roundTrip(Secret.self, #"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"tok","namespace":"default"},"type":"Opaque","data":{"token":"aGVsbG8="}}
            """#)
        #expect(secret.data?["token"] == Data("hello".utf8))
        _ = try roundTrip(ConfigMap.self, #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"},"immutable":true}"#)
        _ = try roundTrip(ServiceAccount.self, #"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa"},"secrets":[{"name":"s"}],"automountServiceAccountToken":false}"#)
        _ = try roundTrip(Namespace.self, #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"},"spec":{"finalizers":["kubernetes"]},"status":{"phase":"Active"}}"#)
        let role = try roundTrip(ClusterRole.self, #"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"r"},
             "rules":[{"apiGroups":[""],"resources":["services","services/status"],"verbs":["get","list","watch"]},{"nonResourceURLs":["/healthz"],"verbs":["get"]}],
             "aggregationRule":{"clusterRoleSelectors":[{"matchLabels":{"agg":"true"}}]}}
            """#)
        #expect(role.rules?.count == 2)
        _ = try roundTrip(RoleBinding.self, #"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"b","namespace":"default"},
             "subjects":[{"kind":"ServiceAccount","name":"sa","namespace":"default"},{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"alice"}],
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"}}
            """#)
        _ = try roundTrip(Role.self, #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r","namespace":"n"},"rules":[{"apiGroups":["apps"],"resources":["deployments"],"resourceNames":["x"],"verbs":["*"]}]}"#)
        _ = try roundTrip(ClusterRoleBinding.self, #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"b"},"subjects":[{"kind":"Group","apiGroup":"rbac.authorization.k8s.io","name":"g"}],"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"r"}}"#)
    }

    @Test func initialisersFillTypeMetaAndOmitNils() throws {
        let namespace = Namespace(metadata: ObjectMeta(name: "team-a"))
        #expect(try JSONValue(encoding: namespace) == ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team-a"]])
    }

    @Test func listsAndMetaTypesUseKubernetesNames() throws {
        let list = ListOf<ConfigMap>(metadata: ListMeta(resourceVersion: "7", continue: "tok", remainingItemCount: 3), items: [])
        #expect(try JSONValue(encoding: list) == [
            "apiVersion": "v1", "kind": "ConfigMapList", "items": [],
            "metadata": ["resourceVersion": "7", "continue": "tok", "remainingItemCount": 3],
        ])
        let decoded: ListOf<Pod> = try JSONValue(parsing: #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"a"}}]}"#).decode()
        #expect(decoded.items.first?.metadata.name == "a" && decoded.metadata.resourceVersion == "9")

        let status = Status(
            message: "services \"x\" not found", reason: "NotFound",
            details: StatusDetails(name: "x", kind: "services", causes: [StatusCause(reason: "FieldValueInvalid", message: "m", field: "spec")]),
            code: 404)
        #expect(try JSONValue(encoding: status) == [
            "apiVersion": "v1", "kind": "Status", "metadata": [:], "status": "Failure", "message": "services \"x\" not found",
            "reason": "NotFound", "code": 404,
            "details": ["name": "x", "kind": "services", "causes": [["reason": "FieldValueInvalid", "message": "m", "field": "spec"]]],
        ])
        let event = WatchEvent(type: .added, object: JSONValue.object(["kind": "Pod"]))
        #expect(try JSONValue(encoding: event) == ["type": "ADDED", "object": ["kind": "Pod"]])
        let managed = ManagedFieldsEntry(manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1", fieldsV1: ["f:metadata": [:]])
        #expect(try JSONValue(encoding: managed)["fieldsV1"] == ["f:metadata": [:]])
    }
}
