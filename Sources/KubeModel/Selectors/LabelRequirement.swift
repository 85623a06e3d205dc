// One term of a label selector (labels.Requirement): a key, an operator, and values.

/// The operator of a label requirement; raw values are the selector-string spellings.
public enum LabelSelectorOperator: String, Sendable, Hashable, CaseIterable {
    case equals = "="
    case doubleEquals = "=="
    case notEquals = "!="
    case `in` = "in"
    case notIn = "notin"
    case exists = "exists"
    case doesNotExist = "!"
    case greaterThan = "gt"
    case lessThan = "lt"
}

/// A validated label requirement, e.g. `tier in (backend,cache)`.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    public let key: String
    public let `operator`: LabelSelectorOperator
    /// The values as given (set semantics; rendering sorts them).
    public let values: [String]

    /// Validates as apimachinery's `NewRequirement`: key syntax, value count per operator,
    /// integer values for `gt`/`lt`, and label-value syntax.
    public init(key: String, operator: LabelSelectorOperator, values: [String] = []) throws(LabelSelectorError) {
        var errors: [FieldError] = []
        let keyProblems = NameValidation.qualifiedNameProblems(key)
        if !keyProblems.isEmpty {
            errors.append(.invalid("key", .string(key), keyProblems.joined(separator: "; ")))
        }
        let valuesPath = FieldPath("values")
        let valueList = JSONValue.array(values.map { .string($0) })
        switch `operator` {
        case .in, .notIn:
            if values.isEmpty {
                errors.append(.invalid("values", valueList, "for 'in', 'notin' operators, values set can't be empty"))
            }
        case .equals, .doubleEquals, .notEquals:
            if values.count != 1 {
                errors.append(.invalid("values", valueList, "exact-match compatibility requires one single value"))
            }
        case .exists, .doesNotExist:
            if !values.isEmpty {
                errors.append(.invalid("values", valueList, "values set must be empty for exists and does not exist"))
            }
        case .greaterThan, .lessThan:
            if values.count != 1 {
                errors.append(.invalid("values", valueList, "for 'Gt', 'Lt' operators, exactly one value is required"))
            }
            for (index, value) in values.enumerated() where Int64(value) == nil {
                errors.append(
                    .invalid(valuesPath.index(index).description, .string(value),
                        "for 'Gt', 'Lt' operators, the value must be an integer"))
            }
        }
        for (index, value) in values.enumerated() {
            let problems = NameValidation.labelValueProblems(value)
            if !problems.isEmpty {
                errors.append(
                    .invalid(valuesPath.index(index).key(key).description, .string(value), problems.joined(separator: "; ")))
            }
        }
        if !errors.isEmpty { throw LabelSelectorError(errors: errors) }
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// Whether `labels` satisfy this requirement (labels.Requirement.Matches).
    public func matches(_ labels: [String: String]) -> Bool {
        switch `operator` {
        case .in, .equals, .doubleEquals:
            guard let value = labels[key] else { return false }
            return values.contains(value)
        case .notIn, .notEquals:
            guard let value = labels[key] else { return true }
            return !values.contains(value)
        case .exists:
            return labels[key] != nil
        case .doesNotExist:
            return labels[key] == nil
        case .greaterThan, .lessThan:
            guard let text = labels[key], let actual = Int64(text), values.count == 1, let bound = Int64(values[0])
            else { return false }
            return `operator` == .greaterThan ? actual > bound : actual < bound
        }
    }

    /// The selector-string form, e.g. `!a`, `a=b`, `a in (x,y)`, `a>1`.
    public var description: String {
        var text = `operator` == .doesNotExist ? "!" + key : key
        switch `operator` {
        case .exists, .doesNotExist: return text
        case .equals: text += "="
        case .doubleEquals: text += "=="
        case .notEquals: text += "!="
        case .in: text += " in "
        case .notIn: text += " notin "
        case .greaterThan: text += ">"
        case .lessThan: text += "<"
        }
        let rendered = values.count == 1 ? values[0] : values.sorted().joined(separator: ",")
        if `operator` == .in || `operator` == .notIn { return text + "(" + rendered + ")" }
        return text + rendered
    }
}

/// A malformed label selector. `description` is the message kube-apiserver returns, e.g.
/// `unable to parse requirement: found '', expected: identifier`.
public struct LabelSelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Field errors from requirement validation (empty for pure syntax errors).
    public var errors: [FieldError]
    public var message: String

    init(errors: [FieldError]) {
        self.errors = errors
        message = errors.count == 1 ? errors[0].description : "[" + errors.map(\.description).joined(separator: ", ") + "]"
    }

    init(message: String) {
        errors = []
        self.message = message
    }

    public var description: String { message }
}
