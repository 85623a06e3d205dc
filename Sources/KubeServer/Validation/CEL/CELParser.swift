// Recursive-descent parser for the CEL subset, following the precedence of the CEL grammar:
// ternary < || < && < relations (incl. `in`) < + - < * / % < unary ! - < member access.
// Macros (`has`, `all`, `exists`, `exists_one`, `map`, `filter`) are expanded here, and every
// identifier and function is resolved, so unknown names fail at compile time as in cel-go.

indirect enum CELExpression: Sendable {
    case literal(CELValue)
    case identifier(String, offset: Int)
    case select(CELExpression, field: String, offset: Int)
    /// `has(x.f)`: tests presence instead of reading.
    case presenceTest(CELExpression, field: String)
    case index(CELExpression, CELExpression, offset: Int)
    case call(function: String, target: CELExpression?, arguments: [CELExpression], offset: Int)
    case list([CELExpression])
    case map([CELMapLiteralEntry])
    case conditional(CELExpression, CELExpression, CELExpression)
    case logicalAnd(CELExpression, CELExpression)
    case logicalOr(CELExpression, CELExpression)
    case comprehension(macro: String, range: CELExpression, variable: String, body: [CELExpression], offset: Int)
}

struct CELMapLiteralEntry: Sendable {
    var key: CELExpression
    var value: CELExpression
}

