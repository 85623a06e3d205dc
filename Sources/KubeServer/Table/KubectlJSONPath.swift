import Foundation
import KubeModel

// The subset of kubectl JSONPath (client-go `util/jsonpath`) used by printer columns:
// `.a.b`, `.a[0]`, `.a[-1]`, `.a[1:3]`, `.a[*].b`, `.a['dotted.key']`, `.a[0,2]`,
// `.a[?(@.type=="Ready")].status` (==, !=, <, <=, >, >=, and `[?(@.x)]` for existence).
// The recursive-descent operator `..` is not supported. An expression may be wrapped in `{}`.

/// A compiled kubectl JSONPath expression.
public struct KubectlJSONPath: Sendable, Equatable {
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case unexpected(String, at: Int)
        case unsupported(String)

        public var description: String {
            switch self {
            case .unexpected(let text, let position): return "unexpected \(text) at position \(position)"
            case .unsupported(let feature): return "unsupported JSONPath feature: \(feature)"
            }
        }
    }

    enum Segment: Sendable, Equatable {
        case field(String)
        case fields([String])
        case index([Int])
        case slice(start: Int?, end: Int?)
        case wildcard
        case filter(Filter)
    }

    struct Filter: Sendable, Equatable {
        enum Operand: Sendable, Equatable {
            case path([Segment], fromRoot: Bool)
            case literal(JSONValue)
        }
        var left: Operand
        /// `nil` for an existence test such as `[?(@.ready)]`.
        var comparison: (operator: String, right: Operand)?

        static func == (lhs: Filter, rhs: Filter) -> Bool {
            lhs.left == rhs.left && lhs.comparison?.operator == rhs.comparison?.operator && lhs.comparison?.right == rhs.comparison?.right
        }
    }

    public let expression: String
    let segments: [Segment]

    public init(_ expression: String) throws {
        self.expression = expression
        var text = Substring(expression.trimmingCharacters(in: [" "]))
        if text.hasPrefix("{") && text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        var parser = Parser(characters: Array(text))
        parser.skipRootMarker()
        segments = try parser.parseSegments(until: nil)
    }

    /// All values the expression selects in `document`, in document order (object members by key).
    public func evaluate(_ document: JSONValue) -> [JSONValue] {
        Self.evaluate(segments, on: [document], root: document)
    }

    /// The first selected value, which is what a CRD printer column shows.
    public func firstMatch(in document: JSONValue) -> JSONValue? {
        evaluate(document).first
    }

    static func evaluate(_ segments: [Segment], on start: [JSONValue], root: JSONValue) -> [JSONValue] {
        var current = start
        for segment in segments {
            var next: [JSONValue] = []
            for value in current {
                switch segment {
                case .field(let name):
                    if let member = value[name] { next.append(member) }
                case .fields(let names):
                    next.append(contentsOf: names.compactMap { value[$0] })
                case .index(let indexes):
                    guard let elements = value.arrayValue else { continue }
                    for index in indexes {
                        let resolved = index < 0 ? elements.count + index : index
                        if elements.indices.contains(resolved) { next.append(elements[resolved]) }
                    }
                case .slice(let start, let end):
                    guard let elements = value.arrayValue else { continue }
                    let lower = clamp(start ?? 0, count: elements.count)
                    let upper = clamp(end ?? elements.count, count: elements.count)
                    if lower < upper { next.append(contentsOf: elements[lower..<upper]) }
                case .wildcard:
                    next.append(contentsOf: children(of: value))
                case .filter(let filter):
                    next.append(contentsOf: children(of: value).filter { filter.matches($0, root: root) })
                }
            }
            current = next
        }
        return current
    }

    private static func clamp(_ index: Int, count: Int) -> Int {
        let resolved = index < 0 ? count + index : index
        return min(max(resolved, 0), count)
    }

    static func children(of value: JSONValue) -> [JSONValue] {
        switch value {
        case .array(let elements): return elements
        case .object(let members): return members.keys.sorted().map { members[$0]! }
        default: return []
        }
    }
}

