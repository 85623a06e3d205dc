// Parsed label selectors (labels.Selector): the string syntax of `?labelSelector=` and `-l`,
// and the conversion from the `LabelSelector` objects found in specs.
//
// Parsing follows apimachinery's lexer and recursive-descent parser token for token, so that
// malformed selectors fail with the same messages, and requirements are kept sorted by key so
// the rendering is canonical.

/// A conjunction of label requirements, or the selector that matches nothing.
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, sorted by key. Empty means "everything".
    public private(set) var requirements: [LabelRequirement]
    /// True for the selector from a nil `LabelSelector`, which matches no object.
    public private(set) var matchesNothing: Bool

    public init(requirements: [LabelRequirement] = []) {
        self.requirements = LabelMatcher.sortedByKey(requirements)
        matchesNothing = false
    }

    /// Matches every label set.
    public static let everything = LabelMatcher()
    /// Matches no label set.
    public static let nothing: LabelMatcher = {
        var matcher = LabelMatcher()
        matcher.matchesNothing = true
        return matcher
    }()

    /// Exact-match selector for a label set (labels.SelectorFromSet); an empty set matches everything.
    public init(matchingLabels labels: [String: String]) {
        self.init(requirements: labels.compactMap { try? LabelRequirement(key: $0.key, operator: .equals, values: [$0.value]) })
    }

    /// Parses the string form, e.g. `app=web,tier in (a,b),!legacy,version>2`. An empty string
    /// matches everything.
    public init(parsing text: String) throws(LabelSelectorError) {
        var parser = LabelSelectorParser(text)
        self.init(requirements: try parser.parse())
    }

    /// Converts a selector object as metav1.LabelSelectorAsSelector does: nil matches nothing,
    /// an empty selector matches everything, otherwise `matchLabels` and `matchExpressions` are ANDed.
    public init(_ selector: LabelSelector?) throws(LabelSelectorError) {
        guard let selector else {
            self = .nothing
            return
        }
        var requirements: [LabelRequirement] = []
        for (key, value) in selector.matchLabels ?? [:] {
            requirements.append(try LabelRequirement(key: key, operator: .equals, values: [value]))
        }
        for expression in selector.matchExpressions ?? [] {
            let op: LabelSelectorOperator
            switch expression.operator {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            default:
                throw LabelSelectorError(message: "\"\(expression.operator)\" is not a valid label selector operator")
            }
            requirements.append(try LabelRequirement(key: expression.key, operator: op, values: expression.values ?? []))
        }
        self.init(requirements: requirements)
    }

    /// True when the selector places no restriction (and is not `nothing`).
    public var isEverything: Bool { !matchesNothing && requirements.isEmpty }

    /// Whether every requirement holds for `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        return requirements.allSatisfy { $0.matches(labels) }
    }

    /// The canonical string form: requirements sorted by key, joined by `,`.
    public var description: String {
        requirements.map(\.description).joined(separator: ",")
    }

    /// The value a selector requires for `key` through `=`, `==` or a single-valued `in`.
    public func requiredValue(forKey key: String) -> String? {
        guard let requirement = requirements.first(where: { $0.key == key }) else { return nil }
        switch requirement.operator {
        case .equals, .doubleEquals, .in: return requirement.values.count == 1 ? requirement.values[0] : nil
        default: return nil
        }
    }

    private static func sortedByKey(_ requirements: [LabelRequirement]) -> [LabelRequirement] {
        requirements.enumerated().sorted { lhs, rhs in
            lhs.element.key != rhs.element.key ? lhs.element.key < rhs.element.key : lhs.offset < rhs.offset
        }.map(\.element)
    }
}

private enum LabelToken: Equatable {
    case error(String)
    case endOfString
    case closedParenthesis, comma, doesNotExist, doubleEquals, equals, greaterThan, lessThan, notEquals
    case openParenthesis, `in`, notIn
    case identifier(String)

    var literal: String {
        switch self {
        case .error(let text), .identifier(let text): return text
        case .endOfString: return ""
        case .closedParenthesis: return ")"
        case .comma: return ","
        case .doesNotExist: return "!"
        case .doubleEquals: return "=="
        case .equals: return "="
        case .greaterThan: return ">"
        case .lessThan: return "<"
        case .notEquals: return "!="
        case .openParenthesis: return "("
        case .in: return "in"
        case .notIn: return "notin"
        }
    }

    static func keyword(_ text: String) -> LabelToken? {
        switch text {
        case ")": return .closedParenthesis
        case ",": return .comma
        case "!": return .doesNotExist
        case "==": return .doubleEquals
        case "=": return .equals
        case ">": return .greaterThan
        case "<": return .lessThan
        case "!=": return .notEquals
        case "(": return .openParenthesis
        case "in": return .in
        case "notin": return .notIn
        default: return nil
        }
    }
}

private struct LabelSelectorParser {
    var tokens: [LabelToken] = []
    var position = 0

