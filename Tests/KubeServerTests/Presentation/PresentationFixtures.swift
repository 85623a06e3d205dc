import Foundation
import KubeModel
@testable import KubeServer

/// Sample served resources: built-in Service, Namespace and Deployment, and a CRD
/// `widgets.example.com` served at v1 (storage) and v1beta1.
enum PresentationFixtures {
    static let service = ResourceDefinition(
        group: "", version: "v1", kind: "Service", plural: "services", shortNames: ["svc"], categories: ["all"],
        isNamespaced: true, hasStatusSubresource: true,
        printerColumns: BuiltinPrinterColumns.columns(forKind: "Service", group: ""))
    static let namespace = ResourceDefinition(
        group: "", version: "v1", kind: "Namespace", plural: "namespaces", shortNames: ["ns"], isNamespaced: false,
        hasStatusSubresource: true)
    static let deployment = ResourceDefinition(
        group: "apps", version: "v1", kind: "Deployment", plural: "deployments", shortNames: ["deploy"],
        categories: ["all"], isNamespaced: true, hasStatusSubresource: true)

    static let widgetSchema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": ["type": "object", "properties": ["size": ["type": "integer"], "color": ["type": "string"]]],
            "status": ["type": "object", "properties": ["phase": ["type": "string"]]],
        ],
    ]

    static let widgetV1 = ResourceDefinition(
        group: "example.com", version: "v1", kind: "Widget", plural: "widgets", shortNames: ["wd"],
        categories: ["all"], isNamespaced: true, hasStatusSubresource: true,
        printerColumns: [
            PrinterColumn(name: "Size", type: "integer", jsonPath: ".spec.size"),
            PrinterColumn(name: "Phase", type: "string", jsonPath: ".status.phase"),
            PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp"),
        ],
        schema: widgetSchema, isStorageVersion: true, supportsStrategicMergePatch: false, isCustomResource: true)
    static let widgetV1beta1 = ResourceDefinition(
        group: "example.com", version: "v1beta1", kind: "Widget", plural: "widgets", shortNames: ["wd"],
        categories: ["all"], isNamespaced: true, schema: widgetSchema, isStorageVersion: false,
        supportsStrategicMergePatch: false, isCustomResource: true)

    static let all = [service, namespace, deployment, widgetV1beta1, widgetV1]

    static let now = RFC3339.parse("2025-03-01T12:00:00Z")!

    /// An RFC 3339 timestamp `seconds` before `now`.
    static func timestamp(secondsAgo seconds: Double) -> String {
        RFC3339.format(now.addingTimeInterval(-seconds))
    }
}

extension JSONValue {
    /// The cell of `row` under the column named `column` in a Table document.
    func tableCell(row: Int, column: String) -> JSONValue? {
        guard let columns = self["columnDefinitions"]?.arrayValue,
            let index = columns.firstIndex(where: { $0["name"]?.stringValue == column })
        else { return nil }
        return self["rows"]?[row]?["cells"]?[index]
    }
}
