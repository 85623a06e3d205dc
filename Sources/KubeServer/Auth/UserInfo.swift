// Who made a request, as Kubernetes' user.Info describes it: the identity that authorization,
// audit and `kubectl auth whoami` see.

/// An authenticated (or anonymous) user.
public struct UserInfo: Sendable, Hashable {
    /// The user name, e.g. `alice` or `system:serviceaccount:default:builder`.
    public var name: String
    /// A unique identifier; empty when the authenticator has none (client certificates).
    public var uid: String
    public var groups: [String]
    /// Additional authenticator-provided attributes.
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// Group of every authenticated user.
    public static let allAuthenticatedGroup = "system:authenticated"
    /// Group of the anonymous user.
    public static let allUnauthenticatedGroup = "system:unauthenticated"
    /// Group that RBAC always allows everything.
    public static let superuserGroup = "system:masters"
    /// Name of the anonymous user.
    public static let anonymousName = "system:anonymous"

    /// The user of a request that carried no credentials, when anonymous requests are enabled.
    public static let anonymous = UserInfo(name: anonymousName, groups: [allUnauthenticatedGroup])

    /// This user with `system:authenticated` added, unless it already belongs to
    /// `system:authenticated` or `system:unauthenticated` (kube-apiserver's AuthenticatedGroupAdder).
    public func addingAuthenticatedGroup() -> UserInfo {
        if groups.contains(where: { $0 == Self.allAuthenticatedGroup || $0 == Self.allUnauthenticatedGroup }) {
            return self
        }
        var user = self
        user.groups.append(Self.allAuthenticatedGroup)
        return user
    }

    /// The user name of a service account, `system:serviceaccount:<namespace>:<name>`.
    public static func serviceAccountUserName(namespace: String, name: String) -> String {
        "system:serviceaccount:\(namespace):\(name)"
    }
}
