// Errors from `JSONValue(parsing:)`, worded like Go's encoding/json so that messages the API
// server returns for malformed request bodies read the same as kube-apiserver's.

/// A syntax error in a JSON document: what was found, what was expected, and where.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Go-style message without the position, e.g. `invalid character 'x' looking for beginning of value`.
    public var message: String
    /// Zero-based byte offset of the offending byte (the document length for a premature end).
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `message at offset N`.
    public var description: String { "\(message) at offset \(offset)" }

    static func invalidCharacter(_ byte: UInt8, _ context: String, at offset: Int) -> JSONParseError {
        JSONParseError(message: "invalid character \(quoteCharacter(byte)) \(context)", offset: offset)
    }

    static func unexpectedEnd(at offset: Int) -> JSONParseError {
        JSONParseError(message: "unexpected end of JSON input", offset: offset)
    }

    /// Renders a byte the way Go's `quoteChar` does: `'x'`, `'\''`, `'"'`, `'\n'`, `'\x01'`.
    static func quoteCharacter(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "'"): return "'\\''"
        case UInt8(ascii: "\""): return "'\"'"
        case UInt8(ascii: "\n"): return "'\\n'"
        case UInt8(ascii: "\r"): return "'\\r'"
        case UInt8(ascii: "\t"): return "'\\t'"
        case UInt8(ascii: "\\"): return "'\\\\'"
        case 0x20..<0x7f: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16)
            return "'\\x\(hex.count == 1 ? "0" + hex : hex)'"
        }
    }
}
