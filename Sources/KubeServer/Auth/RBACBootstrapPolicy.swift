import KubeModel

// The default ClusterRoles and ClusterRoleBindings of a fresh kube-apiserver that clients rely on:
// discovery and health endpoints for every authenticated user, version and health for anonymous
// users too, self access reviews, and cluster-admin for `system:masters`. The server should store
// these at startup so `kubectl get clusterroles` shows them; RBACAuthorizer also applies them on its
// own so that a store without them still behaves like a real cluster.
// Not included: the aggregated admin/edit/view roles and the controllers' system:* roles.

/// The bootstrap RBAC objects kube-apiserver creates.
public enum RBACBootstrapPolicy {
    /// Labels and annotations the real server puts on its bootstrap objects.
    static let metadataLabels: JSONValue = ["kubernetes.io/bootstrapping": "rbac-defaults"]
    static let metadataAnnotations: JSONValue = ["rbac.authorization.kubernetes.io/autoupdate": "true"]

    public static let clusterRoles: [JSONValue] = [
        clusterRole(
            "cluster-admin",
            rules: [
                RBACPolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]),
                RBACPolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ]
        ),
        clusterRole(
            "system:discovery",
            rules: [
                RBACPolicyRule(
                    verbs: ["get"],
                    nonResourceURLs: [
                        "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                        "/readyz", "/version", "/version/",
                    ]
                )
            ]
        ),
        clusterRole(
            "system:public-info-viewer",
            rules: [
                RBACPolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])
            ]
        ),
        clusterRole(
            "system:basic-user",
            rules: [
                RBACPolicyRule(
                    verbs: ["create"], apiGroups: ["authorization.k8s.io"],
                    resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]
                ),
                RBACPolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
            ]
        ),
    ]

    public static let clusterRoleBindings: [JSONValue] = [
        clusterRoleBinding("cluster-admin", groups: [UserInfo.superuserGroup]),
        clusterRoleBinding("system:discovery", groups: [UserInfo.allAuthenticatedGroup]),
        clusterRoleBinding(
            "system:public-info-viewer",
            groups: [UserInfo.allAuthenticatedGroup, UserInfo.allUnauthenticatedGroup]
        ),
        clusterRoleBinding("system:basic-user", groups: [UserInfo.allAuthenticatedGroup]),
    ]

    private static func clusterRole(_ name: String, rules: [RBACPolicyRule]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": ["name": .string(name), "labels": metadataLabels, "annotations": metadataAnnotations],
            "rules": .array(rules.map(\.json)),
        ]
    }

    /// A binding of the ClusterRole of the same name, as all bootstrap bindings are.
    private static func clusterRoleBinding(_ name: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": ["name": .string(name), "labels": metadataLabels, "annotations": metadataAnnotations],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
            "subjects": .array(
                groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }
            ),
        ]
    }
}
