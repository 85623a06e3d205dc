// Base32 with the "extended hex" alphabet, for names other implementations derive from a digest.

/// RFC 4648 base32 with the "extended hex" alphabet, lower-case, no padding (Go's
/// `base32.HexEncoding.WithPadding(base32.NoPadding)` followed by `strings.ToLower`).
enum Base32Hex {
    private static let alphabet = Array("0123456789abcdefghijklmnopqrstuv")

    static func encode(_ bytes: [UInt8]) -> String {
        var result = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                result.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 0x1f)])
                bits -= 5
            }
        }
        if bits > 0 { result.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1f)]) }
        return result
    }
}
