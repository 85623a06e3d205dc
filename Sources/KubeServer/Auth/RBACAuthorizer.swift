import KubeModel

// Authorization as kube-apiserver with `--authorization-mode=RBAC`: members of `system:masters`
// may do anything; everyone else needs a rule from a ClusterRoleBinding (valid everywhere) or from a
// RoleBinding in the request's namespace (whose ClusterRole reference is then confined to that
// namespace). Rules only grant; there is no deny. Errors resolving a binding (e.g. its role is
// missing) do not stop the search, and are reported in the denial reason.

/// Decides requests from RBAC objects.
public struct RBACAuthorizer: Sendable {
    public let source: any RBACPolicySource
    /// Whether the default discovery, health and self-review grants of a real cluster
    /// (``RBACBootstrapPolicy``) apply even when the source does not hold those objects.
    public let includesBootstrapPolicy: Bool

    private let bootstrap = InMemoryRBACPolicySource(
        RBACBootstrapPolicy.clusterRoles + RBACBootstrapPolicy.clusterRoleBindings
    )

    public init(source: any RBACPolicySource, includesBootstrapPolicy: Bool = true) {
        self.source = source
        self.includesBootstrapPolicy = includesBootstrapPolicy
    }

    /// Decides whether `attributes` may proceed.
    ///
    /// Allowed reasons read like kube-apiserver's, e.g.
    /// `RBAC: allowed by RoleBinding "dev/work" of ClusterRole "edit" to User "alice"`; a denial's
    /// reason is empty, or `RBAC: <errors>` when some bindings could not be resolved.
    public func authorize(_ attributes: AuthorizationAttributes) async -> AuthorizationDecision {
        if attributes.user.groups.contains(UserInfo.superuserGroup) {
            return .allowed(reason: "")
        }
        var errors: [String] = []
        if includesBootstrapPolicy,
            let reason = await firstGrant(for: attributes, in: bootstrap, errors: &errors)
        {
            return .allowed(reason: reason)
        }
        errors = []
        if let reason = await firstGrant(for: attributes, in: source, errors: &errors) {
            return .allowed(reason: reason)
        }
        return .denied(reason: errors.isEmpty ? "" : "RBAC: \(aggregateMessage(errors))")
    }

    /// The description of the first binding whose rules allow the request, collecting resolution errors.
    private func firstGrant(
        for attributes: AuthorizationAttributes,
        in source: any RBACPolicySource,
        errors: inout [String]
    ) async -> String? {
        let user = attributes.user
        do {
            for binding in try await source.clusterRoleBindings() {
                guard let subject = firstSubject(of: binding, applyingTo: user, bindingNamespace: "") else { continue }
                let roleReference = RBACRoleReference(json: binding["roleRef"] ?? .null)
                do {
                    let rules = try await rules(of: roleReference, bindingNamespace: "", in: source)
                    if rules.contains(where: { $0.allows(attributes) }) {
                        return "RBAC: allowed by ClusterRoleBinding \(GoSyntax.quoted(name(of: binding))) of "
                            + "\(roleReference.kind) \(GoSyntax.quoted(roleReference.name)) to "
                            + subject.description(bindingNamespace: "")
                    }
                } catch {
                    errors.append(message(of: error))
                }
            }
        } catch {
            errors.append(message(of: error))
        }

        let namespace = attributes.namespace
        guard !namespace.isEmpty else { return nil }
        do {
            for binding in try await source.roleBindings(in: namespace) {
                guard let subject = firstSubject(of: binding, applyingTo: user, bindingNamespace: namespace) else {
                    continue
                }
                let roleReference = RBACRoleReference(json: binding["roleRef"] ?? .null)
                do {
                    let rules = try await rules(of: roleReference, bindingNamespace: namespace, in: source)
                    if rules.contains(where: { $0.allows(attributes) }) {
                        return "RBAC: allowed by RoleBinding \(GoSyntax.quoted("\(name(of: binding))/\(namespace)")) of "
                            + "\(roleReference.kind) \(GoSyntax.quoted(roleReference.name)) to "
                            + subject.description(bindingNamespace: namespace)
                    }
                } catch {
                    errors.append(message(of: error))
                }
            }
        } catch {
            errors.append(message(of: error))
        }
        return nil
    }

