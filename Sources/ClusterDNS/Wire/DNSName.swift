/// Domain names as this module writes them in Swift: dotted text without a final dot (the root is
/// ""), one label per dot-separated part.
///
/// Labels are octet strings on the wire (RFC 1035 §3.1, RFC 2181 §11): any byte may occur. Text
/// shows them as RFC 1035 master files do, so that every wire name has exactly one text form and
/// back: `\.` for a dot inside a label, `\\` for a backslash, `\DDD` (three decimal digits) for a
/// byte outside the printable ASCII range 0x21–0x7E. Parsing lower-cases ASCII letters; writing
/// keeps the text's case. Non-ASCII characters in text are written as their UTF-8 bytes (and so
/// read back as `\DDD` escapes). Host name rules (letters, digits, hyphens) are not enforced:
/// service names such as `_http._tcp.example` are valid.
public enum DNSName {
    /// The longest label, in octets (RFC 1035 §2.3.4).
    public static let maximumLabelLength = 63
    /// The longest name in wire form, in octets, length octets and the final root label included;
    /// 253 characters in dotted form for names without escapes.
    public static let maximumWireLength = 255

    /// Whether `name` can be written as a DNS name: no empty labels (a single final dot is
    /// allowed and ignored; "" and "." are the root), labels of at most 63 octets, at most 255
    /// octets in wire form, and well-formed escapes.
    public static func isValid(_ name: String) -> Bool {
        labels(of: name) != nil
    }

    /// The labels of a name in text form, or nil when it is not a valid name (see `isValid`).
    static func labels(of name: String) -> [[UInt8]]? {
        var utf8 = Array(name.utf8)
        if endsWithSeparator(utf8) { utf8.removeLast() }
        if utf8.isEmpty { return [] }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var wireLength = 1
        var index = 0
        func endLabel() -> Bool {
            guard !label.isEmpty, label.count <= maximumLabelLength else { return false }
            wireLength += label.count + 1
            labels.append(label)
            label = []
            return wireLength <= maximumWireLength
        }
        while index < utf8.count {
            let byte = utf8[index]
            index += 1
            switch byte {
            case UInt8(ascii: "."):
                guard endLabel() else { return nil }
            case UInt8(ascii: "\\"):
                guard index < utf8.count else { return nil }
                if let value = decimalEscape(utf8, at: index) {
                    label.append(value)
                    index += 3
                } else if isDigit(utf8[index]) {
                    return nil
                } else {
                    label.append(utf8[index])
                    index += 1
                }
            default:
                label.append(byte)
            }
            if label.count > maximumLabelLength { return nil }
        }
        guard endLabel() else { return nil }
        return labels
    }

    /// The text form of wire labels, escaped as described above; letters are lower-cased when
    /// `lowercased`.
    static func text(of labels: [[UInt8]], lowercased: Bool) -> String {
        var text: [UInt8] = []
        for (position, label) in labels.enumerated() {
            if position > 0 { text.append(UInt8(ascii: ".")) }
            for var byte in label {
                if lowercased, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 32 }
                switch byte {
                case UInt8(ascii: "."), UInt8(ascii: "\\"):
                    text.append(UInt8(ascii: "\\"))
                    text.append(byte)
                case 0x21...0x7E:
                    text.append(byte)
                default:
                    text.append(UInt8(ascii: "\\"))
                    text.append(UInt8(ascii: "0") + byte / 100)
                    text.append(UInt8(ascii: "0") + byte / 10 % 10)
                    text.append(UInt8(ascii: "0") + byte % 10)
                }
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The text form of a name without a final dot (other names are returned as they are).
    static func withoutFinalDot(_ name: String) -> String {
        endsWithSeparator(Array(name.utf8)) ? String(name.dropLast()) : name
    }

    /// Whether the text ends with a dot that is a separator, not an escaped `\.`: one preceded by
    /// an even number of backslashes.
    private static func endsWithSeparator(_ utf8: [UInt8]) -> Bool {
        guard utf8.last == UInt8(ascii: ".") else { return false }
        let backslashes = utf8.dropLast().reversed().prefix { $0 == UInt8(ascii: "\\") }.count
        return backslashes % 2 == 0
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// The value of a `\DDD` escape whose digits start at `index`, if there are three digits and
    /// they make a byte.
    private static func decimalEscape(_ utf8: [UInt8], at index: Int) -> UInt8? {
        guard index + 2 < utf8.count, isDigit(utf8[index]), isDigit(utf8[index + 1]), isDigit(utf8[index + 2]) else {
            return nil
        }
        let value = Int(utf8[index] - 48) * 100 + Int(utf8[index + 1] - 48) * 10 + Int(utf8[index + 2] - 48)
        return value <= 255 ? UInt8(value) : nil
    }
}
