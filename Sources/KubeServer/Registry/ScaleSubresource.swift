import KubeModel

/// Where a kind keeps what its `scale` subresource (`autoscaling/v1` Scale) shows: the desired
/// replicas, the observed ones, and the label selector of its Pods — built-in Deployments and
/// StatefulSets, or a CRD version's `subresources.scale` (its JSON paths).
public struct ScaleSubresource: Sendable, Hashable {
    public var specReplicasPath: [String]
    public var statusReplicasPath: [String]
    /// A path to the selector as a string (`status.selector` of a CRD); nil: the object's
    /// `spec.selector` LabelSelector, as a string (built-in kinds).
    public var labelSelectorPath: [String]?

    public init(specReplicasPath: [String], statusReplicasPath: [String], labelSelectorPath: [String]? = nil) {
        self.specReplicasPath = specReplicasPath
        self.statusReplicasPath = statusReplicasPath
        self.labelSelectorPath = labelSelectorPath
    }

    /// Deployments, StatefulSets, ReplicaSets.
    public static let workload = ScaleSubresource(specReplicasPath: ["spec", "replicas"], statusReplicasPath: ["status", "replicas"])

    /// From a CRD version's `subresources.scale` (`.spec.replicas`-style paths); nil if absent or malformed.
    public init?(crd scale: JSONValue?) {
        func path(_ key: String) -> [String]? {
            guard let text = scale?[key]?.stringValue, text.hasPrefix("."), text.count > 1 else { return nil }
            return text.dropFirst().split(separator: ".").map(String.init)
        }
        guard let spec = path("specReplicasPath"), let status = path("statusReplicasPath") else { return nil }
        self.init(specReplicasPath: spec, statusReplicasPath: status, labelSelectorPath: path("labelSelectorPath"))
    }
}
