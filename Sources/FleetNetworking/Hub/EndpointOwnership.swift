import FleetAPI
import Foundation
import KubeModel

// Which endpoints the hub accepts from a member, and which of several exports of one name the
// hub distributes.
//
// The fleet admin declares a member's CIDRs on its MemberCluster (`networking.fleet.azure.com/
// pod-cidrs` and `extra-endpoint-cidrs`, cluster-scoped: no member can write them). Where they are
// declared, an endpoint is distributed only when every address it has lies in one of them, so a
// member whose credentials are stolen cannot send other clusters' traffic to addresses it does not
// own. Where nothing is declared, every endpoint is accepted, as in the reference. The hub cannot
// tell a service without a selector from another (the member says which it is, and a hostile
// member would lie), so the extra CIDRs hold for every service of the member. A declaration that
// does not parse in part applies its valid part; one that does not parse at all accepts nothing:
// the admin meant to restrict.
//
// Exports are named by their members and distributed under their names, so two exports of one
// name in two members' namespaces would overwrite each other's copies. One of them owns the name:
// first the one named as its own cluster's agent names it (`DerivedNames.endpointSliceExportName`,
// whose hash covers the cluster), then one whose name starts with its cluster's name (the
// reference's scheme), then the oldest. A member cannot take another's name by creating it first.

/// A member's declared endpoint CIDRs.
public enum EndpointCIDRDeclaration: Hashable, Sendable {
    /// No `pod-cidrs` annotation: every endpoint is accepted.
    case undeclared
    /// The networks endpoints must lie in, and the declared items that did not parse.
    case declared(networks: [IPNetwork], invalid: [String])

    /// The declaration on `member` (nil: no MemberCluster, undeclared).
    public init(of member: MemberCluster?) {
        let annotations = member?.metadata.annotations ?? [:]
        guard let pods = annotations[FleetAnnotations.podCIDRs] else {
            self = .undeclared
            return
        }
        let (podNetworks, podInvalid) = IPNetwork.parseList(pods)
        let (extraNetworks, extraInvalid) = IPNetwork.parseList(annotations[FleetAnnotations.extraEndpointCIDRs] ?? "")
        self = .declared(networks: podNetworks + extraNetworks, invalid: podInvalid + extraInvalid)
    }

    /// Whether every address of `endpoint` may be distributed.
    public func accepts(_ endpoint: ExportedEndpoint) -> Bool {
        guard case .declared(let networks, _) = self else { return true }
        return endpoint.addresses.allSatisfy { address in networks.contains { $0.contains(address) } }
    }

    /// The declared networks as the annotation would list them ("" when undeclared).
    public var summary: String {
        guard case .declared(let networks, _) = self else { return "" }
        return networks.map(\.description).joined(separator: ",")
    }
}

enum EndpointSliceExportNameOwner {
    /// Of the live exports named like `export`, the one whose copies the importers get.
    static func owner(among exports: [EndpointSliceExport]) -> EndpointSliceExport? {
        exports.filter { !$0.metadata.isDeleting && FleetNamespaces.memberCluster(ofNamespace: $0.metadata.namespace ?? "") != nil }
            .min { rank($0) < rank($1) }
    }

    private struct Rank: Comparable {
        var derived: Int
        var prefixed: Int
        var created: Date
        var namespace: String

        static func < (a: Rank, b: Rank) -> Bool {
            (a.derived, a.prefixed) != (b.derived, b.prefixed)
                ? (a.derived, a.prefixed) < (b.derived, b.prefixed)
                : a.created != b.created ? a.created < b.created : a.namespace < b.namespace
        }
    }

    private static func rank(_ export: EndpointSliceExport) -> Rank {
        let namespace = export.metadata.namespace ?? ""
        let cluster = FleetNamespaces.memberCluster(ofNamespace: namespace) ?? ""
        let name = export.metadata.name ?? ""
        let slice = export.spec.endpointSliceReference
        let derived = DerivedNames.endpointSliceExportName(cluster: cluster, namespace: slice.namespace, name: slice.name)
        return Rank(
            derived: name == derived ? 0 : 1, prefixed: name.hasPrefix(cluster.lowercased() + "-") ? 0 : 1,
            created: export.metadata.creationTimestamp?.date ?? .distantFuture, namespace: namespace)
    }
}

/// The `EndpointsAccepted` condition the hub writes on an InternalServiceExport.
enum EndpointsAcceptedCondition {
    /// Status, reason and message for an export of `member` whose slices hold `endpoints`.
    static func evaluate(endpoints: [ExportedEndpoint], member: String, declaration: EndpointCIDRDeclaration)
        -> (status: String, reason: String, message: String)
    {
        guard case .declared = declaration else {
            return (
                ConditionStatus.true, ServiceExportConditions.Reason.noCIDRsDeclared,
                "member \(member) declares no endpoint CIDRs (annotation \(FleetAnnotations.podCIDRs) on its MemberCluster): every endpoint is accepted"
            )
        }
        let rejected = endpoints.filter { !declaration.accepts($0) }.flatMap(\.addresses)
        if rejected.isEmpty {
            return (
                ConditionStatus.true, ServiceExportConditions.Reason.withinDeclaredCIDRs,
                "every endpoint lies in member \(member)'s declared CIDRs (\(declaration.summary))"
            )
        }
        return (
            ConditionStatus.false, ServiceExportConditions.Reason.outsideDeclaredCIDRs,
            rejectionMessage(rejected: rejected, member: member, declaration: declaration)
        )
    }

    /// "3 endpoint addresses lie outside …: 10.1.0.5, … and are not imported by any cluster".
    static func rejectionMessage(rejected: [String], member: String, declaration: EndpointCIDRDeclaration) -> String {
        let shown = rejected.sorted().prefix(5).joined(separator: ", ") + (rejected.count > 5 ? ", …" : "")
        let declared = declaration.summary.isEmpty ? "none that parse" : declaration.summary
        let noun = rejected.count == 1 ? "endpoint address lies" : "endpoint addresses lie"
        return "\(rejected.count) \(noun) outside member \(member)'s declared CIDRs (\(declared)) and \(rejected.count == 1 ? "is" : "are") not imported by any cluster: \(shown)"
    }
}
