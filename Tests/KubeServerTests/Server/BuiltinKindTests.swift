import KubeModel
import KubeServer
import Testing

// Built-in kinds whose server-side behaviour clients depend on: Service IP and port allocation
// and defaulting, Namespace phase.

@Suite struct ServerBuiltinKindTests {
    private static let options = ServerOptions(serviceClusterIPRange: "10.100.0.0/24", nodePortRange: 31000...31010)
    private static let services = "/api/v1/namespaces/default/services"

    private static func service(_ name: String, type: String = "ClusterIP") -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)],
            "spec": ["type": .string(type), "selector": ["app": "web"], "ports": [["name": "http", "port": 80]]],
        ]
    }

    private static func isInRange(_ ip: String) -> Bool {
        guard ip.hasPrefix("10.100.0."), let last = Int(ip.dropFirst("10.100.0.".count)) else { return false }
        return (1...254).contains(last)
    }

    @Test func servicesGetAClusterIPFromTheRangeAndDefaultedPorts() async throws {
        try await TestServer.with(options: Self.options) { server in
            let web = try await server.create(Self.services, Self.service("web"))
            let ip = web[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            #expect(Self.isInRange(ip), "clusterIP \(ip)")
            #expect(web[path: ["spec", "clusterIPs"]] == [.string(ip)])
            #expect(web[path: ["spec", "ports"]] == [["name": "http", "port": 80, "targetPort": 80, "protocol": "TCP"]])
            #expect(web[path: ["spec", "sessionAffinity"]] == "None")
            let kubernetes = try await server.get(Self.services + "/kubernetes")[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            #expect(Self.isInRange(kubernetes))
            let other = try await server.create(Self.services, Self.service("other"))
            let otherIP = other[path: ["spec", "clusterIP"]]?.stringValue ?? ""
            #expect(Self.isInRange(otherIP))
            #expect(Set([ip, kubernetes, otherIP]).count == 3, "addresses are unique")
        }
    }

    @Test func updatesKeepTheClusterIPAndCannotChangeIt() async throws {
        try await TestServer.with(options: Self.options) { server in
            let created = try await server.create(Self.services, Self.service("web"))
            let ip = created[path: ["spec", "clusterIP"]]
            var update = created
            update[path: ["spec", "clusterIP"]] = nil
            update[path: ["spec", "clusterIPs"]] = nil
            update[path: ["metadata", "labels"]] = ["changed": "yes"]
            let updated = try await server.request(.PUT, Self.services + "/web", json: update)
            #expect(updated.status == 200)
            #expect(updated.json[path: ["spec", "clusterIP"]] == ip)
            #expect(updated.json[path: ["metadata", "labels"]] == ["changed": "yes"])

            var moved = updated.json
            moved[path: ["spec", "clusterIP"]] = "10.100.0.200"
            moved[path: ["spec", "clusterIPs"]] = ["10.100.0.200"]
            let rejected = try await server.request(.PUT, Self.services + "/web", json: moved)
            #expect(rejected.status == 422)
            #expect(rejected.reason == "Invalid")
            #expect(rejected.message?.contains("may not change once set") == true, "\(rejected.message ?? "")")
            #expect(try await server.get(Self.services + "/web") == updated.json)
        }
    }

    @Test func loadBalancerServicesGetNodePortsFromTheRange() async throws {
        try await TestServer.with(options: Self.options) { server in
            let created = try await server.create(Self.services, Self.service("lb", type: "LoadBalancer"))
            let port = created[path: ["spec", "ports"]]?[0]
            let nodePort = Int(port?["nodePort"]?.intValue ?? 0)
            #expect((31000...31010).contains(nodePort), "nodePort \(nodePort)")
            #expect(created[path: ["spec", "externalTrafficPolicy"]] == "Cluster")
            #expect(created[path: ["spec", "allocateLoadBalancerNodePorts"]] == true)

            var update = created
            update[path: ["spec", "ports"]] = [["name": "http", "port": 80]]
            let updated = try await server.request(.PUT, Self.services + "/lb", json: update)
            #expect(updated.status == 200)
            #expect(updated.json[path: ["spec", "ports"]]?[0]?["nodePort"] == .int(Int64(nodePort)), "the node port is kept")
        }
    }
}
