import FleetAPI
import Foundation
import KubeModel
import KubeRuntime

// One service's resolution when it may be exported through both APIs (docs/api.md, "A service
// exported through both APIs"): the API of the oldest export (`ServiceExportCandidate.precedes`)
// governs the whole service. Exports through that API are resolved by its rules — the reference's
// for the fleet API (`ExportResolution`), KEP-1645's for the MCS API (`ClusterSetResolution`) — and
// exports through the other API take no part: they are in conflict and their endpoints are not
// distributed, until the older exports leave. This mirrors KEP-1645's rule for a type conflict
// (the oldest export decides; the others drop out), so adding an export never changes the rules
// a running service is resolved by.

/// The resolution of one service's live exports, whichever API they came through.
struct ServiceResolution: Sendable {
    /// Whether the service is governed by the MCS API (its oldest export came through it).
    let isClusterSet: Bool
    /// The fleet-API resolution of the fleet exports (the winner decides when not `isClusterSet`).
    let fleet: ExportResolution
    /// The MCS-API resolution, when `isClusterSet`.
    let clusterSet: ClusterSetResolution?
    let service: ObjectKey

    init(_ candidates: [ServiceExportCandidate], served: [FleetServicePort], service: ObjectKey) {
        self.service = service
        let oldest = candidates.min(by: ServiceExportCandidate.precedes)
        isClusterSet = oldest?.clusterSetExport != nil
        let fleetCandidates = candidates.filter { $0.clusterSetExport == nil }
        fleet = ExportResolution(fleetCandidates, served: served)
        clusterSet =
            isClusterSet
            ? ClusterSetResolution(
                candidates.filter { $0.clusterSetExport != nil },
                fleetExporters: Array(Set(fleetCandidates.map(\.cluster))).sorted())
            : nil
        self.candidates = candidates
    }

    private let candidates: [ServiceExportCandidate]

    /// The clusters serving the service, sorted.
    var clusters: [String] {
        if let clusterSet { return clusterSet.clusters }
        return fleet.clusters(of: candidates.filter { $0.clusterSetExport == nil })
    }

    /// Whether `candidate` is one of the exports serving the service.
    func isServing(_ candidate: ServiceExportCandidate) -> Bool {
        if let clusterSet {
            return candidate.clusterSetExport?.type == clusterSet.serviceImport.type && candidate.clusterSetExport != nil
        }
        return candidate.clusterSetExport == nil && fleet.isCompatible(candidate.export)
    }

    /// The hub ServiceImport's status (its `ips` are kept by the caller).
    var status: ServiceImportStatus {
        if let clusterSet {
            let spec = clusterSet.serviceImport
            return ServiceImportStatus(
                type: spec.type, sessionAffinity: spec.sessionAffinity, sessionAffinityConfig: spec.sessionAffinityConfig,
                ports: spec.ports.map {
                    FleetServicePort(name: $0.name, protocol: $0.protocol, appProtocol: $0.appProtocol, port: $0.port)
                },
                clusters: clusterSet.clusters.map { ClusterStatus(cluster: $0) })
        }
        return ServiceImportStatus(
            type: ServiceImportStatus.clusterSetIP, ports: fleet.ports, clusters: clusters.map { ClusterStatus(cluster: $0) })
    }

    /// The `Conflict` condition of `candidate`'s export.
    func conflict(of candidate: ServiceExportCandidate) -> ClusterSetResolution.ConflictOutcome {
        let name = "\(service.namespace)/\(service.name)"
        switch (clusterSet, candidate.clusterSetExport != nil) {
        case (let clusterSet?, true):
            return clusterSet.conflict
        case (_?, false):
            return .init(
                status: ConditionStatus.true, reason: ServiceExportConditions.Reason.conflictFound,
                message:
                    "service \(name) is in conflict with other exported services: its oldest export uses the Multi-Cluster Services API (\(MCSGroup.name)), whose exports serve it")
        case (nil, true):
            return .init(
                status: ConditionStatus.true, reason: MCSServiceExportConditions.Reason.exportAPIConflict,
                message:
                    "Conflicting export API. The service's oldest export uses \(NetworkingGroup.name) ServiceExports, whose rules govern it; exports through \(MCSGroup.name) take no part until those exports leave.")
        case (nil, false):
            return fleet.isCompatible(candidate.export)
                ? .init(
                    status: ConditionStatus.false, reason: ServiceExportConditions.Reason.noConflictFound,
                    message: "service \(name) is exported without conflict")
                : .init(
                    status: ConditionStatus.true, reason: ServiceExportConditions.Reason.conflictFound,
                    message: "service \(name) is in conflict with other exported services")
        }
    }
}
