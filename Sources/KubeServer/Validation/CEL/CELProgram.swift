import KubeModel

// A compiled `x-kubernetes-validations` rule. Compilation parses and resolves every name, so a
// rule using an unknown function or variable is rejected when the CRD is written, not when an
// object is validated.

/// A CEL expression compiled for evaluation against `self` (and `oldSelf` for transition rules).
public struct CELProgram: Sendable {
    public let source: String
    let expression: CELExpression
    /// Whether the rule mentions `oldSelf`, making it a transition rule (only run on update).
    public let isTransitionRule: Bool

    /// Compiles `source`; throws the first problem in cel-go's format.
    public init(compiling source: String) throws(CELCompileError) {
        self.source = source
        do {
            var lexer = CELLexer(source)
            var parser = CELParser(tokens: try lexer.tokenize(), variables: ["self", "oldSelf"])
            expression = try parser.parseExpression()
        } catch {
            let location = CELLexer.location(of: error.offset, in: source)
            throw CELCompileError(line: location.line, column: location.column, message: error.message)
        }
        isTransitionRule = CELProgram.mentions("oldSelf", in: expression)
    }

    /// Evaluates the program with CEL values bound to `self` and, if given, `oldSelf`.
    public func evaluate(self value: CELValue, oldSelf: CELValue? = nil) throws(CELEvaluationError) -> CELValue {
        var variables = ["self": value]
        if let oldSelf { variables["oldSelf"] = oldSelf }
        return try CELEvaluator(variables: variables).evaluate(expression)
    }

    /// Evaluates against JSON values typed by `schema` (integers vs numbers).
    public func evaluate(self value: JSONValue, oldSelf: JSONValue? = nil, schema: StructuralSchema? = nil) throws(CELEvaluationError) -> CELValue {
        try evaluate(self: CELValue(value, schema: schema), oldSelf: oldSelf.map { CELValue($0, schema: schema) })
    }

    /// Field names selected directly on `self` chains that `schema` does not declare, reported as
    /// cel-go's type checker does (`undefined field 'x'`). Only object schemas without
    /// `additionalProperties` or preserved unknown fields are checked.
    public func undefinedFields(against schema: StructuralSchema) -> [CELCompileError] {
        var problems: [CELCompileError] = []
        CELProgram.visit(expression) { node in
            guard case .select(let operand, let field, let offset) = node,
                let operandSchema = CELProgram.schema(of: operand, root: schema),
                operandSchema.type == "object", operandSchema.additionalProperties == nil,
                !operandSchema.preservesUnknownFields, !operandSchema.isEmbeddedResource,
                operandSchema.properties[field] == nil
            else { return }
            let location = CELLexer.location(of: offset, in: source)
            problems.append(CELCompileError(line: location.line, column: location.column, message: "undefined field '\(field)'"))
        }
        return problems
    }

    private static func schema(of expression: CELExpression, root: StructuralSchema) -> StructuralSchema? {
        switch expression {
        case .identifier(let name, _): return name == "self" || name == "oldSelf" ? root : nil
        case .select(let operand, let field, _): return schema(of: operand, root: root)?.schema(forProperty: field)
        default: return nil
        }
    }

    private static func mentions(_ variable: String, in expression: CELExpression) -> Bool {
        var found = false
        visit(expression) { node in
            if case .identifier(variable, _) = node { found = true }
        }
        return found
    }

    private static func visit(_ expression: CELExpression, _ body: (CELExpression) -> Void) {
        body(expression)
        switch expression {
        case .literal, .identifier: break
        case .select(let operand, _, _), .presenceTest(let operand, _): visit(operand, body)
        case .index(let operand, let index, _):
            visit(operand, body)
            visit(index, body)
        case .call(_, let target, let arguments, _):
            if let target { visit(target, body) }
            arguments.forEach { visit($0, body) }
        case .list(let elements): elements.forEach { visit($0, body) }
        case .map(let entries):
            for entry in entries {
                visit(entry.key, body)
                visit(entry.value, body)
            }
        case .conditional(let condition, let whenTrue, let whenFalse):
            visit(condition, body)
            visit(whenTrue, body)
            visit(whenFalse, body)
        case .logicalAnd(let left, let right), .logicalOr(let left, let right):
            visit(left, body)
            visit(right, body)
        case .comprehension(_, let range, _, let bodies, _):
            visit(range, body)
            bodies.forEach { visit($0, body) }
        }
    }
}
