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

enum Timestamps {
    /// RFC 3339 with second precision, UTC, as metav1.Time serialises.
    static func now(_ date: Date = Date()) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        return format(epochSeconds: seconds)
    }

    static func format(epochSeconds: Int64) -> String {
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let secondsOfDay = epochSeconds - days * 86400
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondsOfDay / 3600, 2)):\(pad(secondsOfDay / 60 % 60, 2)):\(pad(secondsOfDay % 60, 2))Z"
    }
}
