// Field selectors (fields.Selector): `?fieldSelector=metadata.name=x,status.phase!=Running`.
//
// Terms are split on unescaped commas and sorted; each term is `field=value`, `field==value` or
// `field!=value`, the first operator found scanning left to right. Values may escape `\`, `,`
// and `=` with a backslash. Messages match apimachinery's.

/// One `field op value` term.
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
    }

    public var field: String
    public var `operator`: Operator
    public var value: String

    public init(field: String, operator: Operator, value: String) {
        self.field = field
        self.operator = `operator`
        self.value = value
    }

    /// Absent fields compare as the empty string, as with fields.Set.
    public func matches(_ lookup: (String) -> String?) -> Bool {
        let actual = lookup(field) ?? ""
        return `operator` == .notEquals ? actual != value : actual == value
    }

    /// `field=value` or `field!=value` with the value escaped; `==` renders as `=`.
    public var description: String {
        field + (`operator` == .notEquals ? "!=" : "=") + FieldMatcher.escape(value)
    }
}

/// A malformed field selector; `description` is the apimachinery message.
public struct FieldSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// A conjunction of field requirements; the empty selector matches everything.
public struct FieldMatcher: Sendable, Hashable, CustomStringConvertible {
    public private(set) var requirements: [FieldRequirement]

    public init(requirements: [FieldRequirement] = []) { self.requirements = requirements }

    public static let everything = FieldMatcher()

    /// Parses e.g. `metadata.name=x,metadata.namespace!=y`.
    public init(parsing text: String) throws(FieldSelectorError) {
        var requirements: [FieldRequirement] = []
        for term in FieldMatcher.splitTerms(text).sorted() where !term.isEmpty {
            guard let (field, op, rawValue) = FieldMatcher.splitTerm(term) else {
                throw FieldSelectorError(message: "invalid selector: '\(text)'; can't understand '\(term)'")
            }
            requirements.append(FieldRequirement(field: field, operator: op, value: try FieldMatcher.unescape(rawValue)))
        }
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ lookup: (String) -> String?) -> Bool {
        requirements.allSatisfy { $0.matches(lookup) }
    }

    public func matches(_ fields: [String: String]) -> Bool { matches { fields[$0] } }

    /// The value required for `field` by an `=`/`==` term, if any.
    public func requiredValue(forField field: String) -> String? {
        requirements.first { $0.field == field && $0.operator != .notEquals }?.value
    }

    public var description: String { requirements.map(\.description).joined(separator: ",") }

    static func splitTerms(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var terms: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    static func splitTerm(_ term: String) -> (String, FieldRequirement.Operator, String)? {
        var index = term.startIndex
        while index < term.endIndex {
            let remaining = term[index...]
            for op in [FieldRequirement.Operator.notEquals, .doubleEquals, .equals] where remaining.hasPrefix(op.rawValue) {
                let valueStart = term.index(index, offsetBy: op.rawValue.count)
                return (String(term[..<index]), op, String(term[valueStart...]))
            }
            index = term.index(after: index)
        }
        return nil
    }

    static func unescape(_ value: String) throws(FieldSelectorError) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "=" || $0 == "," }) else { return value }
        var result = ""
        var escaped = false
        for character in value {
            if escaped {
                guard character == "\\" || character == "," || character == "=" else {
                    throw FieldSelectorError(message: "invalid field selector: invalid escape sequence: \\\(character)")
                }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," || character == "=" {
                throw FieldSelectorError(message: "invalid field selector: unescaped character in value: \(character)")
            } else {
                result.append(character)
            }
        }
        if escaped { throw FieldSelectorError(message: "invalid field selector: invalid escape sequence: \\") }
        return result
    }

    static func escape(_ value: String) -> String {
        var result = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
