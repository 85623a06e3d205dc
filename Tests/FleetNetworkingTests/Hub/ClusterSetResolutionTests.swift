import FleetAPI
@testable import FleetNetworking
import Foundation
import KubeModel
import Testing

// KEP-1645's conflict rules as the hub applies them (ClusterSetResolution), and which API governs
// a service exported through both (ServiceResolution): pure functions of the live exports.

struct ClusterSetResolutionTests {
    static func port(_ name: String, _ number: Int32, _ proto: String = "TCP", app: String? = nil) -> FleetServicePort {
        FleetServicePort(name: name, protocol: proto, appProtocol: app, port: number, targetPort: .int(number))
    }

    /// An export of `work/app` by `cluster`, created at `second`, through the MCS API unless `fleet`.
    static func candidate(
        _ cluster: String, at second: Int64, ports: [FleetServicePort] = [port("tcp", 42), port("udp", 42, "UDP")],
        type: String = MCSServiceImportType.clusterSetIP, affinity: String? = "ClientIP", timeout: Int32? = 10,
        policy: String? = "Cluster", distribution: String? = nil, families: [String]? = ["IPv4"],
        labels: [String: String]? = nil, annotations: [String: String]? = nil, fleet: Bool = false
    ) -> ServiceExportCandidate {
        let reference = ExportedObjectReference(
            clusterId: cluster, kind: "Service", namespace: "work", name: "app", resourceVersion: "1", generation: 1, uid: "uid-\(cluster)")
        let clusterSet = ClusterSetExport(
            serviceExportCreationTimestamp: Time(secondsSinceEpoch: second), type: type, sessionAffinity: affinity,
            sessionAffinityConfig: timeout.map { SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: $0)) },
            internalTrafficPolicy: policy, trafficDistribution: distribution, ipFamilies: families, exportedLabels: labels,
            exportedAnnotations: annotations)
        var meta = ObjectMeta(name: "work-app", namespace: FleetNamespaces.member(cluster))
        meta.creationTimestamp = Time(secondsSinceEpoch: second)
        return ServiceExportCandidate(
            export: InternalServiceExport(
                metadata: meta,
                spec: InternalServiceExportSpec(ports: ports, serviceReference: reference, clusterSetExport: fleet ? nil : clusterSet)),
            cluster: cluster)
    }

    static func portNames(_ resolution: ClusterSetResolution) -> [String] {
        resolution.serviceImport.ports.map { "\($0.name ?? "")/\($0.port)/\($0.effectiveProtocol)" }
    }

    @Test func identicalExportsAgree() {
        let resolution = ClusterSetResolution([Self.candidate("b", at: 2), Self.candidate("a", at: 1)])
        #expect(resolution.conflict == .init(status: "False", reason: "NoConflicts", message: ClusterSetResolution.agreementMessage))
        #expect(resolution.clusters == ["a", "b"])
        #expect(Self.portNames(resolution) == ["tcp/42/TCP", "udp/42/UDP"])
        #expect(resolution.serviceImport.sessionAffinity == "ClientIP")
        #expect(resolution.serviceImport.sessionAffinityConfig?.clientIP?.timeoutSeconds == 10)
        #expect(resolution.serviceImport.ipFamilies == ["IPv4"])
        #expect(resolution.portClusters == [PortClusters(name: "tcp", clusters: ["a", "b"]), PortClusters(name: "udp", clusters: ["a", "b"])])
        #expect(resolution.serviceImport.ports.allSatisfy { $0.appProtocol == nil }, "unset appProtocol stays unset")
    }

    @Test("ports are the union by name, oldest first (conformance spec 10)")
    func portUnion() {
        let resolution = ClusterSetResolution([
            Self.candidate("c0", at: 1), Self.candidate("c1", at: 2, ports: [Self.port("tcp", 42), Self.port("stcp", 142, "SCTP")]),
        ])
        #expect(Self.portNames(resolution) == ["stcp/142/SCTP", "tcp/42/TCP", "udp/42/UDP"])
        #expect(resolution.conflict.status == "True" && resolution.conflict.reason == "PortConflict")
        #expect(resolution.clusters == ["c0", "c1"])
        #expect(
            resolution.portClusters == [
                PortClusters(name: "stcp", clusters: ["c1"]), PortClusters(name: "tcp", clusters: ["c0", "c1"]),
                PortClusters(name: "udp", clusters: ["c0"]),
            ])
    }

    @Test("a port name taken with another number is left out; the port reaches only the oldest (spec 11, 19)")
    func sameNameOtherNumber() {
        let resolution = ClusterSetResolution([Self.candidate("c1", at: 2, ports: [Self.port("tcp", 43)]), Self.candidate("c0", at: 1)])
        #expect(Self.portNames(resolution) == ["tcp/42/TCP", "udp/42/UDP"])
        #expect(resolution.conflict.reason == "PortConflict")
        #expect(resolution.conflict.message.contains("Left out: tcp 43/TCP of \"c1\""))
        #expect(resolution.portClusters.first { $0.name == "tcp" }?.clusters == ["c0"])
    }

    @Test("a port number taken under another name is left out (spec 20: a new name with a new number is added)")
    func otherNameSameNumber() {
        let taken = ClusterSetResolution([
            Self.candidate("c0", at: 1, ports: [Self.port("tcp", 42)]), Self.candidate("c1", at: 2, ports: [Self.port("tcp2", 42)]),
        ])
        #expect(Self.portNames(taken) == ["tcp/42/TCP"])
        let added = ClusterSetResolution([
            Self.candidate("c0", at: 1, ports: [Self.port("tcp", 42)]), Self.candidate("c1", at: 2, ports: [Self.port("tcp2", 4242)]),
        ])
        #expect(Self.portNames(added) == ["tcp/42/TCP", "tcp2/4242/TCP"])
        #expect(added.portClusters == [PortClusters(name: "tcp", clusters: ["c0"]), PortClusters(name: "tcp2", clusters: ["c1"])])
    }

    @Test("the oldest decides the type; the other type takes no part but sees the conflict (spec 15)")
    func typeConflict() {
        let resolution = ClusterSetResolution([
            Self.candidate("c0", at: 1), Self.candidate("c1", at: 2, type: MCSServiceImportType.headless),
        ])
        #expect(resolution.serviceImport.type == MCSServiceImportType.clusterSetIP)
        #expect(resolution.clusters == ["c0"])
        #expect(resolution.conflict.reason == "TypeConflict")
        #expect(
            resolution.conflict.message
                == "Conflicting type. Using \"ClusterSetIP\" from oldest service export in \"c0\". 1/2 clusters disagree.")
    }

    @Test func everyConflictingPropertyIsOneReasonInOrder() {
        let resolution = ClusterSetResolution([
            Self.candidate("c0", at: 1, distribution: "PreferClose", labels: ["a": "1"], annotations: ["x": "1"]),
            Self.candidate(
                "c1", at: 2, ports: [Self.port("tcp", 43)], affinity: "None", timeout: nil, policy: "Local", distribution: nil,
                families: ["IPv6"], labels: ["a": "2"], annotations: ["x": "2"]),
        ])
        #expect(
            resolution.conflict.reason
                == "PortConflict,SessionAffinityConflict,SessionAffinityConfigConflict,TrafficDistributionConflict,InternalTrafficPolicyConflict,LabelsConflict,AnnotationsConflict,IPFamilyConflict"
        )
        #expect(resolution.labels == ["a": "1"] && resolution.annotations == ["x": "1"], "the oldest export's maps, whole")
        #expect(resolution.serviceImport.ipFamilies == ["IPv4", "IPv6"])
        #expect(resolution.serviceImport.internalTrafficPolicy == "Cluster")
        #expect(resolution.serviceImport.trafficDistribution == "PreferClose")
        #expect(resolution.conflict.message.split(separator: ".").count >= 8)
    }

    @Test func tiesGoToTheSmallerClusterNameAndPreferSameZoneEqualsPreferClose() {
        let resolution = ClusterSetResolution([
            Self.candidate("b", at: 1, ports: [Self.port("tcp", 43)], distribution: "PreferSameZone"),
            Self.candidate("a", at: 1, distribution: "PreferClose"),
        ])
        #expect(resolution.portClusters.first { $0.name == "tcp" }?.clusters == ["a"])
        #expect(resolution.conflict.reason == "PortConflict")
    }

    @Test func headlessImportsCarryNoSessionAffinity() {
        let resolution = ClusterSetResolution([Self.candidate("a", at: 1, type: MCSServiceImportType.headless)])
        #expect(resolution.serviceImport.type == "Headless" && resolution.serviceImport.sessionAffinity == nil)
    }

    @Test("the oldest export's API governs a service exported through both")
    func governingAPI() {
        let key = HubCaches.serviceKey("work", "app")
        let fleetFirst = ServiceResolution(
            [Self.candidate("a", at: 1, fleet: true), Self.candidate("b", at: 2)], served: [], service: key)
        #expect(!fleetFirst.isClusterSet && fleetFirst.clusters == ["a"])
        #expect(fleetFirst.conflict(of: Self.candidate("b", at: 2)).reason == "ExportAPIConflict")
        #expect(fleetFirst.conflict(of: Self.candidate("a", at: 1, fleet: true)).reason == "NoConflictFound")

        let clusterSetFirst = ServiceResolution(
            [Self.candidate("a", at: 2, fleet: true), Self.candidate("b", at: 1)], served: [], service: key)
        #expect(clusterSetFirst.isClusterSet && clusterSetFirst.clusters == ["b"])
        #expect(clusterSetFirst.conflict(of: Self.candidate("a", at: 2, fleet: true)).reason == "ConflictFound")
        #expect(clusterSetFirst.conflict(of: Self.candidate("b", at: 1)).reason == "ExportAPIConflict")
        #expect(clusterSetFirst.status.type == "ClusterSetIP" && clusterSetFirst.status.clusterNames == ["b"])
        #expect(clusterSetFirst.status.ports?.allSatisfy { $0.targetPort == nil } == true)
    }
}
