import FleetAPI
import Foundation
import KubeModel

// How the hub decides which exports of one service are compatible (our answer to the
// reference's weaknesses §9.1–9.3): the oldest export wins — `exportedSince`, never earlier than
// the InternalServiceExport's creation on the hub, then the export still exposing the ports
// currently served, then the cluster name — and an export is compatible
// with the winner when it exposes the same set of ports, each keyed by (name, protocol with the
// TCP default, port). Order, appProtocol and targetPort (a per-cluster detail) do not matter.
// The resolution is a pure function of the current exports, so it is recomputed on every change:
// a conflicted export becomes valid as soon as the incumbent leaves or the conflict is fixed.

/// One live export of a service, with the cluster its namespace names.
struct ServiceExportCandidate: Sendable {
    let export: InternalServiceExport
    let cluster: String

    var ports: [FleetServicePort] { export.spec?.ports ?? [] }

    /// When the export began: `exportedSince`, but never earlier than the hub's own record.
    var since: Time { Self.notBeforeHubRecord(export.spec?.serviceReference.exportedSince, of: export) }

    /// `claimed` (a time the member reports) clamped to no earlier than the export's creation on
    /// the hub, which the hub's API server stamps and no member can write. A member may say its
    /// export is younger than the hub's copy (its ports changed since), never older: a member
    /// with stolen credentials cannot win a conflict by claiming an export from long ago, and a
    /// member's clock running behind does not give it precedence either.
    static func notBeforeHubRecord(_ claimed: Time?, of export: InternalServiceExport) -> Time {
        let created = export.metadata.creationTimestamp
        switch (claimed, created) {
        case (let claimed?, let created?): return max(claimed, created)
        case (let claimed?, nil): return claimed
        case (nil, let created?): return created
        case (nil, nil): return Time(secondsSinceEpoch: 0)
        }
    }
}

/// The outcome of resolving a service's exports.
struct ExportResolution: Sendable {
    /// The winning export (nil when there is none).
    let winner: ServiceExportCandidate?
    /// `namespace/name` keys of the exports compatible with the winner (the winner included).
    let compatible: Set<String>

    /// The ports of the resolved service.
    var ports: [FleetServicePort] { winner?.ports ?? [] }

    /// Resolves `candidates` (the live exports of one service). `served` are the ports the
    /// service is currently resolved to (none when it has no cluster): among equally old exports
    /// (stamps have whole seconds), one still exposing them wins before the cluster name decides,
    /// so an export that changes its ports in the same second another was stamped does not
    /// take the service over.
    init(_ candidates: [ServiceExportCandidate], served: [FleetServicePort] = []) {
        let servedPorts = served.isEmpty ? nil : Self.portSet(served)
        let winner = candidates.min { lhs, rhs in
            if lhs.since != rhs.since { return lhs.since < rhs.since }
            let lhsServes = Self.portSet(lhs.ports) == servedPorts
            let rhsServes = Self.portSet(rhs.ports) == servedPorts
            if lhsServes != rhsServes { return lhsServes }
            if lhs.cluster != rhs.cluster { return lhs.cluster < rhs.cluster }
            return (lhs.export.metadata.name ?? "") < (rhs.export.metadata.name ?? "")
        }
        self.winner = winner
        let winningPorts = winner.map { Self.portSet($0.ports) }
        compatible = Set(
            candidates.filter { Self.portSet($0.ports) == winningPorts }.map { Self.key($0.export) })
    }

    func isCompatible(_ export: InternalServiceExport) -> Bool { compatible.contains(Self.key(export)) }

    /// The sorted, distinct clusters of the compatible exports among `candidates`.
    func clusters(of candidates: [ServiceExportCandidate]) -> [String] {
        Array(Set(candidates.filter { isCompatible($0.export) }.map(\.cluster))).sorted()
    }

    static func key(_ export: InternalServiceExport) -> String {
        "\(export.metadata.namespace ?? "")/\(export.metadata.name ?? "")"
    }

    /// What makes two port lists compatible.
    struct PortKey: Hashable {
        let name: String
        let `protocol`: String
        let port: Int32
    }

    static func portSet(_ ports: [FleetServicePort]) -> Set<PortKey> {
        Set(ports.map { PortKey(name: $0.name ?? "", protocol: $0.effectiveProtocol, port: $0.port) })
    }
}
