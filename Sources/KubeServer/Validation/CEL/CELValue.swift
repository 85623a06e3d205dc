import KubeModel

// Runtime values of the CEL subset. JSON values are converted with their schema so that
// `integer` fields are CEL ints (even when decoded as a double with no fraction) and `number`
// fields are CEL doubles, as the apiserver's UnstructuredToVal does.

public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case list([CELValue])
    /// Entries in insertion order; keys are unique.
    case map([CELMapEntry])
    /// A type value such as `int` or `string`, as returned by `type()`.
    case type(String)

    /// The CEL type name, as `type()` returns it.
    var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .list: return "list"
        case .map: return "map"
        case .type: return "type"
        }
    }

    /// Converts a JSON value, using `schema` (when known) to pick CEL number types.
    init(_ json: JSONValue, schema: StructuralSchema?) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .int(let number):
            self = schema?.type == "number" ? .double(Double(number)) : .int(number)
        case .double(let number):
            if schema?.type == "integer" || schema?.isIntOrString == true, let integer = json.intValue {
                self = .int(integer)
            } else {
                self = .double(number)
            }
        case .string(let text): self = .string(text)
        case .array(let elements):
            self = .list(elements.map { CELValue($0, schema: schema?.items) })
        case .object(let members):
            self = .map(
                members.keys.sorted().map { key in
                    CELMapEntry(key: .string(key), value: CELValue(members[key]!, schema: schema?.schema(forProperty: key)))
                })
        }
    }

    /// Looks up a map entry by key with CEL's heterogeneous numeric key equality.
    func entry(for key: CELValue) -> CELValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key.isEqual(to: key) }?.value
    }

    /// CEL equality: structural, with numbers of different types compared by value.
    func isEqual(to other: CELValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.type(let a), .type(let b)): return a == b
        case (.list(let a), .list(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isEqual(to: $1) }
        case (.map(let a), .map(let b)):
            return a.count == b.count && a.allSatisfy { entry in other.entry(for: entry.key).map { $0.isEqual(to: entry.value) } ?? false }
        default:
            if let ordering = numericOrdering(other) { return ordering == 0 }
            return false
        }
    }

    /// Compares two numbers of any CEL numeric type; `nil` when either is not a number.
    func numericOrdering(_ other: CELValue) -> Int? {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.uint(let a), .uint(let b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.int(let a), .uint(let b)):
            if a < 0 { return -1 }
            return UInt64(a) < b ? -1 : (UInt64(a) == b ? 0 : 1)
        case (.uint, .int): return other.numericOrdering(self).map { -$0 }
        default:
            guard let a = asDouble, let b = other.asDouble else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }

    private var asDouble: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .uint(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    /// How `string()` and error messages print the value.
    var displayString: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let value): return String(value)
        case .uint(let value): return String(value)
        case .double(let value): return GoNumberFormat.float(value)
        case .string(let text): return text
        case .list(let elements): return "[" + elements.map(\.displayString).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.map { "\($0.key.displayString): \($0.value.displayString)" }.joined(separator: ", ") + "}"
        case .type(let name): return name
        }
    }
}

public struct CELMapEntry: Sendable {
    public var key: CELValue
    public var value: CELValue
}

/// Number formatting as Go's `%v` prints float64 (shortest representation, exponent from 1e21).
enum GoNumberFormat {
    static func float(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value.rounded() == value && abs(value) < 9.2e18 {
            return String(Int64(value))
        }
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        // Go prints exponents with an explicit sign and at least two digits (1e+21, 1e-07).
        if let exponentIndex = text.firstIndex(of: "e") {
            var exponent = String(text[text.index(after: exponentIndex)...])
            var sign = "+"
            if exponent.hasPrefix("-") || exponent.hasPrefix("+") {
                sign = String(exponent.removeFirst())
            }
            if exponent.count < 2 { exponent = "0" + exponent }
            text = String(text[..<exponentIndex]) + "e" + sign + exponent
        }
        return text
    }

    /// The value printed as `%v` does for a JSON number (integers without a decimal point).
    static func number(_ value: JSONValue) -> String {
        switch value {
        case .int(let number): return String(number)
        case .double(let number): return float(number)
        default: return FieldError(.invalid, field: "", badValue: value).body
        }
    }
}
