import FleetAPI
import Foundation
import KubeModel

// How the hub resolves a service exported through the Multi-Cluster Services API (KEP-1645
// §Constraints and Conflict Resolution; ../docs/api.md "Conflicts of the MCS API"). A pure function
// of the live exports, recomputed on every change:
//   - precedence: the ServiceExport's creationTimestamp, oldest first, then the cluster name;
//   - the oldest export decides the type (ClusterSetIP or Headless); exports of the other type
//     take no part (TypeConflict) and serve nothing;
//   - ports: the union by name, folded oldest first — a later port whose name is taken with
//     another protocol/number, or whose protocol/number is taken under another name, is left
//     out; each port records the clusters exposing it exactly (per-port routing);
//   - session affinity (and its config), internalTrafficPolicy, trafficDistribution, exported
//     labels and annotations (each map as a whole): the oldest export's value;
//   - ipFamilies: the union, oldest first;
//   - any disagreement is one `Conflict=True` condition whose reason joins every conflicting
//     property in a fixed order (`PortConflict,SessionAffinityConflict`) and whose message has one
//     sentence per reason; the same condition goes to every export through the MCS API, so each
//     cluster sees it (the conformance suite checks both sides).
// Exports of the same service through the fleet API are no constituents; when there are any, the
// condition also says so (`ExportAPIConflict`).

/// The resolved state of a service exported through the MCS API.
struct ClusterSetResolution: Sendable, Equatable {
    /// The member ServiceImport's properties (without `ips`, which each member allocates).
    let serviceImport: MCSServiceImportSpec
    /// The clusters whose endpoints back the service (the type's constituents), sorted.
    let clusters: [String]
    /// For each resolved port name, the clusters exposing that port exactly.
    let portClusters: [PortClusters]
    let labels: [String: String]?
    let annotations: [String: String]?
    /// The `Conflict` condition every export through the MCS API gets: status, reason, message.
    let conflict: ConflictOutcome

    struct ConflictOutcome: Sendable, Equatable {
        let status: String
        let reason: String
        let message: String
    }