    init(_ text: String) { tokens = LabelSelectorParser.lex(Array(text.utf8)) }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }

    static func isSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","),
            UInt8(ascii: ">"), UInt8(ascii: "<"):
            return true
        default: return false
        }
    }

    static func lex(_ bytes: [UInt8]) -> [LabelToken] {
        var tokens: [LabelToken] = []
        var index = 0
        while true {
            while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] != 0 else {
                tokens.append(.endOfString)
                return tokens
            }
            if isSpecial(bytes[index]) {
                // Longest run of special symbols that still forms a known operator.
                var buffer: [UInt8] = []
                var last: LabelToken?
                while index < bytes.count, isSpecial(bytes[index]) {
                    buffer.append(bytes[index])
                    if let token = LabelToken.keyword(String(decoding: buffer, as: UTF8.self)) {
                        last = token
                        index += 1
                    } else if last != nil {
                        break
                    } else {
                        index += 1
                    }
                }
                tokens.append(last ?? .error("error expected: keyword found '\(String(decoding: buffer, as: UTF8.self))'"))
            } else {
                let start = index
                while index < bytes.count, bytes[index] != 0, !isSpecial(bytes[index]), !isWhitespace(bytes[index]) {
                    index += 1
                }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                tokens.append(text == "in" ? .in : text == "notin" ? .notIn : .identifier(text))
            }
        }
    }

    /// In value position `in`/`notin` are ordinary identifiers (`x in (in)`).
    func lookahead(values: Bool) -> LabelToken {
        let token = tokens[position]
        if values, token == .in || token == .notIn { return .identifier(token.literal) }
        return token
    }

    mutating func consume(values: Bool) -> LabelToken {
        let token = lookahead(values: values)
        position += 1
        return token
    }

    func isIdentifier(_ token: LabelToken) -> Bool {
        if case .identifier = token { return true }
        return false
    }

    mutating func parse() throws(LabelSelectorError) -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        while true {
            let token = lookahead(values: true)
            if isIdentifier(token) || token == .doesNotExist {
                do {
                    requirements.append(try parseRequirement())
                } catch {
                    throw LabelSelectorError(message: "unable to parse requirement: \(error.message)")
                }
                let next = consume(values: true)
                switch next {
                case .endOfString: return requirements
                case .comma:
                    let after = lookahead(values: true)
                    if !isIdentifier(after) && after != .doesNotExist {
                        throw LabelSelectorError(message: "found '\(after.literal)', expected: identifier after ','")
                    }
                default:
                    throw LabelSelectorError(message: "found '\(next.literal)', expected: ',' or 'end of string'")
                }
            } else if token == .endOfString {
                return requirements
            } else {
                throw LabelSelectorError(message: "found '\(token.literal)', expected: !, identifier, or 'end of string'")
            }
        }
    }

    mutating func parseRequirement() throws(LabelSelectorError) -> LabelRequirement {
        var token = consume(values: true)
        var negated = false
        if token == .doesNotExist {
            negated = true
            token = consume(values: true)
        }
        guard case .identifier(let key) = token else {
            throw LabelSelectorError(message: "found '\(token.literal)', expected: identifier")
        }
        let keyProblems = NameValidation.qualifiedNameProblems(key)
        if !keyProblems.isEmpty {
            // apimachinery validates here against a nil field path, which prints as "<nil>".
            throw LabelSelectorError(errors: [.invalid("<nil>", .string(key), keyProblems.joined(separator: "; "))])
        }
        // `!key` is complete by itself; anything after it is then rejected by `parse()`.
        if negated { return try LabelRequirement(key: key, operator: .doesNotExist) }
        let next = lookahead(values: true)
        if next == .endOfString || next == .comma {
            return try LabelRequirement(key: key, operator: .exists)
        }
        let op: LabelSelectorOperator
        let operatorToken = consume(values: false)
        switch operatorToken {
        case .in: op = .in
        case .equals: op = .equals
        case .doubleEquals: op = .doubleEquals
        case .greaterThan: op = .greaterThan
        case .lessThan: op = .lessThan
        case .notIn: op = .notIn
        case .notEquals: op = .notEquals
        default:
            throw LabelSelectorError(message: "found '\(operatorToken.literal)', expected: in, notin, =, ==, !=, gt, lt")
        }
        let values: [String]
        switch op {
        case .in, .notIn: values = try parseValueSet()
        default: values = try parseExactValue()
        }
        return try LabelRequirement(key: key, operator: op, values: values)
    }

    mutating func parseValueSet() throws(LabelSelectorError) -> [String] {
        let open = consume(values: true)
        guard open == .openParenthesis else {
            throw LabelSelectorError(message: "found '\(open.literal)' expected: '('")
        }
        let first = lookahead(values: true)
        if isIdentifier(first) || first == .comma {
            let values = try parseIdentifierList()
            let close = consume(values: true)
            guard close == .closedParenthesis else {
                throw LabelSelectorError(message: "found '\(first.literal)', expected: ')'")
            }
            return values
        }
        if first == .closedParenthesis {
            position += 1
            return [""]
        }
        throw LabelSelectorError(message: "found '\(first.literal)', expected: ',', ')' or identifier")
    }

    /// Values form a set: duplicates collapse and the result is sorted, as with sets.String.
    mutating func parseIdentifierList() throws(LabelSelectorError) -> [String] {
        var values = Set<String>()
        while true {
            let token = consume(values: true)
            switch token {
            case .identifier(let value):
                values.insert(value)
                let next = lookahead(values: true)
                if next == .comma { continue }
                if next == .closedParenthesis { return values.sorted() }
                throw LabelSelectorError(message: "found '\(next.literal)', expected: ',' or ')'")
            case .comma:
                if values.isEmpty { values.insert("") }
                let next = lookahead(values: true)
                if next == .closedParenthesis {
                    values.insert("")
                    return values.sorted()
                }
                if next == .comma {
                    position += 1
                    values.insert("")
                }
            default:
                throw LabelSelectorError(message: "found '\(token.literal)', expected: ',', or identifier")
            }
        }
    }

    mutating func parseExactValue() throws(LabelSelectorError) -> [String] {
        let next = lookahead(values: true)
        if next == .endOfString || next == .comma { return [""] }
        let token = consume(values: true)
        if case .identifier(let value) = token { return [value] }
        throw LabelSelectorError(message: "found '\(token.literal)', expected: identifier")
    }
}
