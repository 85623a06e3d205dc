import FleetAPI
import Foundation
import KubeClient
import KubeModel

// The objects the propagation benchmarks write, in a local fleet's namespace `bench`.

struct BenchFleet: Sendable {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    let clients: [String: KubeClient]
    let namespace: String

    func client(_ name: String) -> KubeClient { clients[name]! }

    func prepare() async throws {
        for (_, client) in clients {
            do {
                _ = try await client.api(Namespace.self).create(Namespace(metadata: ObjectMeta(name: namespace)))
            } catch let error as KubeClientError where error.isAlreadyExists {}
        }
    }

    /// A pod-range address of `member` for service `index` (< 250); `change` > 0 (< 250) gives the
    /// extra addresses the endpoint changes add.
    static func address(member: Int, index: Int, change: Int) -> String {
        "127.\(10 + member).\(1 + index).\(1 + change)"
    }

    /// Every address imported into the importer for the derived Service `derived`.
    static func importedAddresses(_ slices: [String: EndpointSlice], derived: String) -> Set<String> {
        var addresses = Set<String>()
        for slice in slices.values where slice.metadata.labels?[FleetLabels.serviceName] == derived {
            for endpoint in slice.endpoints { addresses.formUnion(endpoint.addresses) }
        }
        return addresses
    }

    func createService(_ name: String, in member: String, port: Int32) async throws {
        _ = try await client(member).api(Service.self, namespace: namespace).create(
            Service(
                metadata: ObjectMeta(name: name, namespace: namespace),
                spec: ServiceSpec(ports: [ServicePort(protocol: "TCP", port: port, targetPort: .int(8080))])))
    }

    func createSlice(_ name: String, in member: String, addresses: [String]) async throws {
        _ = try await client(member).api(EndpointSlice.self, namespace: namespace).create(slice(name, addresses: addresses))
    }

    func setSlice(_ name: String, in member: String, addresses: [String]) async throws {
        let api = client(member).api(EndpointSlice.self, namespace: namespace)
        _ = try await retryOnConflict {
            var current = try await api.get(name)
            current.endpoints = Self.endpoints(addresses)
            return try await api.replace(current)
        }
    }

    private func slice(_ name: String, addresses: [String]) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(
                name: name, namespace: namespace,
                labels: [FleetLabels.serviceName: name, FleetLabels.endpointSliceManagedBy: "fleetnet-bench"]),
            addressType: "IPv4", endpoints: Self.endpoints(addresses),
            ports: [EndpointPort(name: "", protocol: "TCP", port: 8080)])
    }

    private static func endpoints(_ addresses: [String]) -> [Endpoint] {
        addresses.map { Endpoint(addresses: [$0], conditions: EndpointConditions(ready: true, serving: true, terminating: false)) }
    }

    /// Runs `count` jobs with at most `width` at once; collects their latencies (a job returning
    /// nil timed out, which fails the benchmark).
    func concurrently(
        _ count: Int, width: Int, _ job: @escaping @Sendable (Int) async throws -> Duration?
    ) async throws -> [Duration] {
        try await withThrowingTaskGroup(of: Duration?.self) { group in
            var next = 0
            var results: [Duration] = []
            func submit() {
                let index = next
                next += 1
                group.addTask { try await job(index) }
            }
            while next < min(width, count) { submit() }
            while let result = try await group.next() {
                guard let result else { throw Failed(description: "a change was not observed within 60 s") }
                results.append(result)
                if next < count { submit() }
            }
            return results
        }
    }
}