    /// Resolves `candidates`, the live exports through the MCS API (each carries
    /// `spec.clusterSetExport`); `fleetExporters` are the clusters exporting the same service
    /// through the fleet API.
    init(_ candidates: [ServiceExportCandidate], fleetExporters: [String] = []) {
        let ordered = candidates.filter { $0.clusterSetExport != nil }.sorted(by: ServiceExportCandidate.precedes)
        var reasons: [String] = []
        var sentences: [String] = []
        guard let oldest = ordered.first, let winner = oldest.clusterSetExport else {
            serviceImport = MCSServiceImportSpec()
            clusters = []
            portClusters = []
            labels = nil
            annotations = nil
            conflict = ConflictOutcome(
                status: ConditionStatus.false, reason: MCSServiceExportConditions.Reason.noConflicts,
                message: Self.agreementMessage)
            return
        }
        let total = ordered.count

        // Type: the oldest decides; the other type takes no part.
        let constituents = ordered.filter { $0.clusterSetExport?.type == winner.type }
        if constituents.count < total {
            reasons.append(MCSServiceExportConditions.Reason.typeConflict)
            sentences.append(
                "Conflicting type. Using \"\(winner.type)\" from oldest service export in \"\(oldest.cluster)\". \(total - constituents.count)/\(total) clusters disagree.")
        }

        // Ports: the union by name, oldest first.
        var union: [MCSServicePort] = []
        var servedBy: [String: Set<String>] = [:]
        var leftOut: [String] = []
        for candidate in constituents {
            for port in candidate.ports {
                let exposed = MCSServicePort(
                    name: port.name ?? "", protocol: port.effectiveProtocol,
                    appProtocol: port.appProtocol?.isEmpty == false ? port.appProtocol : nil, port: port.port)
                let name = exposed.name ?? ""
                if let existing = union.first(where: { ($0.name ?? "") == name }) {
                    if existing.effectiveProtocol == exposed.effectiveProtocol, existing.port == exposed.port {
                        servedBy[name, default: []].insert(candidate.cluster)
                    } else {
                        leftOut.append("\(Self.describe(exposed)) of \"\(candidate.cluster)\"")
                    }
                } else if union.contains(where: { $0.effectiveProtocol == exposed.effectiveProtocol && $0.port == exposed.port }) {
                    leftOut.append("\(Self.describe(exposed)) of \"\(candidate.cluster)\"")
                } else {
                    union.append(exposed)
                    servedBy[name, default: []].insert(candidate.cluster)
                }
            }
        }
        let portSets = Set(constituents.map { Self.portSignature($0.ports) })
        if portSets.count > 1 {
            reasons.append(MCSServiceExportConditions.Reason.portConflict)
            var sentence =
                "Conflicting ports. The service exposes the union of the ports of \(Self.clusterList(constituents)), the oldest export winning a port's name or number: \(union.sorted(by: Self.portOrder).map(Self.describe).joined(separator: ", "))."
            if !leftOut.isEmpty { sentence += " Left out: \(leftOut.joined(separator: ", "))." }
            sentences.append(sentence)
        }

        // Properties the oldest export decides.
        func disagreeing<Value: Equatable>(_ value: (ClusterSetExport) -> Value) -> Int {
            constituents.filter { $0.clusterSetExport.map(value) != value(winner) }.count
        }
        func decide(_ reason: String, _ property: String, shown: String, disagreeing count: Int) {
            guard count > 0 else { return }
            reasons.append(reason)
            sentences.append(
                "Conflicting \(property). Using \(shown) from oldest service export in \"\(oldest.cluster)\". \(count)/\(constituents.count) clusters disagree.")
        }
        let affinity = winner.sessionAffinity ?? "None"
        decide(
            MCSServiceExportConditions.Reason.sessionAffinityConflict, "sessionAffinity", shown: "\"\(affinity)\"",
            disagreeing: disagreeing { $0.sessionAffinity ?? "None" })
        decide(
            MCSServiceExportConditions.Reason.sessionAffinityConfigConflict, "sessionAffinityConfig",
            shown: Self.describe(winner.sessionAffinityConfig), disagreeing: disagreeing { $0.sessionAffinityConfig })
        decide(
            MCSServiceExportConditions.Reason.trafficDistributionConflict, "trafficDistribution",
            shown: winner.trafficDistribution.map { "\"\($0)\"" } ?? "none",
            disagreeing: disagreeing { Self.trafficDistributionClass($0.trafficDistribution) })
        decide(
            MCSServiceExportConditions.Reason.internalTrafficPolicyConflict, "internalTrafficPolicy",
            shown: "\"\(winner.internalTrafficPolicy ?? "Cluster")\"", disagreeing: disagreeing { $0.internalTrafficPolicy ?? "Cluster" })
        decide(
            MCSServiceExportConditions.Reason.labelsConflict, "exported labels", shown: "the labels",
            disagreeing: disagreeing { $0.exportedLabels ?? [:] })
        decide(
            MCSServiceExportConditions.Reason.annotationsConflict, "exported annotations", shown: "the annotations",
            disagreeing: disagreeing { $0.exportedAnnotations ?? [:] })
        if !fleetExporters.isEmpty {
            reasons.append(MCSServiceExportConditions.Reason.exportAPIConflict)
            sentences.append(
                "Conflicting export API. \(Self.quotedList(fleetExporters.sorted())) export the service through \(NetworkingGroup.name) ServiceExports, which take no part in a service whose oldest export uses \(MCSGroup.name).")
        }
        var families: [String] = []
        for candidate in constituents {
            for family in candidate.clusterSetExport?.ipFamilies ?? [] where !families.contains(family) { families.append(family) }
        }
        let familyLists = Set(constituents.map { $0.clusterSetExport?.ipFamilies ?? [] })
        if familyLists.count > 1 {
            reasons.append(MCSServiceExportConditions.Reason.ipFamilyConflict)
            sentences.append(
                "Conflicting ipFamilies. The service uses the union \(families.joined(separator: ", ")); endpoints of a family only some clusters have are reached from those clusters only.")
        }

        let isHeadless = winner.type == MCSServiceImportType.headless
        serviceImport = MCSServiceImportSpec(
            ports: union.sorted(by: Self.portOrder), type: winner.type,
            sessionAffinity: isHeadless ? nil : affinity,
            sessionAffinityConfig: isHeadless ? nil : winner.sessionAffinityConfig,
            ipFamilies: families.isEmpty ? nil : families,
            internalTrafficPolicy: winner.internalTrafficPolicy, trafficDistribution: winner.trafficDistribution)
        clusters = Array(Set(constituents.map(\.cluster))).sorted()
        portClusters = union.sorted(by: Self.portOrder).map { port in
            PortClusters(name: port.name ?? "", clusters: (servedBy[port.name ?? ""] ?? []).sorted())
        }
        labels = winner.exportedLabels?.isEmpty == false ? winner.exportedLabels : nil
        annotations = winner.exportedAnnotations?.isEmpty == false ? winner.exportedAnnotations : nil
        conflict =
            reasons.isEmpty
            ? ConflictOutcome(
                status: ConditionStatus.false, reason: MCSServiceExportConditions.Reason.noConflicts,
                message: Self.agreementMessage)
            : ConflictOutcome(
                status: ConditionStatus.true, reason: reasons.joined(separator: ","), message: sentences.joined(separator: " "))
    }