extension KubectlJSONPath.Filter {
    func matches(_ element: JSONValue, root: JSONValue) -> Bool {
        let leftValues = Self.resolve(left, element: element, root: root)
        guard let (comparisonOperator, rightOperand) = comparison else {
            return !leftValues.isEmpty
        }
        let rightValues = Self.resolve(rightOperand, element: element, root: root)
        guard let lhs = leftValues.first, let rhs = rightValues.first else { return false }
        switch comparisonOperator {
        case "==": return Self.equal(lhs, rhs)
        case "!=": return !Self.equal(lhs, rhs)
        default:
            guard let ordering = Self.order(lhs, rhs) else { return false }
            switch comparisonOperator {
            case "<": return ordering < 0
            case "<=": return ordering <= 0
            case ">": return ordering > 0
            case ">=": return ordering >= 0
            default: return false
            }
        }
    }

    private static func resolve(_ operand: Operand, element: JSONValue, root: JSONValue) -> [JSONValue] {
        switch operand {
        case .literal(let value): return [value]
        case .path(let segments, let fromRoot):
            return KubectlJSONPath.evaluate(segments, on: [fromRoot ? root : element], root: root)
        }
    }

    private static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue { return left == right }
        return lhs == rhs
    }

    private static func order(_ lhs: JSONValue, _ rhs: JSONValue) -> Int? {
        if let left = lhs.doubleValue, let right = rhs.doubleValue { return left < right ? -1 : (left > right ? 1 : 0) }
        if let left = lhs.stringValue, let right = rhs.stringValue { return left < right ? -1 : (left > right ? 1 : 0) }
        return nil
    }
}

// MARK: - Parsing

private struct Parser {
    typealias Segment = KubectlJSONPath.Segment
    typealias ParseError = KubectlJSONPath.ParseError

    let characters: [Character]
    var position = 0

    init(characters: [Character]) { self.characters = characters }

    var isAtEnd: Bool { position >= characters.count }
    var current: Character? { isAtEnd ? nil : characters[position] }

    mutating func skipRootMarker() {
        if current == "$" || current == "@" { position += 1 }
    }

    mutating func skipSpaces() {
        while current == " " { position += 1 }
    }

    /// Parses `.field` and `[...]` segments until the end or until a character in `stop` (for filters).
    mutating func parseSegments(until stop: Set<Character>?) throws -> [Segment] {
        var segments: [Segment] = []
        while let character = current {
            if let stop, stop.contains(character) { break }
            switch character {
            case ".":
                position += 1
                if current == "." { throw ParseError.unsupported("recursive descent '..'") }
                if current == "*" {
                    position += 1
                    segments.append(.wildcard)
                    continue
                }
                let name = readIdentifier()
                guard !name.isEmpty else {
                    if isAtEnd, segments.isEmpty { return segments }  // the expression "." selects the document
                    throw ParseError.unexpected("'\(current.map(String.init) ?? "end")'", at: position)
                }
                segments.append(.field(name))
            case "[":
                position += 1
                segments.append(try parseBracket())
            default:
                if segments.isEmpty, stop == nil {
                    // kubectl accepts a leading field without a dot, e.g. `metadata.name`.
                    let name = readIdentifier()
                    guard !name.isEmpty else { throw ParseError.unexpected("'\(character)'", at: position) }
                    segments.append(.field(name))
                } else {
                    throw ParseError.unexpected("'\(character)'", at: position)
                }
            }
        }
        return segments
    }

    private mutating func readIdentifier() -> String {
        var name = ""
        while let character = current, character != ".", character != "[", character != "]", character != ")",
            character != " ", character != "=", character != "!", character != "<", character != ">"
        {
            name.append(character)
            position += 1
        }
        return name
    }

