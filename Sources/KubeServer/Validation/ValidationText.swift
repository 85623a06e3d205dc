import KubeModel

// Small text renderings the apiserver's messages embed: compact JSON (enum values that are not
// strings are listed as their JSON encoding) and Go's `%q` quoting.

enum ValidationText {
    /// Compact JSON with sorted keys, as Go's encoding/json prints maps.
    static func encode(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return GoNumberFormat.float(number)
        case .string(let text): return GoSyntax.quoted(text)
        case .array(let elements): return "[" + elements.map(encode).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\(GoSyntax.quoted($0)):\(encode(members[$0]!))" }.joined(separator: ",") + "}"
        }
    }

}

/// The OpenAPI string formats the apiserver checks (a subset of kube-openapi's strfmt registry);
/// unknown formats are accepted, as they are by the real server.
enum OpenAPIStringFormat {
    static func isValid(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time", "datetime": return isDateTime(text)
        case "date": return isDate(Array(text.utf8)[...])
        case "uuid": return isUUID(text)
        case "ipv4": return isIPv4(text)
        case "ipv6": return isIPv6(text)
        case "cidr":
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let bits = Int(parts[1]) else { return false }
            if isIPv4(String(parts[0])) { return (0...32).contains(bits) }
            return isIPv6(String(parts[0])) && (0...128).contains(bits)
        case "hostname": return isHostname(text)
        case "email":
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && !$0.contains(where: \.isWhitespace) }
        case "byte":
            let bytes = Array(text.utf8)
            let padding = bytes.reversed().prefix { $0 == UInt8(ascii: "=") }.count
            return bytes.count % 4 == 0 && padding <= 2
                && bytes.dropLast(padding).allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
        default: return true
        }
    }

    static func isIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && Int(octet)! <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let halves = text.pieces(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for half in halves where !half.isEmpty {
            for group in half.split(separator: ":", omittingEmptySubsequences: false) {
                if group.contains(".") {
                    guard isIPv4(String(group)) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(group.count) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups < 8 : groups == 8
    }

    // The formats below are checked by hand: they run for every timestamp of every object written,
    // and compiling a regular expression per value cost more than the rest of validation.

    /// `YYYY-MM-DD[Tt ]HH:MM:SS(.f+)?([Zz]|[+-]HH:MM)`.
    static func isDateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, isDate(bytes[0..<10]), [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[10]),
            digits(bytes[11..<13]), bytes[13] == UInt8(ascii: ":"), digits(bytes[14..<16]), bytes[16] == UInt8(ascii: ":"),
            digits(bytes[17..<19])
        else { return false }
        var index = 19
        if bytes[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < bytes.count, isASCIIDigit(bytes[index]) { index += 1 }
            guard index > start else { return false }
        }
        let zone = bytes[index...]
        if zone.count == 1 { return zone.first == UInt8(ascii: "Z") || zone.first == UInt8(ascii: "z") }
        guard zone.count == 6, zone.first == UInt8(ascii: "+") || zone.first == UInt8(ascii: "-") else { return false }
        let offset = zone.index(after: zone.startIndex)
        return digits(zone[offset..<offset + 2]) && zone[offset + 2] == UInt8(ascii: ":") && digits(zone[(offset + 3)...])
    }

    /// `YYYY-MM-DD`.
    static func isDate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let start = bytes.startIndex
        return bytes.count == 10 && digits(bytes[start..<start + 4]) && bytes[start + 4] == UInt8(ascii: "-")
            && digits(bytes[start + 5..<start + 7]) && bytes[start + 7] == UInt8(ascii: "-") && digits(bytes[(start + 8)...])
    }

    /// 32 hex digits in groups of 8-4-4-4-12, the dashes optional, any case.
    static func isUUID(_ text: String) -> Bool {
        var groups: [Int] = []
        var run = 0
        var dashes = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "-") {
                groups.append(run)
                run = 0
                dashes += 1
            } else if isHexDigit(byte) {
                run += 1
            } else {
                return false
            }
        }
        groups.append(run)
        if dashes == 0 { return run == 32 }
        // Optional dashes: the hex digits must split at the standard boundaries.
        var boundaries: [Int] = []
        var total = 0
        for group in groups.dropLast() {
            total += group
            boundaries.append(total)
        }
        total += groups.last ?? 0
        return total == 32 && boundaries.allSatisfy { [8, 12, 16, 20].contains($0) } && Set(boundaries).count == boundaries.count
    }

    /// RFC 1123 host names: dot-separated labels of letters, digits and inner dashes (1–63
    /// characters), at most 255 characters, an optional trailing dot.
    static func isHostname(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 255 else { return false }
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last!.isEmpty { labels.removeLast() }
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard (1...63).contains(bytes.count), isASCIIAlphanumeric(bytes.first!), isASCIIAlphanumeric(bytes.last!) else {
                return false
            }
            return bytes.allSatisfy { isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Bool { !bytes.isEmpty && bytes.allSatisfy(isASCIIDigit) }
    private static func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        isASCIIDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }
}

extension String {
    /// Splits on `separator`, keeping empty pieces (Foundation's `components(separatedBy:)`).
    func pieces(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
