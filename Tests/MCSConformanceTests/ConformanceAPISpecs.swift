import FleetAPI
import Foundation
import KubeClient
import KubeModel
import Testing

// The SIG-Multicluster conformance specs that are checked through the API (mcs-api `conformance/`,
// specs 1–15 and 21 of ../shared/spec/mcs-api.md §10), re-created on a local fleet with the upstream
// fixtures, waits (20 s, polled every 100 ms) and "consistently" periods (5 s). Each test is named
// after the spec it mirrors; specs 16–20 and 22–27 (traffic and DNS) are the east-west issue's.

@Suite("MCS API conformance", .localFleet(members: 2))
struct ConformanceAPISpecs {

    // MARK: ServiceImport lifecycle

    @Test("1: a ServiceImport exists as long as at least one cluster exports the service", .tags(.required))
    func importExistsWhileAnyClusterExports() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster()
            try await eventually("cluster 0's import lists both clusters") {
                try await fixture.serviceImport(in: 0)?.status?.clusters?.count == 2
            }
            try await fixture.unexport(in: 0)
            try await consistently("the import stays while cluster 1 exports") { try await fixture.serviceImport(in: 0) != nil }
            try await fixture.unexport(in: 1)
            try await eventually("the import is gone once nobody exports") { try await fixture.serviceImport(in: 0) == nil }
        }
    }

    @Test("2: only the exported labels and annotations reach the ServiceImport", .tags(.optional))
    func onlyExportedLabelsAndAnnotations() async throws {
        try await withFixture(exported: false) { fixture in
            try await fixture.export(
                in: 0, spec: MCSServiceExportSpec(exportedLabels: ["dummy-label": "true"], exportedAnnotations: ["dummy-annotation": "true"]))
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has the exported label and annotation") {
                    let metadata = try await fixture.serviceImport(in: index)?.metadata
                    return metadata?.labels?["dummy-label"] == "true" && metadata?.annotations?["dummy-annotation"] == "true"
                }
                let metadata = try #require(try await fixture.serviceImport(in: index)?.metadata)
                #expect(metadata.labels?["dummy-svc"] == nil && metadata.annotations?["dummy-svc"] == nil)
                #expect(metadata.labels?["dummy-svcexport"] == nil && metadata.annotations?["dummy-svcexport"] == nil)
            }
        }
    }

    @Test("3: conflicting exported labels and annotations: the oldest export's win, both report the conflict", .tags(.optional))
    func conflictingExportedLabels() async throws {
        try await withFixture(exported: false) { fixture in
            try await fixture.export(
                in: 0, spec: MCSServiceExportSpec(exportedLabels: ["dummy-label": "true"], exportedAnnotations: ["dummy-annotation": "true"]))
            try await fixture.exportFromSecondCluster(
                spec: MCSServiceExportSpec(exportedLabels: ["dummy-label2": "true"], exportedAnnotations: ["dummy-annotation2": "true"]))
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s export reports Conflict=True") {
                    try await fixture.condition(MCSServiceExportConditions.conflict, in: index)?.status == "True"
                }
            }
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import keeps cluster 0's labels and annotations") {
                    let metadata = try await fixture.serviceImport(in: index)?.metadata
                    return metadata?.labels?["dummy-label"] == "true" && metadata?.annotations?["dummy-annotation"] == "true"
                        && metadata?.labels?["dummy-label2"] == nil && metadata?.annotations?["dummy-annotation2"] == nil
                }
            }
        }
    }

    // MARK: ClusterIP services

    @Test("4: a ClusterIP Service is imported as ClusterSetIP in every cluster, and unexporting deletes the imports", .tags(.required))
    func clusterIPImportedEverywhere() async throws {
        try await withFixture { fixture in
            try await eventually("the export is Valid") {
                try await fixture.condition(MCSServiceExportConditions.valid, in: 0)?.status == "True"
            }
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) imports it as ClusterSetIP") {
                    try await fixture.serviceImport(in: index)?.spec.type == MCSServiceImportType.clusterSetIP
                }
            }
            try await fixture.unexport(in: 0)
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import is deleted") { try await fixture.serviceImport(in: index) == nil }
            }
        }
    }

    @Test("5: the ServiceImport has the Service's session affinity and its config", .tags(.required))
    func sessionAffinity() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has ClientIP affinity with a 10 s timeout") {
                    let spec = try await fixture.serviceImport(in: index)?.spec
                    return spec?.sessionAffinity == "ClientIP"
                        && spec?.sessionAffinityConfig == SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10))
                }
            }
        }
    }

    @Test("6: the ServiceImport has the Service's internalTrafficPolicy", .tags(.required))
    func internalTrafficPolicy() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has internalTrafficPolicy Cluster") {
                    try await fixture.serviceImport(in: index)?.spec.internalTrafficPolicy == "Cluster"
                }
            }
        }
    }

    @Test("7: the ServiceImport has the Service's trafficDistribution", .tags(.required))
    func trafficDistribution() async throws {
        try await withFixture(service: { $0.spec?.trafficDistribution = "PreferClose" }) { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has trafficDistribution PreferClose") {
                    try await fixture.serviceImport(in: index)?.spec.trafficDistribution == "PreferClose"
                }
            }
        }
    }

    @Test("8: the ServiceImport has an IP for each of its IP families", .tags(.required))
    func anIPPerFamily() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has IPs") {
                    !(try await fixture.serviceImport(in: index)?.spec.ips ?? []).isEmpty
                }
                let spec = try #require(try await fixture.serviceImport(in: index)?.spec)
                let ips = spec.ips ?? []
                let families = spec.ipFamilies ?? []
                #expect(ips.count == families.count, "ips \(ips) and ipFamilies \(families) are aligned")
                for (ip, family) in zip(ips, families) {
                    #expect((ip.contains(":") ? "IPv6" : "IPv4") == family, "\(ip) is of family \(family)")
                }
            }
        }
    }

    @Test("9: the ServiceImport's ports match the Service's", .tags(.required))
    func portsMatch() async throws {
        try await withFixture { fixture in
            let expected = [MCSServicePort(name: "tcp", protocol: "TCP", port: 42), MCSServicePort(name: "udp", protocol: "UDP", port: 42)]
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has the ports tcp 42/TCP and udp 42/UDP") {
                    let ports = try await fixture.serviceImport(in: index)?.spec.ports ?? []
                    return ports.sorted { ($0.name ?? "").lowercased() < ($1.name ?? "").lowercased() } == expected
                }
            }
            // appProtocol is absent, not empty.
            let raw = try await fixture.fleet.clusters[0].api(MCSServiceImport.self, namespace: fixture.namespace).get(ConformanceFixture.name)
            let encoded = try JSONValue(encoding: raw)
            #expect(encoded[path: ["spec", "ports"]]?.arrayValue?.allSatisfy { $0["appProtocol"] == nil } == true)
        }
    }

    @Test("10: exports with different ports get the union of the ports and a conflict on both", .tags(.required))
    func portUnionAndConflict() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster(service: {
                $0.spec?.ports = [ServicePort(name: "tcp", protocol: "TCP", port: 42), ServicePort(name: "stcp", protocol: "SCTP", port: 142)]
            })
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s export reports Conflict=True") {
                    try await fixture.condition(MCSServiceExportConditions.conflict, in: index)?.status == "True"
                }
            }
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import has ports stcp, tcp, udp") {
                    let ports = try await fixture.serviceImport(in: index)?.spec.ports ?? []
                    return ports.compactMap(\.name).sorted() == ["stcp", "tcp", "udp"]
                }
            }
        }
    }

    @Test("11: a port name exported with another number conflicts; the oldest export's port is kept", .tags(.required))
    func samePortNameOtherNumber() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster(service: { $0.spec?.ports = [ServicePort(name: "tcp", protocol: "TCP", port: 43)] })
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s export reports Conflict=True") {
                    try await fixture.condition(MCSServiceExportConditions.conflict, in: index)?.status == "True"
                }
            }
            for index in 0..<fixture.clusterCount {
                try await consistently("cluster \(index)'s import keeps tcp 42/TCP and udp 42/UDP") {
                    let ports = try await fixture.serviceImport(in: index)?.spec.ports ?? []
                    return ports.map { "\($0.name ?? "")/\($0.port)/\($0.effectiveProtocol)" }.sorted() == ["tcp/42/TCP", "udp/42/UDP"]
                }
            }
        }
    }

    // MARK: Headless services

    @Test("12: a headless Service is imported as Headless in every cluster, and unexporting deletes the imports", .tags(.required))
    func headlessImportedEverywhere() async throws {
        try await withFixture(service: Self.headless) { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) imports it as Headless") {
                    try await fixture.serviceImport(in: index)?.spec.type == MCSServiceImportType.headless
                }
            }
            try await fixture.unexport(in: 0)
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s import is deleted") { try await fixture.serviceImport(in: index) == nil }
            }
        }
    }

    @Test("13: a headless ServiceImport has no IP", .tags(.required))
    func headlessHasNoIP() async throws {
        try await withFixture(service: Self.headless) { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) imports it") { try await fixture.serviceImport(in: index) != nil }
                try await consistently("cluster \(index)'s import has no IP") {
                    (try await fixture.serviceImport(in: index)?.spec.ips ?? []).isEmpty
                }
            }
        }
    }

    @Test("15: a headless export beside a ClusterIP one conflicts; the oldest export's type wins", .tags(.required))
    func headlessnessConflict() async throws {
        try await withFixture { fixture in
            try await fixture.exportFromSecondCluster(service: Self.headless)
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index)'s export reports Conflict=True") {
                    try await fixture.condition(MCSServiceExportConditions.conflict, in: index)?.status == "True"
                }
            }
            for index in 0..<fixture.clusterCount {
                try await consistently("cluster \(index)'s import stays ClusterSetIP") {
                    try await fixture.serviceImport(in: index)?.spec.type == MCSServiceImportType.clusterSetIP
                }
            }
        }
    }

    static let headless: @Sendable (inout Service) -> Void = { $0.spec?.clusterIP = "None" }

    // MARK: ExternalName services

    @Test("14: an ExternalName Service is not exportable and nothing is imported", .tags(.required))
    func externalNameIsInvalid() async throws {
        try await withFixture(service: {
            $0.spec = ServiceSpec(type: "ExternalName", externalName: "example.com")
        }) { fixture in
            try await eventually("the export is Valid=False") {
                try await fixture.condition(MCSServiceExportConditions.valid, in: 0)?.status == "False"
            }
            for index in 0..<fixture.clusterCount {
                try await consistently("cluster \(index) imports nothing") { try await fixture.serviceImport(in: index) == nil }
            }
        }
    }

    // MARK: EndpointSlices

    @Test("21: every cluster gets MCS EndpointSlices of the exported endpoints, deleted on unexport", .tags(.optional))
    func endpointSlices() async throws {
        try await withFixture { fixture in
            for index in 0..<fixture.clusterCount {
                try await eventually("cluster \(index) has an MCS EndpointSlice per family with endpoints", timeout: .seconds(60)) {
                    let families = try await fixture.serviceImport(in: index)?.spec.ipFamilies ?? []
                    guard !families.isEmpty else { return false }
                    let slices = try await fixture.importedSlices(in: index)
                    return families.allSatisfy { family in
                        slices.contains { slice in
                            let labels = slice.metadata.labels ?? [:]
                            return slice.addressType == family && !slice.endpoints.isEmpty
                                && labels[MCSLabels.serviceName] == ConformanceFixture.name && labels[MCSLabels.sourceCluster] != nil
                                && labels["endpointslice.kubernetes.io/managed-by"] != nil
                                && labels["endpointslice.kubernetes.io/managed-by"] != "endpointslice-controller.k8s.io"
                        }
                    }
                }
            }
            let names = try await (0..<fixture.clusterCount).asyncMap { try await fixture.importedSlices(in: $0).map { $0.metadata.name ?? "" } }
            try await fixture.unexport(in: 0)
            for (index, sliceNames) in names.enumerated() {
                try await eventually("cluster \(index)'s MCS EndpointSlices are deleted") {
                    let api = fixture.fleet.clusters[index].api(EndpointSlice.self, namespace: fixture.namespace)
                    for name in sliceNames {
                        do {
                            _ = try await api.get(name)
                            return false
                        } catch let error as KubeClientError where error.isNotFound {}
                    }
                    return true
                }
            }
        }
    }
}

extension Tag {
    /// The upstream suite's Required specs.
    @Tag static var required: Self
    /// The upstream suite's Optional specs.
    @Tag static var optional: Self
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
