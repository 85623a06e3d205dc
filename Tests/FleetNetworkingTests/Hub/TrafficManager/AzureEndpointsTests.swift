import FleetAPI
import KubeModel
import Testing

@testable import FleetNetworking

// The endpoint arithmetic of a TrafficManagerBackend (traffic-manager spec §4): names, ownership,
// validity messages and the weights `ceil(w × w_c / Σ w_c)` with the reference's examples.

@Suite struct AzureEndpointsTests {
    static func backend(weight: Int64?) -> TrafficManagerBackend {
        TrafficManagerBackend(
            metadata: ObjectMeta(name: "b", namespace: "work", uid: "u1"),
            spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: "p"), backend: LocalObjectName(name: "app"), weight: weight))
    }

    static func export(weight: Int64?, pip: String = "pip") -> InternalServiceExportSpec {
        var spec = InternalServiceExportSpec(
            ports: [], serviceReference: ExportedObjectReference(
                clusterId: "c", apiVersion: "v1", kind: "Service", namespace: "work", name: "app", resourceVersion: "1", generation: 1, uid: "s"))
        spec.type = "LoadBalancer"
        spec.publicIPResourceID = pip
        spec.isDNSLabelConfigured = true
        spec.weight = weight
        return spec
    }

    static let cases: [(Int64, [Int64], [Int64])] = [
        (10, [2, 1], [7, 4]),  // the reference's test: 10 with 2 and 1
        (500, [100, 200], [167, 334]),  // the how-to's example (the sum may exceed the backend's weight)
        (1, [1, 1, 1], [1, 1, 1]),
        (10, [1], [10]),
    ]

    @Test(arguments: cases)
    func weightsAreSplitByExportWeightRoundedUp(backendWeight: Int64, exportWeights: [Int64], expected: [Int64]) {
        let valid = exportWeights.enumerated().map { (cluster: "m\($0.offset)", export: Self.export(weight: $0.element, pip: "pip-\($0.offset)")) }
        let desired = AzureEndpoints.desired(for: Self.backend(weight: backendWeight), valid: valid)
        #expect(desired.map(\.weight) == expected)
        #expect(desired.map(\.name) == exportWeights.indices.map { "fleet-u1#app#m\($0)" })
    }

    @Test func ownershipIsByPrefixIgnoringCase() {
        let backend = Self.backend(weight: 1)
        #expect(AzureEndpoints.isOwned("FLEET-U1#APP#M1", by: backend))
        #expect(!AzureEndpoints.isOwned("fleet-u2#app#m1", by: backend))
        #expect(!AzureEndpoints.isOwned("other-endpoint", by: backend))
    }

    @Test func invalidExportsSayWhy() {
        var export = Self.export(weight: nil)
        #expect(AzureEndpoints.invalidity(of: export) == nil)
        export.isDNSLabelConfigured = false
        #expect(AzureEndpoints.invalidity(of: export) == "DNS label is not configured to the public IP")
        export.publicIPResourceID = nil
        #expect(AzureEndpoints.invalidity(of: export) == "in the processing of configuring public IP")
        export.isInternalLoadBalancer = true
        #expect(AzureEndpoints.invalidity(of: export) == "internal load balancer is not supported")
        export.type = "ClusterIP"
        #expect(AzureEndpoints.invalidity(of: export) == "unsupported service type \"ClusterIP\"")
    }
}
