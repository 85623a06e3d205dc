// A hand-written recursive-descent JSON parser producing `JSONValue`.
//
// Written for the API server's hot path (every request body and every stored object goes through
// it) and for hostile input: nesting is bounded, so a deeply nested body yields an error, not a
// stack overflow. Numbers follow the apimachinery convention for unstructured objects: an integer
// literal that fits in Int64 becomes `.int`, anything else `.double`.

extension JSONValue {
    /// Maximum nesting of arrays and objects accepted by the parser.
    ///
    /// Lower than Go's 10 000 on purpose: everything downstream of the parser (equality, hashing,
    /// serialisation, patches, even deallocation) recurses per level, and Swift concurrency threads
    /// have small stacks (a debug build overflows between 2 000 and 4 000 levels). Real objects,
    /// CRD schemas included, stay well below 100 levels.
    public static let maximumParsingDepth = 1_000

    /// Parses one JSON document (surrounding whitespace allowed, trailing garbage rejected).
    public init(parsing bytes: some Collection<UInt8>) throws(JSONParseError) {
        let result: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        if let result {
            self = try result.get()
            return
        }
        let copy = Array(bytes)
        self = try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in
            var parser = JSONParser(buffer)
            return try parser.parseDocument()
        }
    }

    /// Parses one JSON document from its UTF-8 text.
    public init(parsing string: String) throws(JSONParseError) {
        var text = string
        let result = text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        self = try result.get()
    }
}

private struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if position < bytes.count {
            throw .invalidCharacter(bytes[position], "after top-level value", at: position)
        }
        return value
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard position < bytes.count else { throw .unexpectedEnd(at: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case let byte: throw .invalidCharacter(byte, "looking for beginning of value", at: position)
        }
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONValue.maximumParsingDepth {
            throw JSONParseError(message: "exceeded max depth", offset: position)
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        guard position < bytes.count else { throw .unexpectedEnd(at: position) }
        if bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw .invalidCharacter(bytes[position], "looking for beginning of object key string", at: position)
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw .invalidCharacter(bytes[position], "after object key", at: position)
            }
            position += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(members)
            case let byte:
                throw .invalidCharacter(byte, "after object key:value pair", at: position)
            }
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        guard position < bytes.count else { throw .unexpectedEnd(at: position) }
        if bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            case let byte:
                throw .invalidCharacter(byte, "after array element", at: position)
            }
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let name = literal.description
        let expected = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            let byte = bytes[position]
            if byte != expected[index] {
                let wanted = Character(Unicode.Scalar(expected[index]))
                throw .invalidCharacter(byte, "in literal \(name) (expecting '\(wanted)')", at: position)
            }
            position += 1
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        var isInteger = true
        if bytes[position] == UInt8(ascii: "-") {
            position += 1
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            guard isDigit(bytes[position]) else {
                throw .invalidCharacter(bytes[position], "in numeric literal", at: position)
            }
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            guard isDigit(bytes[position]) else {
                throw .invalidCharacter(bytes[position], "after decimal point in numeric literal", at: position)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            guard isDigit(bytes[position]) else {
                throw .invalidCharacter(bytes[position], "in exponent of numeric literal", at: position)
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = UnsafeBufferPointer(rebasing: bytes[start..<position])
        if isInteger, let integer = parseInt64(text) { return .int(integer) }
        let string = String(decoding: text, as: UTF8.self)
        return .double(Double(string) ?? .nan)
    }

    /// Accumulates digits with overflow checks; nil when the literal does not fit Int64.
    func parseInt64(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        var value: Int64 = 0
        while index < text.count {
            let digit = Int64(text[index] &- UInt8(ascii: "0"))
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) =
                negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
            index += 1
        }
        return value
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParseError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes, so the bytes between the quotes are the string.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw .invalidCharacter(byte, "in string literal", at: position) }
            position += 1
        }
        guard position < bytes.count else { throw .unexpectedEnd(at: position) }
        var scratch = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: scratch, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw .unexpectedEnd(at: position) }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let scalar = try parseUnicodeEscape()
                    scratch.append(contentsOf: String(Character(scalar)).utf8)
                default:
                    throw .invalidCharacter(escape, "in string escape code", at: position - 1)
                }
            default:
                if byte < 0x20 { throw .invalidCharacter(byte, "in string literal", at: position) }
                scratch.append(byte)
                position += 1
            }
        }
        throw .unexpectedEnd(at: position)
    }

    /// Reads the hex digits after `\u` (and a following low surrogate escape when the first is a
    /// high surrogate). Unpaired surrogates become U+FFFD, as in Go.
    mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let first = try readHex4()
        if (0xD800..<0xDC00).contains(first) {
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let saved = position
                position += 2
                let second = try readHex4()
                if (0xDC00..<0xE000).contains(second) {
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    return Unicode.Scalar(combined) ?? "\u{FFFD}"
                }
                position = saved
            }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }

    mutating func readHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw .unexpectedEnd(at: position) }
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw .invalidCharacter(byte, "in \\u hexadecimal character escape", at: position)
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
