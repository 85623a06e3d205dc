// Operators and functions of the CEL subset: the standard operators, size, type conversions,
// the string functions (including the Kubernetes strings library's lowerAscii/upperAscii/trim/
// split/join/indexOf/replace/substring) and the Kubernetes lists library's isSorted.

enum CELFunctions {
    static func callGlobal(_ function: String, arguments: [CELValue]) throws(CELEvaluationError) -> CELValue {
        switch (function, arguments.count) {
        case ("!_", 1):
            guard case .bool(let flag) = arguments[0] else { throw .noSuchOverload }
            return .bool(!flag)
        case ("-_", 1):
            switch arguments[0] {
            case .int(let value):
                let (negated, overflow) = Int64(0).subtractingReportingOverflow(value)
                if overflow { throw CELEvaluationError(message: "integer overflow") }
                return .int(negated)
            case .double(let value): return .double(-value)
            default: throw .noSuchOverload
            }
        case (_, 2) where function.hasPrefix("_") && function.hasSuffix("_"):
            return try binary(String(function.dropFirst().dropLast()), arguments[0], arguments[1])
        case ("size", 1):
            return try callMember("size", on: arguments[0], arguments: [])
        case ("matches", 2):
            return try callMember("matches", on: arguments[0], arguments: [arguments[1]])
        case ("type", 1):
            return .type(arguments[0].typeName)
        case ("dyn", 1):
            return arguments[0]
        case ("int", 1): return try convertToInt(arguments[0])
        case ("uint", 1): return try convertToUInt(arguments[0])
        case ("double", 1): return try convertToDouble(arguments[0])
        case ("string", 1): return try convertToString(arguments[0])
        case ("bool", 1):
            switch arguments[0] {
            case .bool: return arguments[0]
            case .string(let text):
                switch text {
                case "true", "TRUE", "True", "t", "1": return .bool(true)
                case "false", "FALSE", "False", "f", "0": return .bool(false)
                default: throw CELEvaluationError(message: "type conversion error from 'string' to 'bool'")
                }
            default: throw .noSuchOverload
            }
        default:
            throw .noSuchOverload
        }
    }

    private static func binary(_ op: String, _ left: CELValue, _ right: CELValue) throws(CELEvaluationError) -> CELValue {
        switch op {
        case "==": return .bool(left.isEqual(to: right))
        case "!=": return .bool(!left.isEqual(to: right))
        case "<", "<=", ">", ">=":
            let ordering = try compare(left, right)
            switch op {
            case "<": return .bool(ordering < 0)
            case "<=": return .bool(ordering <= 0)
            case ">": return .bool(ordering > 0)
            default: return .bool(ordering >= 0)
            }
        case "in":
            switch right {
            case .list(let elements): return .bool(elements.contains { $0.isEqual(to: left) })
            case .map: return .bool(right.entry(for: left) != nil)
            default: throw .noSuchOverload
            }
        default:
            return try arithmetic(op, left, right)
        }
    }

    private static func compare(_ left: CELValue, _ right: CELValue) throws(CELEvaluationError) -> Int {
        if let ordering = left.numericOrdering(right) { return ordering }
        switch (left, right) {
        case (.string(let a), .string(let b)):
            // CEL orders strings by code point.
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : (a == b ? 0 : 1)
        case (.bool(let a), .bool(let b)):
            return a == b ? 0 : (!a ? -1 : 1)
        default:
            throw .noSuchOverload
        }
    }

