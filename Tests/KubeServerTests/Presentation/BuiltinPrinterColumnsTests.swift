import Foundation
import KubeModel
import Testing
@testable import KubeServer

@Suite("Built-in printer columns")
struct BuiltinPrinterColumnsTests {
    typealias Fixtures = PresentationFixtures

    /// Renders one object of a built-in kind and returns its cells keyed by column name.
    static func cells(kind: String, group: String = "", version: String = "v1", _ object: JSONValue) -> [String: JSONValue] {
        let definition = ResourceDefinition(group: group, version: version, kind: kind, plural: kind.lowercased() + "s", isNamespaced: true)
        let table = makeTable(objects: [object], definition: definition, listMeta: [:], now: Fixtures.now)
        var result: [String: JSONValue] = [:]
        for (index, column) in (table["columnDefinitions"]?.arrayValue ?? []).enumerated() {
            result[column["name"]!.stringValue!] = table["rows"]?[0]?["cells"]?[index] ?? .null
        }
        return result
    }

    static func metadata(_ name: String, ageSeconds: Double = 300) -> JSONValue {
        ["name": .string(name), "namespace": "default", "creationTimestamp": .string(Fixtures.timestamp(secondsAgo: ageSeconds))]
    }

    static func columnNames(_ kind: String, _ group: String = "") -> [String] {
        BuiltinPrinterColumns.columns(forKind: kind, group: group).map(\.name)
    }

    @Test("column sets and wide columns match kube-apiserver")
    func columnSets() {
        #expect(Self.columnNames("Namespace") == ["Name", "Status", "Age"])
        #expect(Self.columnNames("Service") == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"])
        #expect(Self.columnNames("Pod") == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        #expect(Self.columnNames("EndpointSlice", "discovery.k8s.io") == ["Name", "AddressType", "Ports", "Endpoints", "Age"])
        #expect(Self.columnNames("Deployment", "apps") == ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
        #expect(Self.columnNames("ConfigMap") == ["Name", "Data", "Age"])
        #expect(Self.columnNames("Secret") == ["Name", "Type", "Data", "Age"])
        #expect(Self.columnNames("ServiceAccount") == ["Name", "Secrets", "Age"])
        #expect(Self.columnNames("Event") == ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"])
        #expect(Self.columnNames("Lease", "coordination.k8s.io") == ["Name", "Holder", "Age"])
        #expect(Self.columnNames("CustomResourceDefinition", "apiextensions.k8s.io") == ["Name", "Created At"])
        #expect(Self.columnNames("ClusterRole", "rbac.authorization.k8s.io") == ["Name", "Created At"])
        #expect(Self.columnNames("RoleBinding", "rbac.authorization.k8s.io") == ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"])
        let podPriorities = BuiltinPrinterColumns.columns(forKind: "Pod", group: "").map(\.priority)
        #expect(podPriorities == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(BuiltinPrinterColumns.columns(forKind: "Service", group: "").last?.priority == 1)
    }

    @Test("Namespace")
    func namespace() {
        let cells = Self.cells(kind: "Namespace", ["metadata": Self.metadata("team-a", ageSeconds: 7200), "status": ["phase": "Active"]])
        #expect(cells["Name"] == "team-a")
        #expect(cells["Status"] == "Active")
        #expect(cells["Age"] == "120m")
    }

