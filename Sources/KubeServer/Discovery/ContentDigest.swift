import KubeModel

// Digests the discovery and OpenAPI documents need: `storageVersionHash` in discovery and the
// `?hash=` of each OpenAPI v3 document. Clients treat both as opaque cache keys, so all that
// matters is that equal content gives equal digests and different content almost surely not.

enum ContentDigest {
    /// SHA-256 of `bytes`.
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { SHA256.digest(bytes) }

    /// Upper-case hex SHA-256 of the canonical serialisation of `document`, as used in
    /// `/openapi/v3/...?hash=`.
    static func hexDigest(of document: JSONValue) -> String {
        var text = ""
        appendCanonical(document, to: &text)
        return sha256(Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Appends `value` as JSON with object keys sorted, so the same content always gives the same bytes.
    static func appendCanonical(_ value: JSONValue, to text: inout String) {
        switch value {
        case .null: text += "null"
        case .bool(let flag): text += flag ? "true" : "false"
        case .int(let number): text += String(number)
        case .double(let number): text += "\(number)"
        case .string(let string): appendQuoted(string, to: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                appendCanonical(element, to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                appendQuoted(key, to: &text)
                text += ":"
                appendCanonical(members[key]!, to: &text)
            }
            text += "}"
        }
    }

    private static func appendQuoted(_ string: String, to text: inout String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