struct CELParser {
    /// Receiver-style functions the evaluator implements, with their accepted argument counts.
    static let memberFunctions: [String: Set<Int>] = [
        "size": [0], "startsWith": [1], "endsWith": [1], "contains": [1], "matches": [1],
        "lowerAscii": [0], "upperAscii": [0], "trim": [0], "split": [1], "join": [0, 1],
        "indexOf": [1], "lastIndexOf": [1], "replace": [2], "substring": [1, 2], "isSorted": [0],
    ]
    /// Global functions the evaluator implements.
    static let globalFunctions: [String: Set<Int>] = [
        "size": [1], "int": [1], "uint": [1], "double": [1], "string": [1], "bool": [1],
        "type": [1], "dyn": [1], "matches": [2],
    ]
    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]
    /// Names real CEL (or the Kubernetes libraries) know but this subset deliberately lacks.
    static let knownUnsupported: Set<String> = [
        "duration", "timestamp", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear",
        "getHours", "getMilliseconds", "getMinutes", "getMonth", "getSeconds", "bytes", "quantity", "isQuantity",
        "url", "isURL", "ip", "isIP", "cidr", "isCIDR", "format", "sum", "min", "max", "reverse", "charAt",
        "base64", "optional", "hasValue", "value", "orValue", "or", "sets", "exists_one_of", "all_of",
        "isInf", "isNaN", "ceil", "floor", "round", "abs", "sign", "semver", "isSemver", "transformList",
        "transformMap", "transformMapEntry", "sortBy", "distinct", "flatten", "slice", "lists",
    ]
    static let typeNames: Set<String> = ["int", "uint", "double", "string", "bool", "list", "map", "null_type", "type", "dyn"]

    private var tokens: [PositionedToken]
    private var position = 0
    /// Variables in scope: `self`, `oldSelf` and comprehension variables.
    private var scope: [String]

    init(tokens: [PositionedToken], variables: [String]) {
        self.tokens = tokens
        self.scope = variables
    }

    mutating func parseExpression() throws(CELSyntaxError) -> CELExpression {
        let expression = try parseConditional()
        guard case .end = current.token else {
            throw CELSyntaxError(offset: current.offset, message: "Syntax error: extraneous input '\(describe(current.token))'")
        }
        return expression
    }

    private var current: PositionedToken { tokens[position] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private func isPunctuation(_ text: String) -> Bool {
        if case .punctuation(text) = current.token { return true }
        return false
    }

    private mutating func expect(_ text: String) throws(CELSyntaxError) {
        guard isPunctuation(text) else {
            throw CELSyntaxError(offset: current.offset, message: "Syntax error: missing '\(text)' at '\(describe(current.token))'")
        }
        advance()
    }

    private func describe(_ token: CELToken) -> String {
        switch token {
        case .identifier(let name): return name
        case .int(let value): return String(value)
        case .uint(let value): return "\(value)u"
        case .double(let value): return String(value)
        case .string(let value): return "'\(value)'"
        case .punctuation(let text): return text
        case .end: return "<EOF>"
        }
    }

    private mutating func parseConditional() throws(CELSyntaxError) -> CELExpression {
        let condition = try parseOr()
        guard isPunctuation("?") else { return condition }
        advance()
        let whenTrue = try parseOr()
        try expect(":")
        let whenFalse = try parseConditional()
        return .conditional(condition, whenTrue, whenFalse)
    }

    private mutating func parseOr() throws(CELSyntaxError) -> CELExpression {
        var left = try parseAnd()
        while isPunctuation("||") {
            advance()
            left = .logicalOr(left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(CELSyntaxError) -> CELExpression {
        var left = try parseRelation()
        while isPunctuation("&&") {
            advance()
            left = .logicalAnd(left, try parseRelation())
        }
        return left
    }

    private mutating func parseRelation() throws(CELSyntaxError) -> CELExpression {
        var left = try parseAddition()
        while true {
            let offset = current.offset
            let op: String
            switch current.token {
            case .punctuation(let text) where ["<", "<=", ">", ">=", "==", "!="].contains(text): op = text
            case .identifier("in"): op = "in"
            default: return left
            }
            advance()
            let right = try parseAddition()
            left = .call(function: "_\(op)_", target: nil, arguments: [left, right], offset: offset)
        }
    }

    private mutating func parseAddition() throws(CELSyntaxError) -> CELExpression {
        var left = try parseMultiplication()
        while isPunctuation("+") || isPunctuation("-") {
            let offset = current.offset
            guard case .punctuation(let op) = current.token else { break }
            advance()
            left = .call(function: "_\(op)_", target: nil, arguments: [left, try parseMultiplication()], offset: offset)
        }
        return left
    }

    private mutating func parseMultiplication() throws(CELSyntaxError) -> CELExpression {
        var left = try parseUnary()
        while isPunctuation("*") || isPunctuation("/") || isPunctuation("%") {
            let offset = current.offset
            guard case .punctuation(let op) = current.token else { break }
            advance()
            left = .call(function: "_\(op)_", target: nil, arguments: [left, try parseUnary()], offset: offset)
        }
        return left
    }

    private mutating func parseUnary() throws(CELSyntaxError) -> CELExpression {
        let offset = current.offset
        if isPunctuation("!") {
            advance()
            return .call(function: "!_", target: nil, arguments: [try parseUnary()], offset: offset)
        }
        if isPunctuation("-") {
            advance()
            // Fold negative literals so that -9223372036854775808 is representable.
            switch current.token {
            case .int(let value) where !nextIsMemberAccess:
                advance()
                return .literal(.int(-value))
            case .double(let value) where !nextIsMemberAccess:
                advance()
                return .literal(.double(-value))
            default:
                return .call(function: "-_", target: nil, arguments: [try parseUnary()], offset: offset)
            }
        }
        return try parseMember()
    }

    private var nextIsMemberAccess: Bool {
        guard position + 1 < tokens.count, case .punctuation(let text) = tokens[position + 1].token else { return false }
        return text == "." || text == "["
    }

    private mutating func parseMember() throws(CELSyntaxError) -> CELExpression {
        var expression = try parsePrimary()
        while true {
            let offset = current.offset
            if isPunctuation(".") {
                advance()
                guard case .identifier(let name) = current.token else {
                    throw CELSyntaxError(offset: current.offset, message: "Syntax error: mismatched input '\(describe(current.token))' expecting IDENTIFIER")
                }
                advance()
                if isPunctuation("(") {
                    advance()
                    expression = try parseMemberCall(name, target: expression, offset: offset)
                } else {
                    expression = .select(expression, field: name, offset: offset)
                }
            } else if isPunctuation("[") {
                advance()
                let index = try parseConditional()
                try expect("]")
                expression = .index(expression, index, offset: offset)
            } else {
                return expression
            }
        }
    }

    private mutating func parseMemberCall(_ name: String, target: CELExpression, offset: Int) throws(CELSyntaxError) -> CELExpression {
        if CELParser.macros.contains(name) {
            guard case .identifier(let variable) = current.token else {
                throw CELSyntaxError(offset: current.offset, message: "argument must be a simple name")
            }
            let variableOffset = current.offset
            advance()
            guard !scope.contains(variable) || !["self", "oldSelf"].contains(variable) else {
                throw CELSyntaxError(offset: variableOffset, message: "iteration variable overwrites an existing variable '\(variable)'")
            }
            scope.append(variable)
            defer { scope.removeLast() }
            var body: [CELExpression] = []
            while isPunctuation(",") {
                advance()
                body.append(try parseConditional())
            }
            try expect(")")
            let allowed = name == "map" ? 1...2 : 1...1
            guard allowed.contains(body.count) else {
                throw CELSyntaxError(offset: offset, message: "undeclared reference to '\(name)' (in container '')")
            }
            return .comprehension(macro: name, range: target, variable: variable, body: body, offset: offset)
        }
        let arguments = try parseArguments()
        if let arities = CELParser.memberFunctions[name] {
            guard arities.contains(arguments.count) else {
                throw CELSyntaxError(offset: offset, message: "found no matching overload for '\(name)' applied to \(arguments.count + 1) arguments")
            }
            return .call(function: name, target: target, arguments: arguments, offset: offset)
        }
        throw unknownFunction(name, offset: offset)
    }

    private func unknownFunction(_ name: String, offset: Int) -> CELSyntaxError {
        if CELParser.knownUnsupported.contains(name) {
            return CELSyntaxError(offset: offset, message: "function '\(name)' is not supported by this server's CEL subset")
        }
        return CELSyntaxError(offset: offset, message: "undeclared reference to '\(name)' (in container '')")
    }

    private mutating func parseArguments() throws(CELSyntaxError) -> [CELExpression] {
        var arguments: [CELExpression] = []
        if isPunctuation(")") {
            advance()
            return arguments
        }
        while true {
            arguments.append(try parseConditional())
            if isPunctuation(",") {
                advance()
                continue
            }
            try expect(")")
            return arguments
        }
    }

    private mutating func parsePrimary() throws(CELSyntaxError) -> CELExpression {
        let token = current
        switch token.token {
        case .int(let value):
            advance()
            return .literal(.int(value))
        case .uint(let value):
            advance()
            return .literal(.uint(value))
        case .double(let value):
            advance()
            return .literal(.double(value))
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .identifier(let name):
            advance()
            return try parseIdentifier(name, offset: token.offset)
        case .punctuation("("):
            advance()
            let inner = try parseConditional()
            try expect(")")
            return inner
        case .punctuation("["):
            advance()
            var elements: [CELExpression] = []
            while !isPunctuation("]") {
                elements.append(try parseConditional())
                if isPunctuation(",") { advance() } else { break }
            }
            try expect("]")
            return .list(elements)
        case .punctuation("{"):
            advance()
            var entries: [CELMapLiteralEntry] = []
            while !isPunctuation("}") {
                let key = try parseConditional()
                try expect(":")
                entries.append(CELMapLiteralEntry(key: key, value: try parseConditional()))
                if isPunctuation(",") { advance() } else { break }
            }
            try expect("}")
            return .map(entries)
        default:
            throw CELSyntaxError(offset: token.offset, message: "Syntax error: mismatched input '\(describe(token.token))' expecting <expression>")
        }
    }

    private mutating func parseIdentifier(_ name: String, offset: Int) throws(CELSyntaxError) -> CELExpression {
        switch name {
        case "true": return .literal(.bool(true))
        case "false": return .literal(.bool(false))
        case "null": return .literal(.null)
        default: break
        }
        guard isPunctuation("(") else {
            if scope.contains(name) { return .identifier(name, offset: offset) }
            if CELParser.typeNames.contains(name) { return .literal(.type(name == "null_type" ? "null_type" : name)) }
            throw CELSyntaxError(offset: offset, message: "undeclared reference to '\(name)' (in container '')")
        }
        advance()
        if name == "has" {
            let argumentOffset = current.offset
            let argument = try parseConditional()
            try expect(")")
            guard case .select(let operand, let field, _) = argument else {
                throw CELSyntaxError(offset: argumentOffset, message: "invalid argument to has() macro")
            }
            return .presenceTest(operand, field: field)
        }
        let arguments = try parseArguments()
        if let arities = CELParser.globalFunctions[name] {
            guard arities.contains(arguments.count) else {
                throw CELSyntaxError(offset: offset, message: "found no matching overload for '\(name)' applied to \(arguments.count) arguments")
            }
            return .call(function: name, target: nil, arguments: arguments, offset: offset)
        }
        throw unknownFunction(name, offset: offset)
    }
}
