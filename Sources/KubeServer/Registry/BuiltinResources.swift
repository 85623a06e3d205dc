import KubeModel

// The built-in kinds the embedded server serves, with the names, scopes, short names and
// subresources a real kube-apiserver advertises for them.

public enum BuiltinResources {
    public static let all: [ResourceDefinition] = [
        ResourceDefinition(
            group: "", version: "v1", kind: "Namespace", plural: "namespaces", shortNames: ["ns"],
            isNamespaced: false, hasStatusSubresource: true,
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"]),
        ResourceDefinition(
            group: "", version: "v1", kind: "Node", plural: "nodes", shortNames: ["no"], isNamespaced: false,
            hasStatusSubresource: true),
        ResourceDefinition(
            group: "", version: "v1", kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"],
            isNamespaced: true, hasStatusSubresource: true),
        ResourceDefinition(
            group: "", version: "v1", kind: "Pod", plural: "pods", shortNames: ["po"], categories: ["all"],
            isNamespaced: true, hasStatusSubresource: true),
        ResourceDefinition(
            group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", shortNames: ["cm"], isNamespaced: true),
        ResourceDefinition(group: "", version: "v1", kind: "Secret", plural: "secrets", isNamespaced: true),
        ResourceDefinition(
            group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"],
            isNamespaced: true),
        ResourceDefinition(
            group: "", version: "v1", kind: "Event", plural: "events", shortNames: ["ev"], isNamespaced: true),
        ResourceDefinition(
            group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"],
            categories: ["all"], isNamespaced: true, hasStatusSubresource: true, scale: .workload),
        ResourceDefinition(
            group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", shortNames: ["sts"],
            categories: ["all"], isNamespaced: true, hasStatusSubresource: true, scale: .workload),
        ResourceDefinition(
            group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices",
            isNamespaced: true),
        ResourceDefinition(
            group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", isNamespaced: true),
        ResourceDefinition(
            group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
            plural: "customresourcedefinitions", shortNames: ["crd", "crds"], categories: ["api-extensions"],
            isNamespaced: false, hasStatusSubresource: true),
        ResourceDefinition(
            group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles",
            isNamespaced: false),
        ResourceDefinition(
            group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding",
            plural: "clusterrolebindings", isNamespaced: false),
        ResourceDefinition(
            group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", isNamespaced: true),
        ResourceDefinition(
            group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings",
            isNamespaced: true),
    ]
}