    private static func arithmetic(_ op: String, _ left: CELValue, _ right: CELValue) throws(CELEvaluationError) -> CELValue {
        switch (left, right) {
        case (.int(let a), .int(let b)):
            let result: (partialValue: Int64, overflow: Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                if b == 0 { throw CELEvaluationError(message: "division by zero") }
                result = a.dividedReportingOverflow(by: b)
            case "%":
                if b == 0 { throw CELEvaluationError(message: "modulus by zero") }
                result = a.remainderReportingOverflow(dividingBy: b)
            default: throw .noSuchOverload
            }
            if result.overflow { throw CELEvaluationError(message: "integer overflow") }
            return .int(result.partialValue)
        case (.uint(let a), .uint(let b)):
            let result: (partialValue: UInt64, overflow: Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                if b == 0 { throw CELEvaluationError(message: "division by zero") }
                result = (a / b, false)
            case "%":
                if b == 0 { throw CELEvaluationError(message: "modulus by zero") }
                result = (a % b, false)
            default: throw .noSuchOverload
            }
            if result.overflow { throw CELEvaluationError(message: "unsigned integer overflow") }
            return .uint(result.partialValue)
        case (.double(let a), .double(let b)):
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: throw .noSuchOverload
            }
        case (.string(let a), .string(let b)) where op == "+":
            return .string(a + b)
        case (.list(let a), .list(let b)) where op == "+":
            return .list(a + b)
        default:
            throw .noSuchOverload
        }
    }

    static func callMember(_ function: String, on target: CELValue, arguments: [CELValue]) throws(CELEvaluationError) -> CELValue {
        switch (function, target, arguments.count) {
        case ("size", .string(let text), 0): return .int(Int64(text.unicodeScalars.count))
        case ("size", .list(let elements), 0): return .int(Int64(elements.count))
        case ("size", .map(let entries), 0): return .int(Int64(entries.count))
        case ("isSorted", .list(let elements), 0):
            for (previous, next) in zip(elements, elements.dropFirst()) where try compare(previous, next) > 0 {
                return .bool(false)
            }
            return .bool(true)
        case ("join", .list(let elements), _):
            var separator = ""
            if let first = arguments.first {
                guard case .string(let text) = first else { throw .noSuchOverload }
                separator = text
            }
            var parts: [String] = []
            for element in elements {
                guard case .string(let text) = element else { throw .noSuchOverload }
                parts.append(text)
            }
            return .string(parts.joined(separator: separator))
        case (_, .string(let text), _):
            return try stringFunction(function, text, arguments)
        default:
            throw .noSuchOverload
        }
    }

    private static func stringFunction(_ function: String, _ text: String, _ arguments: [CELValue]) throws(CELEvaluationError) -> CELValue {
        var strings: [String] = []
        var integers: [Int64] = []
        for argument in arguments {
            switch argument {
            case .string(let value): strings.append(value)
            case .int(let value): integers.append(value)
            default: throw .noSuchOverload
            }
        }
        let scalars = Array(text.unicodeScalars)
        switch (function, strings.count, integers.count) {
        case ("startsWith", 1, 0): return .bool(text.unicodeScalars.starts(with: strings[0].unicodeScalars))
        case ("endsWith", 1, 0): return .bool(text.unicodeScalars.reversed().starts(with: strings[0].unicodeScalars.reversed()))
        case ("contains", 1, 0): return .bool(strings[0].isEmpty || text.contains(strings[0]))
        case ("matches", 1, 0):
            guard let regex = CompiledPatterns.regex(strings[0]) else {
                throw CELEvaluationError(message: "invalid regular expression: \(strings[0])")
            }
            return .bool(text.contains(regex))
        case ("lowerAscii", 0, 0):
            return .string(String(String.UnicodeScalarView(scalars.map { ("A"..."Z").contains($0) ? Unicode.Scalar($0.value + 32)! : $0 })))
        case ("upperAscii", 0, 0):
            return .string(String(String.UnicodeScalarView(scalars.map { ("a"..."z").contains($0) ? Unicode.Scalar($0.value - 32)! : $0 })))
        case ("trim", 0, 0):
            return .string(String(String.UnicodeScalarView(scalars.drop(while: \.properties.isWhitespace).reversed().drop(while: \.properties.isWhitespace).reversed())))
        case ("split", 1, 0):
            if strings[0].isEmpty { return .list(scalars.map { .string(String($0)) }) }
            return .list(text.split(separator: strings[0], omittingEmptySubsequences: false).map { .string(String($0)) })
        case ("replace", 2, 0):
            if strings[0].isEmpty { return .string(text) }
            return .string(text.split(separator: strings[0], omittingEmptySubsequences: false).joined(separator: strings[1]))
        case ("indexOf", 1, 0), ("lastIndexOf", 1, 0):
            let needle = Array(strings[0].unicodeScalars)
            let candidates = needle.count <= scalars.count ? Array(0...(scalars.count - needle.count)) : []
            let ordered = function == "indexOf" ? candidates : candidates.reversed()
            for start in ordered where Array(scalars[start..<(start + needle.count)]) == needle {
                return .int(Int64(start))
            }
            return .int(-1)
        case ("substring", 0, 1), ("substring", 0, 2):
            let start = integers[0]
            let end = integers.count == 2 ? integers[1] : Int64(scalars.count)
            guard start >= 0, end <= scalars.count, start <= end else {
                throw CELEvaluationError(message: "index out of range: \(start > Int64(scalars.count) || start < 0 ? start : end)")
            }
            return .string(String(String.UnicodeScalarView(scalars[Int(start)..<Int(end)])))
        default:
            throw .noSuchOverload
        }
    }

    private static func convertToInt(_ value: CELValue) throws(CELEvaluationError) -> CELValue {
        switch value {
        case .int: return value
        case .uint(let number):
            guard let converted = Int64(exactly: number) else { throw CELEvaluationError(message: "range error converting \(number) to int") }
            return .int(converted)
        case .double(let number):
            guard number.isFinite, number > -9.223372036854775808e18, number < 9.223372036854775807e18 else {
                throw CELEvaluationError(message: "range error converting \(GoNumberFormat.float(number)) to int")
            }
            return .int(Int64(number))
        case .string(let text):
            guard let converted = Int64(text) else { throw CELEvaluationError(message: "cannot convert string '\(text)' to int") }
            return .int(converted)
        default:
            throw .noSuchOverload
        }
    }

    private static func convertToUInt(_ value: CELValue) throws(CELEvaluationError) -> CELValue {
        switch value {
        case .uint: return value
        case .int(let number):
            guard number >= 0 else { throw CELEvaluationError(message: "range error converting \(number) to uint") }
            return .uint(UInt64(number))
        case .double(let number):
            guard number.isFinite, number >= 0, number < 1.8446744073709552e19 else {
                throw CELEvaluationError(message: "range error converting \(GoNumberFormat.float(number)) to uint")
            }
            return .uint(UInt64(number))
        case .string(let text):
            guard let converted = UInt64(text) else { throw CELEvaluationError(message: "cannot convert string '\(text)' to uint") }
            return .uint(converted)
        default:
            throw .noSuchOverload
        }
    }

    private static func convertToDouble(_ value: CELValue) throws(CELEvaluationError) -> CELValue {
        switch value {
        case .double: return value
        case .int(let number): return .double(Double(number))
        case .uint(let number): return .double(Double(number))
        case .string(let text):
            guard let converted = Double(text) else { throw CELEvaluationError(message: "cannot convert string '\(text)' to double") }
            return .double(converted)
        default:
            throw .noSuchOverload
        }
    }

    private static func convertToString(_ value: CELValue) throws(CELEvaluationError) -> CELValue {
        switch value {
        case .string, .int, .uint, .double, .bool: return .string(value.displayString)
        default: throw .noSuchOverload
        }
    }
}
