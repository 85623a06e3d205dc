import KubeModel

// Compact JSON text for the places where SMD embeds JSON inside strings: associative-list keys
// (`k:{"port":80,"protocol":"TCP"}`), set items (`v:"x"`) and the `fieldsV1` byte form. Go's
// encoder sorts object keys and escapes `<`, `>`, `&`, so this does the same; the general-purpose
// wire codec lives elsewhere and need not agree on these details.
enum JSONText {
    static func encode(_ value: JSONValue) -> String {
        var output = ""
        write(value, to: &output)
        return output
    }

    static func write(_ value: JSONValue, to output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number):
            if number.rounded() == number, abs(number) < 1e21 {
                output += String(Int64(exactly: number).map(String.init) ?? String(number))
            } else {
                output += String(number)
            }
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            output += "["
            for (offset, element) in elements.enumerated() {
                if offset > 0 { output += "," }
                write(element, to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (offset, key) in members.keys.sorted().enumerated() {
                if offset > 0 { output += "," }
                writeString(key, to: &output)
                output += ":"
                write(members[key]!, to: &output)
            }
            output += "}"
        }
    }

    static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                output += unicodeEscape(scalar.value)
            default:
                if scalar.value < 0x20 {
                    output += unicodeEscape(scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ code: UInt32) -> String {
        let hex = String(code, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }


    struct SyntaxError: Error {}

    /// Parses one JSON document (KubeModel's parser); integers become `.int`.
    static func decode(_ text: String) throws(SyntaxError) -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            throw SyntaxError()
        }
    }
}
