import Foundation
import KubeModel

// Convenience access to the metadata of unstructured objects, as the server reads and writes it.

extension JSONValue {
    var metaName: String { self[path: ["metadata", "name"]]?.stringValue ?? "" }
    var metaNamespace: String { self[path: ["metadata", "namespace"]]?.stringValue ?? "" }
    var metaUID: String { self[path: ["metadata", "uid"]]?.stringValue ?? "" }
    var metaResourceVersion: String { self[path: ["metadata", "resourceVersion"]]?.stringValue ?? "" }
    var metaGeneration: Int64 { self[path: ["metadata", "generation"]]?.intValue ?? 0 }
    var metaLabels: [String: String] {
        guard let labels = self[path: ["metadata", "labels"]]?.objectValue else { return [:] }
        return labels.compactMapValues(\.stringValue)
    }
    var metaFinalizers: [String] {
        self[path: ["metadata", "finalizers"]]?.arrayValue?.compactMap(\.stringValue) ?? []
    }
    var metaDeletionTimestamp: String? { self[path: ["metadata", "deletionTimestamp"]]?.stringValue }
    var metaOwnerReferences: [JSONValue] { self[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] }

    mutating func setMeta(_ field: String, _ value: JSONValue?) {
        self[path: ["metadata", field]] = value
    }

    mutating func setFinalizers(_ finalizers: [String]) {
        setMeta("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map(JSONValue.string)))
    }

    /// The object without `metadata` and `status`: what a change of must bump `generation`.
    var specPortion: JSONValue {
        guard case .object(var members) = self else { return self }
        members["metadata"] = nil
        members["status"] = nil
        members["apiVersion"] = nil
        members["kind"] = nil
        return .object(members)
    }
}