    private mutating func parseBracket() throws -> Segment {
        skipSpaces()
        if current == "*" {
            position += 1
            try expect("]")
            return .wildcard
        }
        if current == "?" {
            position += 1
            try expect("(")
            let filter = try parseFilter()
            try expect(")")
            try expect("]")
            return .filter(filter)
        }
        if current == "'" || current == "\"" {
            var names: [String] = []
            repeat {
                skipSpaces()
                names.append(try readQuoted())
                skipSpaces()
            } while consume(",")
            try expect("]")
            return names.count == 1 ? .field(names[0]) : .fields(names)
        }
        let first = readInteger()
        skipSpaces()
        if consume(":") {
            let end = readInteger()
            skipSpaces()
            if consume(":") { throw ParseError.unsupported("slice step") }
            try expect("]")
            return .slice(start: first, end: end)
        }
        guard let first else { throw ParseError.unexpected("'\(current.map(String.init) ?? "end")'", at: position) }
        var indexes = [first]
        while consume(",") {
            skipSpaces()
            guard let next = readInteger() else { throw ParseError.unexpected("'\(current.map(String.init) ?? "end")'", at: position) }
            indexes.append(next)
            skipSpaces()
        }
        try expect("]")
        return .index(indexes)
    }

    private mutating func parseFilter() throws -> KubectlJSONPath.Filter {
        skipSpaces()
        let left = try parseOperand()
        skipSpaces()
        var comparisonOperator = ""
        while let character = current, "=!<>".contains(character) {
            comparisonOperator.append(character)
            position += 1
        }
        if comparisonOperator.isEmpty { return KubectlJSONPath.Filter(left: left, comparison: nil) }
        guard ["==", "!=", "<", "<=", ">", ">="].contains(comparisonOperator) else {
            throw ParseError.unexpected("operator '\(comparisonOperator)'", at: position)
        }
        skipSpaces()
        let right = try parseOperand()
        skipSpaces()
        return KubectlJSONPath.Filter(left: left, comparison: (comparisonOperator, right))
    }

    private mutating func parseOperand() throws -> KubectlJSONPath.Filter.Operand {
        switch current {
        case "@", "$":
            let fromRoot = current == "$"
            position += 1
            return .path(try parseSegments(until: [" ", ")", "=", "!", "<", ">"]), fromRoot: fromRoot)
        case "'", "\"":
            return .literal(.string(try readQuoted()))
        default:
            var token = ""
            while let character = current, !" )=!<>".contains(character) {
                token.append(character)
                position += 1
            }
            switch token {
            case "true": return .literal(true)
            case "false": return .literal(false)
            case "nil", "null": return .literal(.null)
            default:
                if let integer = Int64(token) { return .literal(.int(integer)) }
                if let number = Double(token) { return .literal(.double(number)) }
                throw ParseError.unexpected("'\(token)'", at: position)
            }
        }
    }

    private mutating func readQuoted() throws -> String {
        guard let quote = current, quote == "'" || quote == "\"" else { throw ParseError.unexpected("missing quote", at: position) }
        position += 1
        var value = ""
        while let character = current, character != quote {
            if character == "\\", position + 1 < characters.count {
                position += 1
            }
            value.append(characters[position])
            position += 1
        }
        guard current == quote else { throw ParseError.unexpected("unterminated string", at: position) }
        position += 1
        return value
    }

    private mutating func readInteger() -> Int? {
        var digits = ""
        if current == "-" {
            digits = "-"
            position += 1
        }
        while let character = current, character.isNumber, character.isASCII {
            digits.append(character)
            position += 1
        }
        return Int(digits)
    }

    private mutating func consume(_ character: Character) -> Bool {
        guard current == character else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ character: Character) throws {
        skipSpaces()
        guard consume(character) else {
            throw ParseError.unexpected("'\(current.map(String.init) ?? "end")' (expected '\(character)')", at: position)
        }
    }
}