    static let agreementMessage = "All exports of the service agree."

    /// Ports in the order imports list them: by name, then protocol and number.
    static func portOrder(_ lhs: MCSServicePort, _ rhs: MCSServicePort) -> Bool {
        if (lhs.name ?? "") != (rhs.name ?? "") { return (lhs.name ?? "") < (rhs.name ?? "") }
        if lhs.effectiveProtocol != rhs.effectiveProtocol { return lhs.effectiveProtocol < rhs.effectiveProtocol }
        return lhs.port < rhs.port
    }

    /// What makes two exports' ports the same: every (name, protocol, number, appProtocol), as a set.
    static func portSignature(_ ports: [FleetServicePort]) -> Set<String> {
        Set(ports.map { "\($0.name ?? "")|\($0.effectiveProtocol)|\($0.port)|\($0.appProtocol ?? "")" })
    }

    /// `PreferClose` and its newer name `PreferSameZone` mean the same (as Lighthouse treats them).
    static func trafficDistributionClass(_ value: String?) -> String? {
        value == "PreferSameZone" ? "PreferClose" : value
    }

    static func describe(_ port: MCSServicePort) -> String {
        let name = (port.name ?? "").isEmpty ? "(unnamed)" : port.name!
        let app = port.appProtocol.map { " (\($0))" } ?? ""
        return "\(name) \(port.port)/\(port.effectiveProtocol)\(app)"
    }

    static func describe(_ config: SessionAffinityConfig?) -> String {
        guard let seconds = config?.clientIP?.timeoutSeconds else { return "none" }
        return "clientIP timeout \(seconds)s"
    }

    static func clusterList(_ candidates: [ServiceExportCandidate]) -> String {
        quotedList(Array(Set(candidates.map(\.cluster))).sorted())
    }

    static func quotedList(_ names: [String]) -> String {
        "[" + names.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
}

extension ServiceExportCandidate {
    /// The MCS-API part of the export, when it came through the MCS API.
    var clusterSetExport: ClusterSetExport? { export.spec?.clusterSetExport }

    /// When the export began, for precedence among exports through the MCS API and between the
    /// two APIs: the MCS ServiceExport's creation, or the InternalServiceExport's creation for an
    /// export through the fleet API (its `exportedSince` moves when its ports change); never
    /// earlier than the hub's record of the export (see `notBeforeHubRecord`).
    var exportStart: Time {
        Self.notBeforeHubRecord(clusterSetExport?.serviceExportCreationTimestamp, of: export)
    }

    /// Oldest first, then by cluster name, then by object name.
    static func precedes(_ lhs: ServiceExportCandidate, _ rhs: ServiceExportCandidate) -> Bool {
        if lhs.exportStart != rhs.exportStart { return lhs.exportStart < rhs.exportStart }
        if lhs.cluster != rhs.cluster { return lhs.cluster < rhs.cluster }
        return (lhs.export.metadata.name ?? "") < (rhs.export.metadata.name ?? "")
    }
}
