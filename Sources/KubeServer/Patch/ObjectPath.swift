import Foundation
import KubeModel

// A path into an object as structured-merge-diff names it. Managed fields, conflicts and
// pruning all speak in these paths, so their ordering, their `fieldsV1` spelling (`f:`, `k:`,
// `v:`, `i:`) and their printed form (`.spec.ports[port=80,protocol="TCP"]`) must match SMD's
// byte for byte: clients diff managedFields and match conflict messages.

/// A path from the root of an object to a field, list item or map entry.
public struct ObjectPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// One step of a path.
    public enum Element: Hashable, Sendable, Comparable, CustomStringConvertible {
        /// A member of a map or a field of a struct (`f:name`).
        case field(String)
        /// An item of an associative list, selected by its key fields sorted by name (`k:{...}`).
        case key([KeyField])
        /// An item of a set-list, selected by its value (`v:<json>`).
        case value(JSONValue)
        /// An item of a list selected by position (`i:<n>`); only atomic lists use it.
        case index(Int)

        /// Parses a `fieldsV1` key such as `f:spec` or `k:{"name":"web"}`; `nil` for unknown prefixes.
        public init?(serialized text: String) throws(FieldSetError) {
            guard text.count >= 2, text.dropFirst().first == ":" else {
                throw FieldSetError(message: "unable to parse path element \(GoSyntax.quoted(text))")
            }
            let body = String(text.dropFirst(2))
            switch text.first {
            case "f":
                self = .field(body)
            case "k":
                guard case .object(let members) = try Self.decode(body) else {
                    throw FieldSetError(message: "expected key to be an object: \(GoSyntax.quoted(text))")
                }
                self = .key(members.map { KeyField(name: $0.key, value: $0.value) }.sorted())
            case "v":
                self = .value(try Self.decode(body))
            case "i":
                guard let index = Int(body) else {
                    throw FieldSetError(message: "unable to parse index \(GoSyntax.quoted(text))")
                }
                self = .index(index)
            default:
                return nil
            }
        }

        /// The `fieldsV1` key of this element.
        public var serialized: String {
            switch self {
            case .field(let name): return "f:" + name
            case .key(let fields):
                let members = fields.map { JSONText.encode(.string($0.name)) + ":" + JSONText.encode($0.value) }
                return "k:{" + members.joined(separator: ",") + "}"
            case .value(let value): return "v:" + JSONText.encode(value)
            case .index(let index): return "i:\(index)"
            }
        }

        /// The element as SMD prints it in conflict messages.
        public var description: String {
            switch self {
            case .field(let name): return "." + name
            case .key(let fields):
                return "[" + fields.map { "\($0.name)=\(JSONText.encode($0.value))" }.joined(separator: ",") + "]"
            case .value(let value): return "[=\(JSONText.encode(value))]"
            case .index(let index): return "[\(index)]"
            }
        }

        /// SMD's order: field names, then keys, then values, then indexes.
        public static func < (lhs: Element, rhs: Element) -> Bool {
            switch (lhs, rhs) {
            case (.field(let left), .field(let right)): return left < right
            case (.key(let left), .key(let right)): return left.lexicographicallyPrecedes(right)
            case (.value(let left), .value(let right)): return JSONOrder.compare(left, right) < 0
            case (.index(let left), .index(let right)): return left < right
            default: return lhs.rank < rhs.rank
            }
        }

        private var rank: Int {
            switch self {
            case .field: return 0
            case .key: return 1
            case .value: return 2
            case .index: return 3
            }
        }

        private static func decode(_ text: String) throws(FieldSetError) -> JSONValue {
            do {
                return try JSONText.decode(text)
            } catch {
                throw FieldSetError(message: "unable to parse path element value \(GoSyntax.quoted(text))")
            }
        }
    }

    /// One key field of an associative-list item, e.g. `port=80`.
    public struct KeyField: Hashable, Sendable, Comparable {
        public var name: String
        public var value: JSONValue

        public init(name: String, value: JSONValue) {
            self.name = name
            self.value = value
        }

        public static func < (lhs: KeyField, rhs: KeyField) -> Bool {
            if lhs.name != rhs.name { return lhs.name < rhs.name }
            return JSONOrder.compare(lhs.value, rhs.value) < 0
        }
    }

    public var elements: [Element]

    public init(_ elements: [Element] = []) { self.elements = elements }

    /// A path of plain field names, e.g. `ObjectPath(fields: "spec", "replicas")`.
    public init(fields names: String...) { self.elements = names.map(Element.field) }

    public static let root = ObjectPath()

    public var isRoot: Bool { elements.isEmpty }
    public var last: Element? { elements.last }
    public var parent: ObjectPath { ObjectPath(Array(elements.dropLast())) }

    public func appending(_ element: Element) -> ObjectPath { ObjectPath(elements + [element]) }

    /// The field names along the path with list items as `[]`, e.g. `spec.ports[].port`;
    /// schema tables are keyed by this form because item identity does not change the type.
    public var schemaPattern: String {
        var text = ""
        for element in elements {
            if case .field(let name) = element {
                text += text.isEmpty ? name : "." + name
            } else {
                text += "[]"
            }
        }
        return text
    }

    /// `.spec.ports[port=80,protocol="TCP"].targetPort`, as in apply conflict messages.
    public var description: String { elements.map(\.description).joined() }

    public static func < (lhs: ObjectPath, rhs: ObjectPath) -> Bool {
        lhs.elements.lexicographicallyPrecedes(rhs.elements)
    }
}

/// A malformed `fieldsV1` document or path element.
public struct FieldSetError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// SMD's total order over values, used to sort set-list items and key fields.
enum JSONOrder {
    static func compare(_ lhs: JSONValue, _ rhs: JSONValue) -> Int {
        let (left, right) = (rank(lhs), rank(rhs))
        if left != right { return left < right ? -1 : 1 }
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (!a ? -1 : 1)
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) {
                let order = compare(x, y)
                if order != 0 { return order }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        case (.object(let a), .object(let b)):
            let (keysA, keysB) = (a.keys.sorted(), b.keys.sorted())
            for (x, y) in zip(keysA, keysB) {
                if x != y { return x < y ? -1 : 1 }
                let order = compare(a[x]!, b[y]!)
                if order != 0 { return order }
            }
            return keysA.count == keysB.count ? 0 : (keysA.count < keysB.count ? -1 : 1)
        case (.null, .null): return 0
        default:
            let (a, b) = (lhs.doubleValue ?? 0, rhs.doubleValue ?? 0)
            return a == b ? 0 : (a < b ? -1 : 1)
        }
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .int, .double: return 0
        case .string: return 1
        case .bool: return 2
        case .array: return 3
        case .object: return 4
        case .null: return 5
        }
    }
}