    private func firstSubject(of binding: JSONValue, applyingTo user: UserInfo, bindingNamespace: String) -> RBACSubject? {
        for subjectJSON in binding["subjects"]?.arrayValue ?? [] {
            let subject = RBACSubject(json: subjectJSON)
            if subject.applies(to: user, bindingNamespace: bindingNamespace) { return subject }
        }
        return nil
    }

    /// The rules a role reference grants; a Role is looked up in the binding's namespace.
    private func rules(
        of reference: RBACRoleReference,
        bindingNamespace: String,
        in source: any RBACPolicySource
    ) async throws -> [RBACPolicyRule] {
        switch reference.kind {
        case "Role":
            guard let role = try await source.role(namespace: bindingNamespace, name: reference.name) else {
                throw RBACResolutionError.notFound(resource: "role", name: reference.name)
            }
            return ownRules(of: role)
        case "ClusterRole":
            guard let clusterRole = try await source.clusterRole(name: reference.name) else {
                throw RBACResolutionError.notFound(resource: "clusterrole", name: reference.name)
            }
            var visited: Set<String> = []
            return try await effectiveRules(ofClusterRole: clusterRole, in: source, visited: &visited)
        default:
            throw RBACResolutionError.unsupportedRoleReferenceKind(reference.kind)
        }
    }

    /// The rules of a ClusterRole; for one with an `aggregationRule`, the union of the rules of every
    /// other ClusterRole matching one of its selectors, as the aggregation controller would write them.
    private func effectiveRules(
        ofClusterRole clusterRole: JSONValue,
        in source: any RBACPolicySource,
        visited: inout Set<String>
    ) async throws -> [RBACPolicyRule] {
        let roleName = name(of: clusterRole)
        visited.insert(roleName)
        guard let selectorsJSON = clusterRole[path: ["aggregationRule", "clusterRoleSelectors"]]?.arrayValue else {
            return ownRules(of: clusterRole)
        }
        let selectors = selectorsJSON.map(RBACLabelSelector.init(json:))
        var rules: [RBACPolicyRule] = []
        for candidate in try await source.clusterRoles() {
            let candidateName = name(of: candidate)
            guard !visited.contains(candidateName) else { continue }
            let labels = (candidate[path: ["metadata", "labels"]]?.objectValue ?? [:]).compactMapValues(\.stringValue)
            guard selectors.contains(where: { $0.matches(labels) }) else { continue }
            for rule in try await effectiveRules(ofClusterRole: candidate, in: source, visited: &visited)
            where !rules.contains(rule) {
                rules.append(rule)
            }
        }
        return rules
    }

    private func ownRules(of role: JSONValue) -> [RBACPolicyRule] {
        (role["rules"]?.arrayValue ?? []).map(RBACPolicyRule.init(json:))
    }

    private func name(of object: JSONValue) -> String {
        object[path: ["metadata", "name"]]?.stringValue ?? ""
    }

    private func message(of error: any Error) -> String {
        (error as? RBACResolutionError)?.description ?? String(describing: error)
    }

    /// Joins messages as apimachinery's error aggregate does: one alone, several in brackets,
    /// duplicates dropped.
    private func aggregateMessage(_ messages: [String]) -> String {
        var seen: Set<String> = []
        let unique = messages.filter { seen.insert($0).inserted }
        return unique.count == 1 ? unique[0] : "[" + unique.joined(separator: ", ") + "]"
    }
}

/// Why a binding's role could not be resolved, worded as kube-apiserver reports it.
public enum RBACResolutionError: Error, Equatable, CustomStringConvertible {
    /// `clusterrole.rbac.authorization.k8s.io "name" not found`
    case notFound(resource: String, name: String)
    case unsupportedRoleReferenceKind(String)

    public var description: String {
        switch self {
        case .notFound(let resource, let name):
            return "\(resource).rbac.authorization.k8s.io \(GoSyntax.quoted(name)) not found"
        case .unsupportedRoleReferenceKind(let kind):
            return "unsupported role reference kind: \(GoSyntax.quoted(kind))"
        }
    }
}
