import Foundation

// The network-order bytes of an IP address, as an X.509 `iPAddress` SAN carries them (4 bytes for
// IPv4, 16 for IPv6). Written by hand so that SAN issuing does not depend on the platform's
// `inet_pton`. Also what `IPNetwork` (CIDR) matching reads.

public enum IPAddressBytes {
    /// Parses a dotted-quad IPv4 address or an RFC 4291 IPv6 address (with `::` compression and an
    /// optional embedded IPv4 tail); `nil` when `text` is neither.
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(Substring(text))
    }

    public static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            // Leading zeros are rejected, as Go's net.ParseIP does, because they are ambiguous (octal).
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                part == "0" || !part.hasPrefix("0"), let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    public static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        guard let head = parseGroups(halves[0]) else { return nil }
        if halves.count == 1 {
            return head.count == 16 ? head : nil
        }
        guard let tail = parseGroups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }

    /// Colon-separated hex groups; the last one may be a dotted IPv4 address.
    private static func parseGroups(_ text: String) -> [UInt8]? {
        if text.isEmpty { return [] }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for (index, group) in groups.enumerated() {
            if index == groups.count - 1, group.contains(".") {
                guard let ipv4 = parseIPv4(group) else { return nil }
                bytes += ipv4
                continue
            }
            guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
            bytes += [UInt8(value >> 8), UInt8(value & 0xff)]
        }
        return bytes.count <= 16 ? bytes : nil
    }
}

extension Character {
    /// 0–9 only (Character.isNumber also accepts other scripts' digits).
    public var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
