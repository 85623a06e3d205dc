/// Environment variables every manager reads, besides those of the hub connection.
public enum ManagerEnvironment {
    /// The pod's name (set from the downward API by the manifests): the leader-election identity.
    public static let podName = "POD_NAME"
    /// Set by the kubelet in every pod; its presence means the hostname is the pod's name.
    public static let inClusterHost = "KUBERNETES_SERVICE_HOST"
}
