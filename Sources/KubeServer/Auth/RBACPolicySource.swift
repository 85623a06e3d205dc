import KubeModel

// Where the RBAC authorizer reads Roles, ClusterRoles and their bindings from. The API server
// implements this over its object store; tests and embedders use InMemoryRBACPolicySource. Objects
// are the stored rbac.authorization.k8s.io/v1 JSON objects.

/// Read access to the RBAC objects of one cluster.
///
/// Methods may throw (e.g. when the store is unavailable); the authorizer then denies unless
/// another rule allows, and reports the error in the denial reason, as kube-apiserver does.
public protocol RBACPolicySource: Sendable {
    /// The Role `name` in `namespace`, or `nil` if there is none.
    func role(namespace: String, name: String) async throws -> JSONValue?
    /// The ClusterRole `name`, or `nil` if there is none.
    func clusterRole(name: String) async throws -> JSONValue?
    /// All Roles in `namespace`.
    func roles(in namespace: String) async throws -> [JSONValue]
    /// All ClusterRoles; used to resolve `aggregationRule`.
    func clusterRoles() async throws -> [JSONValue]
    /// All RoleBindings in `namespace`.
    func roleBindings(in namespace: String) async throws -> [JSONValue]
    /// All ClusterRoleBindings.
    func clusterRoleBindings() async throws -> [JSONValue]
}

/// An RBACPolicySource holding objects in memory, keyed by their `metadata`.
public struct InMemoryRBACPolicySource: RBACPolicySource {
    private var rolesByNamespace: [String: [String: JSONValue]] = [:]
    private var roleBindingsByNamespace: [String: [String: JSONValue]] = [:]
    private var clusterRolesByName: [String: JSONValue] = [:]
    private var clusterRoleBindingsByName: [String: JSONValue] = [:]

    public init() {}

    /// A source with `objects`, each sorted by its `kind` (Role, ClusterRole, RoleBinding,
    /// ClusterRoleBinding); objects of other kinds are ignored.
    public init(_ objects: [JSONValue]) {
        for object in objects { add(object) }
    }

    /// Adds or replaces an object by kind, namespace and name.
    public mutating func add(_ object: JSONValue) {
        let name = object[path: ["metadata", "name"]]?.stringValue ?? ""
        let namespace = object[path: ["metadata", "namespace"]]?.stringValue ?? ""
        switch object["kind"]?.stringValue {
        case "Role": rolesByNamespace[namespace, default: [:]][name] = object
        case "RoleBinding": roleBindingsByNamespace[namespace, default: [:]][name] = object
        case "ClusterRole": clusterRolesByName[name] = object
        case "ClusterRoleBinding": clusterRoleBindingsByName[name] = object
        default: break
        }
    }

    public func role(namespace: String, name: String) -> JSONValue? {
        rolesByNamespace[namespace]?[name]
    }

    public func clusterRole(name: String) -> JSONValue? {
        clusterRolesByName[name]
    }

    public func roles(in namespace: String) -> [JSONValue] {
        sortedByName(rolesByNamespace[namespace] ?? [:])
    }

    public func clusterRoles() -> [JSONValue] {
        sortedByName(clusterRolesByName)
    }

    public func roleBindings(in namespace: String) -> [JSONValue] {
        sortedByName(roleBindingsByNamespace[namespace] ?? [:])
    }

    public func clusterRoleBindings() -> [JSONValue] {
        sortedByName(clusterRoleBindingsByName)
    }

    // A stable order keeps "allowed by" reasons deterministic.
    private func sortedByName(_ objects: [String: JSONValue]) -> [JSONValue] {
        objects.sorted { $0.key < $1.key }.map(\.value)
    }
}
