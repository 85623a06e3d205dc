import Foundation
import KubeModel

// Conversion of objects into a `meta.k8s.io` Table, the answer to `kubectl get` (which asks with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`). Column choice follows kube-apiserver:
//  - custom resources: `Name` (format `name`), then the CRD version's additionalPrinterColumns
//    (`definition.printerColumns`), or `Age` from `.metadata.creationTimestamp` when it has none;
//    cells follow the apiextensions table convertor (first JSONPath match, typed per column,
//    `date` cells as human ages such as `5m`);
//  - built-in kinds: `definition.printerColumns` when set (normally `BuiltinPrinterColumns`,
//    which include their own Name column), else `BuiltinPrinterColumns.columns(forKind:group:)`.

/// Which object a Table row carries (`?includeObject=`).
public enum IncludeObjectPolicy: String, Sendable, CaseIterable {
    case none = "None"
    /// The default: rows carry `PartialObjectMetadata` (kind, apiVersion, metadata).
    case metadata = "Metadata"
    case object = "Object"

    /// Parses the `includeObject` query value; an absent or empty value means `.metadata`,
    /// and `nil` is returned for a value the server must reject.
    public init?(queryValue: String?) {
        guard let queryValue, !queryValue.isEmpty else {
            self = .metadata
            return
        }
        self.init(rawValue: queryValue)
    }
}

/// The time that built-in `compute` closures measure ages against while `makeTable` runs. It is
/// task-local so that closures of the shape `(JSONValue) -> JSONValue` can still be tested with
/// a fixed clock; outside `makeTable` it falls back to the wall clock.
public enum TableRenderContext {
    @TaskLocal public static var now: Date?

    public static var currentTime: Date { now ?? Date() }
}

/// Builds the Table for `objects` (items of a list, or one object for a single GET).
/// - Parameters:
///   - listMeta: the list's `metadata`; `resourceVersion`, `continue` and `remainingItemCount` are kept.
///     For a single object pass the object's `metadata` (a real server copies its resourceVersion).
///   - tableVersion: `v1` or `v1beta1`, as negotiated; the row objects use the same version.
public func makeTable(
    objects: [JSONValue], definition: ResourceDefinition, includeObject: IncludeObjectPolicy = .metadata,
    listMeta: JSONValue, now: Date, tableVersion: String = "v1"
) -> JSONValue {
    let columns = TableColumns.columns(for: definition)
    // Compile each column's JSONPath once per table rather than once per cell.
    let paths = columns.map { $0.compute == nil ? try? KubectlJSONPath($0.jsonPath) : nil }
    let rows: [JSONValue] = TableRenderContext.$now.withValue(now) {
        objects.map { object in
            let cells = zip(columns, paths).map { column, path in
                TableColumns.cell(for: column, path: path, in: object, now: now)
            }
            var row: JSONValue = ["cells": .array(cells)]
            switch includeObject {
            case .none: break
            case .object: row["object"] = object
            case .metadata:
                row["object"] = [
                    "kind": "PartialObjectMetadata",
                    "apiVersion": .string("meta.k8s.io/\(tableVersion)"),
                    "metadata": object["metadata"] ?? .emptyObject,
                ]
            }
            return row
        }
    }
    var metadata: [String: JSONValue] = [:]
    for key in ["resourceVersion", "continue", "remainingItemCount"] {
        if let value = listMeta[key], !value.isNull, value != "" { metadata[key] = value }
    }
    return [
        "kind": "Table",
        "apiVersion": .string("meta.k8s.io/\(tableVersion)"),
        "metadata": .object(metadata),
        "columnDefinitions": .array(columns.map { column in
            [
                "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
                "description": .string(column.description), "priority": .int(Int64(column.priority)),
            ]
        }),
        "rows": .array(rows),
    ]
}

enum TableColumns {
    static func columns(for definition: ResourceDefinition) -> [PrinterColumn] {
        if definition.isCustomResource {
            let additional = definition.printerColumns.isEmpty ? [PrinterColumn(
                name: "Age", type: "date", description: BuiltinPrinterColumns.creationTimestampDescription,
                jsonPath: ".metadata.creationTimestamp")] : definition.printerColumns
            return [BuiltinPrinterColumns.nameColumn] + additional
        }
        if !definition.printerColumns.isEmpty { return definition.printerColumns }
        return BuiltinPrinterColumns.columns(forKind: definition.kind, group: definition.group)
    }

    /// One cell: the column's `compute` closure if any, else its JSONPath with the semantics of
    /// the apiextensions table convertor: only the first match counts; a missing value, a failed
    /// parse or a value of the wrong type gives `null`.
    static func cell(for column: PrinterColumn, path: KubectlJSONPath?, in object: JSONValue, now: Date) -> JSONValue {
        if let compute = column.compute { return compute(object) }
        guard let path, let value = path.firstMatch(in: object) else { return .null }
        return typedCell(value, type: column.type, now: now)
    }

    static func typedCell(_ value: JSONValue, type: String, now: Date) -> JSONValue {
        if value.isNull { return .null }
        switch type {
        case "string":
            switch value {
            case .string: return value
            case .bool(let flag): return .string(flag ? "true" : "false")
            case .int(let number): return .string(String(number))
            case .double(let number): return .string(goFormat(number))
            case .array, .object:
                // Go's jsonpath prints maps and slices as JSON (with sorted keys).
                var text = ""
                ContentDigest.appendCanonical(value, to: &text)
                return .string(text)
            case .null: return .null
            }
        case "integer":
            switch value {
            case .int: return value
            case .double(let number) where number.isFinite && abs(number) < 9.2e18: return .int(Int64(number))
            default: return .null
            }
        case "number":
            return value.doubleValue.map(JSONValue.double) ?? .null
        case "boolean":
            return value.boolValue.map(JSONValue.bool) ?? .null
        case "date":
            guard let text = value.stringValue else { return .null }
            guard let date = RFC3339.parse(text) else { return "<invalid>" }
            return .string(HumanDuration.format(seconds: now.timeIntervalSince(date)))
        default:
            return .null
        }
    }

    /// A float64 as Go's `fmt.Print` writes it (`%v`: shortest representation, `e+21` beyond 1e21).
    private static func goFormat(_ number: Double) -> String {
        if number == number.rounded(), abs(number) < 1e21 { return String(Int64(number)) }
        return "\(number)"
    }
}
