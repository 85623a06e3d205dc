import KubeModel

// The defaulting kube-apiserver performs on built-in kinds that clients rely on
// (pkg/apis/*/v1/defaults.go): Service ports and policies, Namespace phase and finalizer,
// Deployment strategy and replicas, Pod restart policy, EndpointSlice nothing.

enum BuiltinDefaults {
    static func apply(to object: inout JSONValue, kind: String, group: String, isCreate: Bool) {
        switch (group, kind) {
        case ("", "Service"): defaultService(&object)
        case ("", "Namespace"):
            if isCreate {
                object[path: ["status", "phase"]] = "Active"
                if object[path: ["spec", "finalizers"]] == nil {
                    object[path: ["spec", "finalizers"]] = [.string(FinalizerNames.namespaceKubernetes)]
                }
            }
        case ("apps", "Deployment"): defaultDeployment(&object)
        case ("apps", "StatefulSet"): defaultStatefulSet(&object)
        case ("", "Pod"):
            if var spec = object["spec"] {
                defaultPodSpec(&spec)
                object["spec"] = spec
            }
            if isCreate && object[path: ["status", "phase"]] == nil {
                object[path: ["status", "phase"]] = "Pending"
            }
        case ("apiextensions.k8s.io", "CustomResourceDefinition"):
            defaultCustomResourceDefinition(&object)
        case ("", "Secret"):
            if object["type"] == nil { object["type"] = "Opaque" }
        default:
            break
        }
    }

    private static func defaultService(_ service: inout JSONValue) {
        var spec = service["spec"] ?? .emptyObject
        let type = spec["type"]?.stringValue ?? "ClusterIP"
        spec["type"] = .string(type)
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if spec["sessionAffinity"]?.stringValue == "ClientIP",
            spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]] == nil
        {
            spec[path: ["sessionAffinityConfig", "clientIP", "timeoutSeconds"]] = 10800
        }
        if type != "ExternalName" {
            if spec["internalTrafficPolicy"] == nil { spec["internalTrafficPolicy"] = "Cluster" }
        }
        if type == "NodePort" || type == "LoadBalancer" {
            if spec["externalTrafficPolicy"] == nil { spec["externalTrafficPolicy"] = "Cluster" }
        }
        if type == "LoadBalancer" && spec["allocateLoadBalancerNodePorts"] == nil {
            spec["allocateLoadBalancerNodePorts"] = true
        }
        if let ports = spec["ports"]?.arrayValue {
            spec["ports"] = .array(
                ports.map { port in
                    var port = port
                    if port["protocol"] == nil { port["protocol"] = "TCP" }
                    if port["targetPort"] == nil, let number = port["port"] { port["targetPort"] = number }
                    return port
                })
        }
        if type == "LoadBalancer" && service[path: ["status", "loadBalancer"]] == nil {
            service[path: ["status", "loadBalancer"]] = .emptyObject
        }
        service["spec"] = spec
    }

    private static func defaultCustomResourceDefinition(_ crd: inout JSONValue) {
        if let kind = crd[path: ["spec", "names", "kind"]]?.stringValue {
            if crd[path: ["spec", "names", "listKind"]] == nil { crd[path: ["spec", "names", "listKind"]] = .string(kind + "List") }
            if crd[path: ["spec", "names", "singular"]] == nil {
                crd[path: ["spec", "names", "singular"]] = .string(kind.lowercased())
            }
        }
        if crd[path: ["spec", "conversion"]] == nil { crd[path: ["spec", "conversion"]] = ["strategy": "None"] }
    }

    private static func defaultDeployment(_ deployment: inout JSONValue) {
        var spec = deployment["spec"] ?? .emptyObject
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["progressDeadlineSeconds"] == nil { spec["progressDeadlineSeconds"] = 600 }
        if spec["strategy"] == nil {
            spec["strategy"] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]]
        }
        if var podSpec = spec[path: ["template", "spec"]] {
            defaultPodSpec(&podSpec)
            spec[path: ["template", "spec"]] = podSpec
        }
        deployment["spec"] = spec
    }

    private static func defaultStatefulSet(_ statefulSet: inout JSONValue) {
        var spec = statefulSet["spec"] ?? .emptyObject
        if spec["replicas"] == nil { spec["replicas"] = 1 }
        if spec["revisionHistoryLimit"] == nil { spec["revisionHistoryLimit"] = 10 }
        if spec["podManagementPolicy"] == nil { spec["podManagementPolicy"] = "OrderedReady" }
        if spec["updateStrategy"] == nil { spec["updateStrategy"] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]] }
        if var podSpec = spec[path: ["template", "spec"]] {
            defaultPodSpec(&podSpec)
            spec[path: ["template", "spec"]] = podSpec
        }
        statefulSet["spec"] = spec
    }

    private static func defaultPodSpec(_ spec: inout JSONValue) {
        if spec["restartPolicy"] == nil { spec["restartPolicy"] = "Always" }
        if spec["dnsPolicy"] == nil { spec["dnsPolicy"] = "ClusterFirst" }
        if spec["terminationGracePeriodSeconds"] == nil { spec["terminationGracePeriodSeconds"] = 30 }
        if spec["schedulerName"] == nil { spec["schedulerName"] = "default-scheduler" }
        for field in ["containers", "initContainers"] {
            guard let containers = spec[field]?.arrayValue else { continue }
            spec[field] = .array(
                containers.map { container in
                    var container = container
                    if container["imagePullPolicy"] == nil {
                        let image = container["image"]?.stringValue ?? ""
                        container["imagePullPolicy"] = image.hasSuffix(":latest") || !image.contains(":") ? "Always" : "IfNotPresent"
                    }
                    if let ports = container["ports"]?.arrayValue {
                        container["ports"] = .array(
                            ports.map { port in
                                var port = port
                                if port["protocol"] == nil { port["protocol"] = "TCP" }
                                return port
                            })
                    }
                    if container["terminationMessagePath"] == nil { container["terminationMessagePath"] = "/dev/termination-log" }
                    if container["terminationMessagePolicy"] == nil { container["terminationMessagePolicy"] = "File" }
                    return container
                })
        }
    }
}
