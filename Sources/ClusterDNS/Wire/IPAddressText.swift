/// IPv4 and IPv6 addresses between their text forms and their 4 or 16 network-order bytes, as A
/// and AAAA record data needs them.
///
/// Reading is strict: IPv4 is exactly four decimal parts of 0–255 without leading zeros (so no
/// octal or shortened forms); IPv6 is RFC 4291 §2.2 text (hex groups of 1–4 digits, at most one
/// `::`, an optional dotted IPv4 tail), without zone (`%eth0`) or prefix length. Writing IPv6
/// gives RFC 5952's canonical text: lower case, no leading zeros, the longest run of two or more
/// zero groups (the first of equal runs) as `::`, and IPv4-mapped addresses as `::ffff:a.b.c.d`.
public enum IPAddressText {
    /// The 4 bytes of a dotted IPv4 address, or nil when `text` is not one.
    public static func ipv4Bytes(_ text: String) -> [UInt8]? {
        ipv4Bytes(Substring(text))
    }

    /// The 16 bytes of an IPv6 address, or nil when `text` is not one.
    public static func ipv6Bytes(_ text: String) -> [UInt8]? {
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return nil }
        guard let head = groups(halves[0], mayEndInIPv4: halves.count == 1) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = groups(halves[1], mayEndInIPv4: true), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Dotted text for 4 bytes; nil for any other count.
    public static func ipv4Text(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 4 else { return nil }
        return bytes.map(String.init).joined(separator: ".")
    }

    /// RFC 5952 canonical text for 16 bytes; nil for any other count.
    public static func ipv6Text(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16 else { return nil }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return "::ffff:" + (ipv4Text(Array(bytes[12..<16])) ?? "")
        }
        let groups = (0..<8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        // The longest run of zero groups, if at least two long.
        var best: Range<Int>?
        var start: Int?
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if start == nil { start = index }
            } else if let runStart = start {
                if index - runStart >= 2, index - runStart > (best?.count ?? 0) { best = runStart..<index }
                start = nil
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard let best else { return hex.joined(separator: ":") }
        return hex[..<best.lowerBound].joined(separator: ":") + "::" + hex[best.upperBound...].joined(separator: ":")
    }

    /// The canonical text of an IPv6 address given in any valid form, or nil.
    public static func canonicalIPv6(_ text: String) -> String? {
        ipv6Bytes(text).flatMap(ipv6Text)
    }

    private static func ipv4Bytes(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.utf8.count), part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                part.utf8.count == 1 || part.utf8.first != UInt8(ascii: "0"),
                let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// The bytes of colon-separated hex groups (an empty string is no groups); the last part may
    /// be dotted IPv4 when `mayEndInIPv4`.
    private static func groups(_ text: Substring, mayEndInIPv4: Bool) -> [UInt8]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, mayEndInIPv4, part.contains(".") {
                guard let ipv4 = ipv4Bytes(part) else { return nil }
                bytes += ipv4
                continue
            }
            guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit), let value = UInt16(part, radix: 16) else {
                return nil
            }
            bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        return bytes.count <= 16 ? bytes : nil
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte)
    }
}
