// Evaluates parsed CEL expressions. Error texts follow cel-go's (`no such key: x`,
// `no such overload`, `index out of bounds: 3`, `division by zero`), because the apiserver embeds
// them verbatim in validation messages. `&&` and `||` absorb errors the way CEL specifies: a
// definite result on either side wins over an error on the other.

/// A runtime failure while evaluating a rule.
public struct CELEvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    static let noSuchOverload = CELEvaluationError(message: "no such overload")
}

struct CELEvaluator {
    var variables: [String: CELValue]

    func evaluate(_ expression: CELExpression) throws(CELEvaluationError) -> CELValue {
        switch expression {
        case .literal(let value):
            return value
        case .identifier(let name, _):
            guard let value = variables[name] else { throw CELEvaluationError(message: "no such attribute: \(name)") }
            return value
        case .select(let operand, let field, _):
            let target = try evaluate(operand)
            guard case .map = target else { throw CELEvaluationError.noSuchOverload }
            guard let value = target.entry(for: .string(field)) else {
                throw CELEvaluationError(message: "no such key: \(field)")
            }
            return value
        case .presenceTest(let operand, let field):
            let target = try evaluate(operand)
            guard case .map = target else { throw CELEvaluationError.noSuchOverload }
            return .bool(target.entry(for: .string(field)) != nil)
        case .index(let operand, let indexExpression, _):
            return try index(try evaluate(operand), by: try evaluate(indexExpression))
        case .list(let elements):
            var values: [CELValue] = []
            for element in elements { values.append(try evaluate(element)) }
            return .list(values)
        case .map(let entries):
            var values: [CELMapEntry] = []
            for entry in entries {
                let key = try evaluate(entry.key)
                switch key {
                case .string, .int, .uint, .bool: break
                default: throw CELEvaluationError(message: "unsupported key type")
                }
                if values.contains(where: { $0.key.isEqual(to: key) }) {
                    throw CELEvaluationError(message: "Failed with repeated key")
                }
                values.append(CELMapEntry(key: key, value: try evaluate(entry.value)))
            }
            return .map(values)
        case .conditional(let condition, let whenTrue, let whenFalse):
            guard case .bool(let flag) = try evaluate(condition) else { throw CELEvaluationError.noSuchOverload }
            return try evaluate(flag ? whenTrue : whenFalse)
        case .logicalAnd(let left, let right):
            return try logical(left, right, absorbing: false)
        case .logicalOr(let left, let right):
            return try logical(left, right, absorbing: true)
        case .call(let function, let target, let arguments, _):
            var values: [CELValue] = []
            for argument in arguments { values.append(try evaluate(argument)) }
            if let target {
                return try CELFunctions.callMember(function, on: try evaluate(target), arguments: values)
            }
            return try CELFunctions.callGlobal(function, arguments: values)
        case .comprehension(let macro, let range, let variable, let body, _):
            return try comprehension(macro, range: try evaluate(range), variable: variable, body: body)
        }
    }

    /// `&&` (absorbing false) and `||` (absorbing true), commutative over errors.
    private func logical(_ left: CELExpression, _ right: CELExpression, absorbing: Bool) throws(CELEvaluationError) -> CELValue {
        var firstError: CELEvaluationError?
        var sawNonBool = false
        for side in [left, right] {
            do throws(CELEvaluationError) {
                let value = try evaluate(side)
                guard case .bool(let flag) = value else {
                    sawNonBool = true
                    continue
                }
                if flag == absorbing { return .bool(absorbing) }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        if sawNonBool { throw CELEvaluationError.noSuchOverload }
        return .bool(!absorbing)
    }

    private func index(_ target: CELValue, by key: CELValue) throws(CELEvaluationError) -> CELValue {
        switch target {
        case .list(let elements):
            let position: Int64
            switch key {
            case .int(let value): position = value
            case .uint(let value): position = Int64(clamping: value)
            case .double(let value) where value.rounded() == value: position = Int64(value)
            default: throw CELEvaluationError.noSuchOverload
            }
            guard position >= 0, position < elements.count else {
                throw CELEvaluationError(message: "index out of bounds: \(position)")
            }
            return elements[Int(position)]
        case .map:
            guard let value = target.entry(for: key) else {
                throw CELEvaluationError(message: "no such key: \(key.displayString)")
            }
            return value
        default:
            throw CELEvaluationError.noSuchOverload
        }
    }

    private func comprehension(_ macro: String, range: CELValue, variable: String, body: [CELExpression]) throws(CELEvaluationError) -> CELValue {
        let elements: [CELValue]
        switch range {
        case .list(let values): elements = values
        case .map(let entries): elements = entries.map(\.key)
        default: throw CELEvaluationError.noSuchOverload
        }
        var scoped = self
        func predicate(_ element: CELValue, _ expression: CELExpression) throws(CELEvaluationError) -> CELValue {
            scoped.variables[variable] = element
            return try scoped.evaluate(expression)
        }
        switch macro {
        case "all", "exists":
            // Like CEL's all/exists: a definite answer wins over errors from other elements.
            let target = macro == "exists"
            var firstError: CELEvaluationError?
            for element in elements {
                do throws(CELEvaluationError) {
                    guard case .bool(let flag) = try predicate(element, body[0]) else { throw CELEvaluationError.noSuchOverload }
                    if flag == target { return .bool(target) }
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!target)
        case "exists_one":
            var count = 0
            for element in elements {
                guard case .bool(let flag) = try predicate(element, body[0]) else { throw CELEvaluationError.noSuchOverload }
                if flag { count += 1 }
            }
            return .bool(count == 1)
        case "filter":
            var kept: [CELValue] = []
            for element in elements {
                guard case .bool(let flag) = try predicate(element, body[0]) else { throw CELEvaluationError.noSuchOverload }
                if flag { kept.append(element) }
            }
            return .list(kept)
        case "map":
            var mapped: [CELValue] = []
            for element in elements {
                if body.count == 2 {
                    guard case .bool(let flag) = try predicate(element, body[0]) else { throw CELEvaluationError.noSuchOverload }
                    if !flag { continue }
                }
                mapped.append(try predicate(element, body[body.count - 1]))
            }
            return .list(mapped)
        default:
            throw CELEvaluationError(message: "unknown macro \(macro)")
        }
    }
}
