import KubeModel

// What a fresh kube-apiserver contains before anyone writes: the system namespaces, the
// `kubernetes` Service in `default`, and the bootstrap RBAC policy (cluster-admin bound to
// system:masters, discovery for authenticated users, public info for everyone).

extension APIServerCore {
    func bootstrap() throws(APIError) {
        let system = WriteOptions(fieldManager: "kube-apiserver")
        func definition(_ group: String, _ resource: String) -> ResourceDefinition {
            registry.definitions(for: GroupResource(group: group, resource: resource)).first!
        }
        let namespaces = definition("", "namespaces")
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try create(namespaces, namespace: "", body: ["metadata": ["name": .string(name)]], options: system)
        }
        // The first address of the range, as kube-apiserver reserves it for itself.
        let firstIP = clusterIPs.allocateNext() ?? ""
        clusterIPs.release(firstIP)
        _ = try create(
            definition("", "services"), namespace: "default",
            body: [
                "metadata": ["name": "kubernetes", "labels": ["component": "apiserver", "provider": "kubernetes"]],
                "spec": [
                    "clusterIP": .string(firstIP),
                    "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]],
                ],
            ], options: system)
        let clusterRoles = definition("rbac.authorization.k8s.io", "clusterroles")
        for role in RBACBootstrapPolicy.clusterRoles {
            _ = try create(clusterRoles, namespace: "", body: role, options: system)
        }
        let bindings = definition("rbac.authorization.k8s.io", "clusterrolebindings")
        for binding in RBACBootstrapPolicy.clusterRoleBindings {
            _ = try create(bindings, namespace: "", body: binding, options: system)
        }
    }
}
