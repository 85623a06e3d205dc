// Tokenises the CEL subset accepted for `x-kubernetes-validations` rules. Positions are kept so
// compile errors can be reported as cel-go does (`ERROR: <input>:1:6: ...`).

/// A compile-time problem in a CEL expression, positioned like cel-go's `<input>:line:column`.
public struct CELCompileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String

    public var description: String { "ERROR: <input>:\(line):\(column): \(message)" }
}

enum CELToken: Equatable, Sendable {
    case identifier(String)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case punctuation(String)
    case end
}

struct PositionedToken: Sendable {
    var token: CELToken
    /// Offset in unicode scalars from the start of the expression.
    var offset: Int
}

struct CELLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// Converts a scalar offset into cel-go's 1-based line and column.
    static func location(of offset: Int, in source: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (index, scalar) in source.unicodeScalars.enumerated() {
            if index == offset { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }

    mutating func tokenize() throws(CELSyntaxError) -> [PositionedToken] {
        var tokens: [PositionedToken] = []
        while true {
            skipWhitespaceAndComments()
            let start = position
            guard position < scalars.count else {
                tokens.append(PositionedToken(token: .end, offset: start))
                return tokens
            }
            let scalar = scalars[position]
            if scalar.properties.isAlphabetic || scalar == "_" {
                let word = readWord()
                // String prefixes: r'raw' and b'bytes'.
                if position < scalars.count, scalars[position] == "\"" || scalars[position] == "'" {
                    if word == "r" || word == "R" {
                        tokens.append(PositionedToken(token: .string(try readString(raw: true)), offset: start))
                        continue
                    }
                    if word == "b" || word == "B" {
                        throw CELSyntaxError(offset: start, message: "bytes literals are not supported")
                    }
                }
                tokens.append(PositionedToken(token: .identifier(word), offset: start))
            } else if scalar.properties.numericType != nil && scalar.isASCII {
                tokens.append(PositionedToken(token: try readNumber(), offset: start))
            } else if scalar == "." && position + 1 < scalars.count && isDigit(scalars[position + 1]) {
                tokens.append(PositionedToken(token: try readNumber(), offset: start))
            } else if scalar == "\"" || scalar == "'" {
                tokens.append(PositionedToken(token: .string(try readString(raw: false)), offset: start))
            } else {
                tokens.append(PositionedToken(token: .punctuation(try readPunctuation()), offset: start))
            }
        }
    }

    private func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private mutating func skipWhitespaceAndComments() {
        while position < scalars.count {
            let scalar = scalars[position]
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar == "\u{0C}" {
                position += 1
            } else if scalar == "/" && position + 1 < scalars.count && scalars[position + 1] == "/" {
                while position < scalars.count && scalars[position] != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func readWord() -> String {
        var word = ""
        while position < scalars.count,
            scalars[position].properties.isAlphabetic || scalars[position] == "_" || isDigit(scalars[position])
        {
            word.unicodeScalars.append(scalars[position])
            position += 1
        }
        return word
    }

    private mutating func readNumber() throws(CELSyntaxError) -> CELToken {
        let start = position
        if scalars[position] == "0", position + 1 < scalars.count, scalars[position + 1] == "x" || scalars[position + 1] == "X" {
            position += 2
            var digits = ""
            while position < scalars.count, scalars[position].properties.isASCIIHexDigit {
                digits.unicodeScalars.append(scalars[position])
                position += 1
            }
            if position < scalars.count, scalars[position] == "u" || scalars[position] == "U" {
                position += 1
                guard let value = UInt64(digits, radix: 16) else { throw CELSyntaxError(offset: start, message: "invalid uint literal") }
                return .uint(value)
            }
            guard let value = Int64(digits, radix: 16) else { throw CELSyntaxError(offset: start, message: "invalid int literal") }
            return .int(value)
        }
        var text = ""
        var isDouble = false
        while position < scalars.count {
            let scalar = scalars[position]
            if isDigit(scalar) {
                text.unicodeScalars.append(scalar)
            } else if scalar == "." && position + 1 < scalars.count && isDigit(scalars[position + 1]) && !isDouble {
                isDouble = true
                text.unicodeScalars.append(scalar)
            } else if scalar == "e" || scalar == "E" {
                isDouble = true
                text.unicodeScalars.append(scalar)
                if position + 1 < scalars.count, scalars[position + 1] == "+" || scalars[position + 1] == "-" {
                    position += 1
                    text.unicodeScalars.append(scalars[position])
                }
            } else {
                break
            }
            position += 1
        }
        if isDouble {
            guard let value = Double(text) else { throw CELSyntaxError(offset: start, message: "invalid double literal") }
            return .double(value)
        }
        if position < scalars.count, scalars[position] == "u" || scalars[position] == "U" {
            position += 1
            guard let value = UInt64(text) else { throw CELSyntaxError(offset: start, message: "invalid uint literal") }
            return .uint(value)
        }
        guard let value = Int64(text) else { throw CELSyntaxError(offset: start, message: "invalid int literal") }
        return .int(value)
    }

    private mutating func readString(raw: Bool) throws(CELSyntaxError) -> String {
        let start = position
        let quote = scalars[position]
        let isTriple = position + 2 < scalars.count && scalars[position + 1] == quote && scalars[position + 2] == quote
        position += isTriple ? 3 : 1
        var result = ""
        while true {
            guard position < scalars.count else {
                throw CELSyntaxError(offset: start, message: "unterminated string literal")
            }
            let scalar = scalars[position]
            if scalar == quote {
                if !isTriple {
                    position += 1
                    return result
                }
                if position + 2 < scalars.count, scalars[position + 1] == quote, scalars[position + 2] == quote {
                    position += 3
                    return result
                }
            }
            if scalar == "\n" && !isTriple {
                throw CELSyntaxError(offset: start, message: "unterminated string literal")
            }
            if scalar == "\\" && !raw {
                position += 1
                result.unicodeScalars.append(try readEscape(stringStart: start))
                continue
            }
            result.unicodeScalars.append(scalar)
            position += 1
        }
    }

    private mutating func readEscape(stringStart: Int) throws(CELSyntaxError) -> Unicode.Scalar {
        guard position < scalars.count else { throw CELSyntaxError(offset: stringStart, message: "unterminated string literal") }
        let scalar = scalars[position]
        position += 1
        switch scalar {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "v": return "\u{0B}"
        case "\\", "'", "\"", "`", "?": return scalar
        case "x", "X": return try readHexEscape(digits: 2, stringStart: stringStart)
        case "u": return try readHexEscape(digits: 4, stringStart: stringStart)
        case "U": return try readHexEscape(digits: 8, stringStart: stringStart)
        case "0"..."3":
            var value = scalar.value - 48
            for _ in 0..<2 {
                guard position < scalars.count, ("0"..."7").contains(scalars[position]) else {
                    throw CELSyntaxError(offset: stringStart, message: "invalid octal escape sequence")
                }
                value = value * 8 + scalars[position].value - 48
                position += 1
            }
            guard let result = Unicode.Scalar(value) else { throw CELSyntaxError(offset: stringStart, message: "invalid escape sequence") }
            return result
        default:
            throw CELSyntaxError(offset: stringStart, message: "invalid escape sequence '\\\(scalar)'")
        }
    }

    private mutating func readHexEscape(digits: Int, stringStart: Int) throws(CELSyntaxError) -> Unicode.Scalar {
        var text = ""
        for _ in 0..<digits {
            guard position < scalars.count, scalars[position].properties.isASCIIHexDigit else {
                throw CELSyntaxError(offset: stringStart, message: "invalid hex escape sequence")
            }
            text.unicodeScalars.append(scalars[position])
            position += 1
        }
        guard let value = UInt32(text, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw CELSyntaxError(offset: stringStart, message: "invalid unicode escape sequence")
        }
        return scalar
    }

    private mutating func readPunctuation() throws(CELSyntaxError) -> String {
        let twoCharacter = ["==", "!=", "<=", ">=", "&&", "||"]
        if position + 1 < scalars.count {
            var pair = ""
            pair.unicodeScalars.append(scalars[position])
            pair.unicodeScalars.append(scalars[position + 1])
            if twoCharacter.contains(pair) {
                position += 2
                return pair
            }
        }
        let single: Set<Unicode.Scalar> = ["<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"]
        let scalar = scalars[position]
        guard single.contains(scalar) else {
            throw CELSyntaxError(offset: position, message: "token recognition error at: '\(scalar)'")
        }
        position += 1
        return String(scalar)
    }
}

/// A lexing or parsing failure at a scalar offset; converted to `CELCompileError` by the compiler.
struct CELSyntaxError: Error {
    var offset: Int
    var message: String
}
