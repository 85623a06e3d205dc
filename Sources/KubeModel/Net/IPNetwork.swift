// An IP network in CIDR notation (`10.1.0.0/16`, `fd00:1::/64`), as Kubernetes writes pod and
// service CIDRs, and whether an address lies in it. Addresses are compared by their bytes, so
// any textual form of an IPv6 address matches; an IPv4 address never matches an IPv6 network
// (nor an IPv4-mapped IPv6 address an IPv4 network), as Go's `net.IPNet.Contains` with
// `netip` semantics.

public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), host bits cleared.
    public let bytes: [UInt8]
    public let prefixLength: Int

    /// Parses `address/prefix`; nil for anything else (a missing or out-of-range prefix, a
    /// malformed address). Host bits set in the address are cleared, as `net.ParseCIDR` does.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy(\.isASCIIDigit), parts[1].count <= 3,
            let prefix = Int(parts[1]), let address = IPAddressBytes.parse(String(parts[0])),
            prefix <= address.count * 8
        else { return nil }
        bytes = Self.masked(address, prefix: prefix)
        prefixLength = prefix
    }

    /// Whether `address` (IPv4 or IPv6 text) lies in this network; false for malformed text.
    public func contains(_ address: String) -> Bool {
        guard let other = IPAddressBytes.parse(address), other.count == bytes.count else { return false }
        return Self.masked(other, prefix: prefixLength) == bytes
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
        // RFC 5952: lower-case hex, the longest run of two or more zero groups (the first of
        // equals) written as "::".
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 1)
        var index = 0
        while index < groups.count {
            var end = index
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - index > best.length { best = (index, end - index) }
            index = max(end, index + 1)
        }
        let text = groups.map { String($0, radix: 16) }
        let address =
            best.start < 0
            ? text.joined(separator: ":")
            : text[..<best.start].joined(separator: ":") + "::" + text[(best.start + best.length)...].joined(separator: ":")
        return address + "/\(prefixLength)"
    }

    /// Parses a comma-separated list (spaces allowed around items, empty items ignored); the
    /// items that do not parse come back in `invalid`.
    public static func parseList(_ text: String) -> (networks: [IPNetwork], invalid: [String]) {
        var networks: [IPNetwork] = []
        var invalid: [String] = []
        for item in text.split(separator: ",") {
            let trimmed = item.trimmingASCIISpaces()
            guard !trimmed.isEmpty else { continue }
            if let network = IPNetwork(trimmed) { networks.append(network) } else { invalid.append(trimmed) }
        }
        return (networks, invalid)
    }

    private static func masked(_ address: [UInt8], prefix: Int) -> [UInt8] {
        address.enumerated().map { index, byte in
            let bitsKept = min(8, max(0, prefix - index * 8))
            return bitsKept == 8 ? byte : byte & ~(UInt8.max >> bitsKept)
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
