// Serialises `JSONValue` to compact JSON bytes the way Go's encoding/json writes them, so that
// objects served by our API server are byte-for-byte what kube-apiserver would send: sorted
// keys (Go maps marshal sorted), no escaping of `/`, shortest round-trip floats in Go's layout
// (`1`, `0.5`, `1e+21`, `1e-7`), and `\u00XX` for control characters.

extension JSONValue {
    /// Compact JSON bytes. Object keys are sorted by their UTF-8 bytes unless `sortedKeys` is false,
    /// in which case dictionary order is used (faster, but not stable between runs).
    public func serialized(sortedKeys: Bool = true) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        JSONValue.write(self, to: &output, sortedKeys: sortedKeys)
        return output
    }

    /// Compact JSON text with sorted keys.
    public var jsonString: String {
        String(decoding: serialized(), as: UTF8.self)
    }

    private static func write(_ value: JSONValue, to output: inout [UInt8], sortedKeys: Bool) {
        switch value {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let flag): output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): output.append(contentsOf: String(number).utf8)
        case .double(let number): output.append(contentsOf: formatNumber(number).utf8)
        case .string(let text): writeString(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(element, to: &output, sortedKeys: sortedKeys)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                // Go sorts map keys by byte order; Swift's String `<` compares by scalars, which
                // agrees with UTF-8 byte order.
                for key in members.keys.sorted() {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, to: &output)
                    output.append(UInt8(ascii: ":"))
                    write(members[key]!, to: &output, sortedKeys: sortedKeys)
                }
            } else {
                for (key, member) in members {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, to: &output)
                    output.append(UInt8(ascii: ":"))
                    write(member, to: &output, sortedKeys: sortedKeys)
                }
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
                case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
                case 0x00..<0x20:
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hexDigits[Int(byte >> 4)])
                    output.append(hexDigits[Int(byte & 0xF)])
                case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    // U+2028 / U+2029 are escaped by Go because JavaScript treats them as newlines.
                    output.append(contentsOf: bytes[index + 2] == 0xA8 ? "\\u2028".utf8 : "\\u2029".utf8)
                    index += 2
                default: output.append(byte)
                }
                index += 1
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Formats a float64 as Go's encoding/json does: shortest digits that round-trip, plain decimal
    /// notation for 1e-6 ≤ |x| < 1e21, exponent notation otherwise (`1e+21`, `1e-7`).
    /// Non-finite values, which Go refuses to encode, are written as `null`.
    static func formatNumber(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return number.sign == .minus ? "-0" : "0" }
        // Swift's description already yields the shortest round-trip digits; re-lay them out.
        let description = number.magnitude.description
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = 0
        if let dot = mantissa.firstIndex(of: ".") {
            let integerPart = mantissa[..<dot]
            digits = String(integerPart) + mantissa[mantissa.index(after: dot)...]
            pointPosition = integerPart.count
        } else {
            digits = String(mantissa)
            pointPosition = digits.count
        }
        while digits.first == "0", digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0", digits.count > 1 { digits.removeLast() }
        pointPosition += exponent
        let sign = number < 0 ? "-" : ""
        let magnitude = number.magnitude
        if magnitude < 1e21 && magnitude >= 1e-6 {
            if pointPosition <= 0 {
                return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
            }
            if pointPosition >= digits.count {
                return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
            }
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        let decimalExponent = pointPosition - 1
        var text = sign + String(digits.first!)
        if digits.count > 1 { text += "." + digits.dropFirst() }
        let exponentDigits = String(abs(decimalExponent))
        // Go prints at least two exponent digits and then strips the padding of negative ones.
        if decimalExponent < 0 {
            text += "e-" + exponentDigits
        } else {
            text += "e+" + (exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits)
        }
        return text
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact JSON text with sorted keys.
    public var description: String { jsonString }
}
