import Foundation
import KubeModel
import Testing
@testable import KubeServer

@Suite("Table conversion of custom resources")
struct TableConvertorTests {
    typealias Fixtures = PresentationFixtures

    static func widget(name: String, size: JSONValue?, phase: JSONValue?, secondsOld: Double) -> JSONValue {
        var object: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": ["name": .string(name), "namespace": "default", "resourceVersion": "12",
                         "creationTimestamp": .string(Fixtures.timestamp(secondsAgo: secondsOld))],
            "spec": [:], "status": [:],
        ]
        if let size { object[path: ["spec", "size"]] = size }
        if let phase { object[path: ["status", "phase"]] = phase }
        return object
    }

    @Test("Name then additionalPrinterColumns with typed cells")
    func additionalColumns() {
        let table = makeTable(
            objects: [Self.widget(name: "a", size: 3, phase: "Ready", secondsOld: 300),
                      Self.widget(name: "b", size: nil, phase: nil, secondsOld: 3 * 86400 + 4 * 3600)],
            definition: Fixtures.widgetV1, listMeta: ["resourceVersion": "42", "continue": ""], now: Fixtures.now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == ["resourceVersion": "42"])
        let columns = table["columnDefinitions"]?.arrayValue ?? []
        #expect(columns.compactMap { $0["name"]?.stringValue } == ["Name", "Size", "Phase", "Age"])
        #expect(columns[0]["format"] == "name")
        #expect(columns[1]["type"] == "integer")
        #expect(columns[3]["priority"] == 0)
        #expect(table["rows"]?[0]?["cells"] == ["a", 3, "Ready", "5m"])
        #expect(table["rows"]?[1]?["cells"] == ["b", nil, nil, "3d4h"])
    }

    @Test("a CRD without printer columns shows Name and Age")
    func defaultColumns() {
        let table = makeTable(objects: [Self.widget(name: "a", size: 1, phase: nil, secondsOld: 90)],
                              definition: Fixtures.widgetV1beta1, listMeta: [:], now: Fixtures.now)
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Age"])
        #expect(table["columnDefinitions"]?[1]?["type"] == "date")
        #expect(table["rows"]?[0]?["cells"] == ["a", "90s"])
    }

    @Test("rows carry the object as requested by includeObject", arguments: IncludeObjectPolicy.allCases)
    func includeObject(policy: IncludeObjectPolicy) {
        let widget = Self.widget(name: "a", size: 1, phase: nil, secondsOld: 10)
        let table = makeTable(objects: [widget], definition: Fixtures.widgetV1, includeObject: policy,
                              listMeta: [:], now: Fixtures.now, tableVersion: "v1beta1")
        #expect(table["apiVersion"] == "meta.k8s.io/v1beta1")
        let object = table["rows"]?[0]?["object"]
        switch policy {
        case .none: #expect(object == nil)
        case .object: #expect(object == widget)
        case .metadata:
            #expect(object == ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1beta1", "metadata": widget["metadata"]!])
        }
    }

    @Test("cells follow the apiextensions convertor's typing", arguments: [
        (JSONValue.int(3), "integer", JSONValue.int(3)),
        (.double(2.9), "integer", .int(2)),
        (.string("3"), "integer", .null),
        (.int(3), "number", .double(3)),
        (.bool(true), "boolean", .bool(true)),
        (.string("true"), "boolean", .null),
        (.int(7), "string", .string("7")),
        (.double(2.5), "string", .string("2.5")),
        (.double(4), "string", .string("4")),
        (.bool(false), "string", .string("false")),
        (.object(["b": 1, "a": "x"]), "string", .string("{\"a\":\"x\",\"b\":1}")),
        (.array(["x", "y"]), "string", .string("[\"x\",\"y\"]")),
        (.string("2025-03-01T11:00:00Z"), "date", .string("60m")),
        (.string("not a date"), "date", .string("<invalid>")),
        (.null, "string", .null),
    ])
    func typedCells(value: JSONValue, type: String, expected: JSONValue) {
        #expect(TableColumns.typedCell(value, type: type, now: PresentationFixtures.now) == expected)
    }

    @Test("only the first JSONPath match counts")
    func firstMatch() {
        var definition = Fixtures.widgetV1
        definition.printerColumns = [PrinterColumn(name: "Images", type: "string", jsonPath: ".spec.containers[*].image")]
        var widget = Self.widget(name: "a", size: nil, phase: nil, secondsOld: 0)
        widget[path: ["spec", "containers"]] = [["image": "one"], ["image": "two"]]
        let table = makeTable(objects: [widget], definition: definition, listMeta: [:], now: Fixtures.now)
        #expect(table.tableCell(row: 0, column: "Images") == "one")
    }
}