    static let serviceCases: [(JSONValue, JSONValue, [String])] = [
        (JSONValue.object(["type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                    "ports": [["port": 53, "protocol": "UDP"], ["port": 53, "protocol": "TCP"]], "selector": ["k8s-app": "kube-dns", "a": "b"]]),
         JSONValue.emptyObject, ["ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "a=b,k8s-app=kube-dns"]),
        (["type": "NodePort", "clusterIPs": ["10.96.1.1"], "externalIPs": ["1.2.3.4"], "ports": [["port": 80, "nodePort": 30080, "protocol": "TCP"]]],
         [:], ["NodePort", "10.96.1.1", "1.2.3.4", "80:30080/TCP", "<none>"]),
        (["type": "LoadBalancer", "clusterIPs": ["10.96.1.2"], "ports": [["port": 443, "nodePort": 31443, "protocol": "TCP"]]],
         [:], ["LoadBalancer", "10.96.1.2", "<pending>", "443:31443/TCP", "<none>"]),
        (["type": "LoadBalancer", "clusterIPs": ["10.96.1.2"], "ports": [["port": 443, "protocol": "TCP"]]],
         ["loadBalancer": ["ingress": [["ip": "20.1.1.9"], ["hostname": "lb.example.com"], ["ip": "20.1.1.1"]]]],
         ["LoadBalancer", "10.96.1.2", "20.1.1.1,20.1.1.9,lb.example.com", "443/TCP", "<none>"]),
        (["type": "ExternalName", "externalName": "db.example.com"], [:], ["ExternalName", "<none>", "db.example.com", "<none>", "<none>"]),
        (["type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"], "ports": [["port": 80, "protocol": "TCP"]]],
         [:], ["ClusterIP", "None", "<none>", "80/TCP", "<none>"]),
    ]

    @Test("Service of each type", arguments: serviceCases)
    func service(spec: JSONValue, status: JSONValue, expected: [String]) {
        let cells = Self.cells(kind: "Service", ["metadata": Self.metadata("svc"), "spec": spec, "status": status])
        let actual = ["Type", "Cluster-IP", "External-IP", "Port(s)", "Selector"].map { cells[$0]?.stringValue ?? "?" }
        #expect(actual == expected)
        #expect(cells["Age"] == "5m")
    }

    static func runningContainer(_ name: String, ready: Bool = true, restarts: Int64 = 0, lastFinished: String? = nil) -> JSONValue {
        var status: JSONValue = ["name": .string(name), "ready": .bool(ready), "restartCount": .int(restarts),
                                 "state": ["running": ["startedAt": "2025-03-01T11:00:00Z"]]]
        if let lastFinished { status["lastState"] = ["terminated": ["exitCode": 1, "finishedAt": .string(lastFinished)]] }
        return status
    }

    static let podCases: [(JSONValue, [String])] = [
        // Running, both containers ready.
        (JSONValue.object(["phase": "Running", "podIP": "10.244.0.5", "podIPs": [["ip": "10.244.0.5"]],
                    "containerStatuses": [runningContainer("app"), runningContainer("sidecar")]]),
         ["2/2", "Running", "0", "10.244.0.5"]),
        // One container crash-looping with restarts: its waiting reason wins, restarts show the last restart.
        (["phase": "Running", "containerStatuses": [
            ["name": "app", "ready": false, "restartCount": 4,
             "state": ["waiting": ["reason": "CrashLoopBackOff"]],
             "lastState": ["terminated": ["exitCode": 1, "finishedAt": "2025-03-01T11:58:00Z"]]],
            runningContainer("sidecar"),
         ]], ["1/2", "CrashLoopBackOff", "4 (2m ago)", "<none>"]),
        // Pending, not scheduled yet.
        (["phase": "Pending"], ["0/2", "Pending", "0", "<none>"]),
        // Second init container still running.
        (["phase": "Pending", "initContainerStatuses": [
            ["name": "init-a", "ready": true, "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
            ["name": "init-b", "ready": false, "restartCount": 0, "state": ["running": [:]]],
         ]], ["0/2", "Init:1/2", "0", "<none>"]),
        // Failed init container.
        (["phase": "Pending", "initContainerStatuses": [
            ["name": "init-a", "ready": false, "restartCount": 2, "state": ["waiting": ["reason": "CrashLoopBackOff"]]],
         ]], ["0/2", "Init:CrashLoopBackOff", "2", "<none>"]),
        // Completed.
        (["phase": "Succeeded", "containerStatuses": [
            ["name": "app", "ready": false, "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
            ["name": "sidecar", "ready": false, "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
         ]], ["0/2", "Completed", "0", "<none>"]),
        // Terminated without a reason: exit code.
        (["phase": "Failed", "containerStatuses": [
            ["name": "app", "ready": false, "restartCount": 0, "state": ["terminated": ["exitCode": 137]]],
         ]], ["0/2", "ExitCode:137", "0", "<none>"]),
        // A completed sidecar next to a running container: NotReady until the pod is Ready.
        (["phase": "Running", "containerStatuses": [
            runningContainer("app"),
            ["name": "sidecar", "ready": false, "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
         ]], ["1/2", "NotReady", "0", "<none>"]),
        (["phase": "Running", "conditions": [["type": "Ready", "status": "True"]], "containerStatuses": [
            runningContainer("app"),
            ["name": "sidecar", "ready": false, "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]],
         ]], ["1/2", "Running", "0", "<none>"]),
        // Evicted: the pod-level reason.
        (["phase": "Failed", "reason": "Evicted"], ["0/2", "Evicted", "0", "<none>"]),
    ]

    @Test("Pod ready, status and restarts", arguments: podCases)
    func pod(status: JSONValue, expected: [String]) {
        let pod: JSONValue = [
            "metadata": Self.metadata("web-0"),
            "spec": ["containers": [["name": "app"], ["name": "sidecar"]], "initContainers": [["name": "init-a"], ["name": "init-b"]]],
            "status": status,
        ]
        let cells = Self.cells(kind: "Pod", pod)
        #expect(["Ready", "Status", "Restarts", "IP"].map { cells[$0]?.stringValue ?? "?" } == expected)
        #expect(cells["Node"] == "<none>")
        #expect(cells["Nominated Node"] == "<none>")
        #expect(cells["Readiness Gates"] == "<none>")
    }

    @Test("Pod being deleted is Terminating; node and readiness gates in wide columns")
    func podWide() {
        var metadata = Self.metadata("web-1")
        metadata["deletionTimestamp"] = "2025-03-01T12:00:30Z"
        let pod: JSONValue = [
            "metadata": metadata,
            "spec": ["nodeName": "node-1", "containers": [["name": "app"]], "readinessGates": [["conditionType": "example.com/ready"], ["conditionType": "example.com/lb"]]],
            "status": ["phase": "Running", "nominatedNodeName": "node-2",
                       "conditions": [["type": "example.com/ready", "status": "True"], ["type": "example.com/lb", "status": "False"]],
                       "containerStatuses": [Self.runningContainer("app")]],
        ]
        let cells = Self.cells(kind: "Pod", pod)
        #expect(cells["Status"] == "Terminating")
        #expect(cells["Ready"] == "1/1")
        #expect(cells["Node"] == "node-1")
        #expect(cells["Nominated Node"] == "node-2")
        #expect(cells["Readiness Gates"] == "1/2")
    }

    @Test("EndpointSlice lists at most three ports and endpoints")
    func endpointSlice() {
        let slice: JSONValue = [
            "metadata": Self.metadata("web-abcde", ageSeconds: 86400 * 10),
            "addressType": "IPv4",
            "ports": [["name": "http", "port": 80, "protocol": "TCP"], ["name": "https", "port": 443], ["name": "named"]],
            "endpoints": [["addresses": ["10.0.0.1"]], ["addresses": ["10.0.0.2", "10.0.0.3"]], ["addresses": ["10.0.0.4"]], ["addresses": ["10.0.0.5"]]],
        ]
        let cells = Self.cells(kind: "EndpointSlice", group: "discovery.k8s.io", slice)
        #expect(cells["AddressType"] == "IPv4")
        #expect(cells["Ports"] == "80,443,named")
        #expect(cells["Endpoints"] == "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...")
        #expect(cells["Age"] == "10d")
        let empty = Self.cells(kind: "EndpointSlice", group: "discovery.k8s.io", ["metadata": Self.metadata("e"), "addressType": "IPv4", "endpoints": []])
        #expect(empty["Ports"] == "<unset>")
        #expect(empty["Endpoints"] == "<unset>")
    }

    @Test("Deployment")
    func deployment() {
        let deployment: JSONValue = [
            "metadata": Self.metadata("web", ageSeconds: 3 * 3600 + 20 * 60),
            "spec": ["replicas": 3,
                     "selector": ["matchLabels": ["app": "web"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["fe", "be"]]]],
                     "template": ["spec": ["containers": [["name": "app", "image": "nginx:1.27"], ["name": "proxy", "image": "envoy:1.30"]]]]],
            "status": ["replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2],
        ]
        let cells = Self.cells(kind: "Deployment", group: "apps", deployment)
        #expect(cells["Ready"] == "2/3")
        #expect(cells["Up-to-date"] == 3)
        #expect(cells["Available"] == 2)
        #expect(cells["Age"] == "3h20m")
        #expect(cells["Containers"] == "app,proxy")
        #expect(cells["Images"] == "nginx:1.27,envoy:1.30")
        #expect(cells["Selector"] == "app=web,tier in (be,fe)")
        let fresh = Self.cells(kind: "Deployment", group: "apps", ["metadata": Self.metadata("new"), "spec": ["template": [:]]])
        #expect(fresh["Ready"] == "0/1")
        #expect(fresh["Up-to-date"] == 0)
    }

    @Test("ConfigMap, Secret and ServiceAccount count their entries")
    func counts() {
        let configMap = Self.cells(kind: "ConfigMap", ["metadata": Self.metadata("cfg"), "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]])
        #expect(configMap["Data"] == 3)
        let emptyConfigMap = Self.cells(kind: "ConfigMap", ["metadata": Self.metadata("empty")])
        #expect(emptyConfigMap["Data"] == 0)
        let secret = Self.cells(kind: "Secret", ["metadata": Self.metadata("tls"), "type": "kubernetes.io/tls", "data": ["tls.crt": "", "tls.key": ""]])
        #expect(secret["Type"] == "kubernetes.io/tls")
        #expect(secret["Data"] == 2)
        let account = Self.cells(kind: "ServiceAccount", ["metadata": Self.metadata("default")])
        #expect(account["Secrets"] == 0)
        #expect(account["Age"] == "5m")
    }

    @Test("core/v1 Event")
    func coreEvent() {
        let event: JSONValue = [
            "metadata": Self.metadata("web-0.17f1"),
            "involvedObject": ["kind": "Pod", "name": "web-0", "namespace": "default", "fieldPath": "spec.containers{app}"],
            "reason": "BackOff", "message": "Back-off restarting failed container\n", "type": "Warning",
            "source": ["component": "kubelet", "host": "node-1"],
            "firstTimestamp": "2025-03-01T11:00:00Z", "lastTimestamp": "2025-03-01T11:58:00Z", "count": 12,
        ]
        let cells = Self.cells(kind: "Event", event)
        #expect(cells["Last Seen"] == "2m")
        #expect(cells["Type"] == "Warning")
        #expect(cells["Reason"] == "BackOff")
        #expect(cells["Object"] == "pod/web-0")
        #expect(cells["Subobject"] == "spec.containers{app}")
        #expect(cells["Source"] == "kubelet, node-1")
        #expect(cells["Message"] == "Back-off restarting failed container")
        #expect(cells["First Seen"] == "60m")
        #expect(cells["Count"] == 12)
        #expect(cells["Name"] == "web-0.17f1")
    }

    @Test("events.k8s.io Event with a series and a singleton without count")
    func eventsAPIEvent() {
        let series: JSONValue = [
            "metadata": Self.metadata("svc.1"), "regarding": ["kind": "Service", "name": "web"], "note": "Ensuring load balancer",
            "reason": "EnsuringLoadBalancer", "type": "Normal", "reportingController": "service-controller",
            "eventTime": "2025-03-01T11:30:00.000000Z", "series": ["count": 4, "lastObservedTime": "2025-03-01T11:59:00.000000Z"],
        ]
        let cells = Self.cells(kind: "Event", group: "events.k8s.io", series)
        #expect(cells["Object"] == "service/web")
        #expect(cells["Message"] == "Ensuring load balancer")
        #expect(cells["Source"] == "service-controller")
        #expect(cells["First Seen"] == "30m")
        #expect(cells["Last Seen"] == "60s")
        #expect(cells["Count"] == 4)
        let singleton: JSONValue = ["metadata": Self.metadata("x"), "regarding": ["kind": "Node"], "eventTime": "2025-03-01T11:59:30.000000Z"]
        let singletonCells = Self.cells(kind: "Event", group: "events.k8s.io", singleton)
        #expect(singletonCells["Count"] == 1)
        #expect(singletonCells["Last Seen"] == "30s")
        #expect(singletonCells["Object"] == "node")
    }

    @Test("Lease holder")
    func lease() {
        let held = Self.cells(kind: "Lease", group: "coordination.k8s.io", ["metadata": Self.metadata("leader"), "spec": ["holderIdentity": "hub-0_1234"]])
        #expect(held["Holder"] == "hub-0_1234")
        let free = Self.cells(kind: "Lease", group: "coordination.k8s.io", ["metadata": Self.metadata("leader"), "spec": [:]])
        #expect(free["Holder"] == "")
    }

    @Test("CRDs and roles show Created At as an RFC 3339 time", arguments: [
        ("CustomResourceDefinition", "apiextensions.k8s.io"), ("Role", "rbac.authorization.k8s.io"), ("ClusterRole", "rbac.authorization.k8s.io"),
    ])
    func createdAt(kind: String, group: String) {
        let cells = Self.cells(kind: kind, group: group, ["metadata": ["name": "x", "creationTimestamp": "2025-02-28T10:00:00Z"]])
        #expect(cells["Created At"] == "2025-02-28T10:00:00Z")
        #expect(cells["Name"] == "x")
    }

    @Test("RoleBinding subjects", arguments: ["RoleBinding", "ClusterRoleBinding"])
    func roleBinding(kind: String) {
        let binding: JSONValue = [
            "metadata": Self.metadata("readers"),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"],
            "subjects": [["kind": "User", "name": "alice"], ["kind": "User", "name": "bob"], ["kind": "Group", "name": "devs"],
                         ["kind": "ServiceAccount", "name": "ci", "namespace": "tools"]],
        ]
        let cells = Self.cells(kind: kind, group: "rbac.authorization.k8s.io", binding)
        #expect(cells["Role"] == "ClusterRole/view")
        #expect(cells["Users"] == "alice, bob")
        #expect(cells["Groups"] == "devs")
        #expect(cells["ServiceAccounts"] == "tools/ci")
        #expect(cells["Age"] == "5m")
    }

    @Test("a definition's own printer columns take precedence for built-ins")
    func definitionColumns() {
        let table = makeTable(objects: [["metadata": Self.metadata("svc"), "spec": ["type": "ClusterIP"]]],
                              definition: Fixtures.service, listMeta: [:], now: Fixtures.now)
        #expect(table.tableCell(row: 0, column: "Type") == "ClusterIP")
        #expect(table.tableCell(row: 0, column: "Selector") == "<none>")
    }
}
