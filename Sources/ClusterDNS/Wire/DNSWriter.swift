/// Writing a DNS message into bytes, with name compression (RFC 1035 §4.1.4).
///
/// Every name suffix written at an offset a pointer can reach (below 0x4000) is remembered; a
/// later name that ends in the same labels (byte for byte: case is kept, so compression never
/// changes what a name reads as) points there instead of repeating them. Callers pass labels
/// that `DNSName.labels(of:)` produced, so lengths are already checked.
struct DNSWriter {
    private(set) var bytes: [UInt8] = []
    /// The offset of each name suffix written so far, keyed by its uncompressed wire form.
    private var suffixOffsets: [[UInt8]: Int] = [:]

    init() {
        bytes.reserveCapacity(512)
    }

    var count: Int { bytes.count }

    mutating func write(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func write(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xFF))
    }

    mutating func write(_ value: UInt32) {
        write(UInt16(value >> 16))
        write(UInt16(value & 0xFFFF))
    }

    mutating func write(bytes more: [UInt8]) {
        bytes.append(contentsOf: more)
    }

    /// Overwrites two bytes written earlier (a count or an RDLENGTH).
    mutating func set(_ value: UInt16, at offset: Int) {
        bytes[offset] = UInt8(value >> 8)
        bytes[offset + 1] = UInt8(value & 0xFF)
    }

    /// Drops everything from `count` on. Suffixes remembered there stay remembered, so only names
    /// that cannot use them (the root) may be written afterwards.
    mutating func truncate(to count: Int) {
        bytes.removeSubrange(count...)
    }

    /// Writes a name; with `compressed`, a suffix written before is replaced by a pointer to it.
    /// Names written uncompressed are still remembered for later names to point to (RFC 2782
    /// forbids compressing an SRV target, not pointing at one).
    mutating func writeName(_ labels: [[UInt8]], compressed: Bool) {
        var suffixKeys: [[UInt8]] = []
        var key: [UInt8] = []
        for label in labels.reversed() {
            key = [UInt8(label.count)] + label + key
            suffixKeys.append(key)
        }
        suffixKeys.reverse()
        for (index, label) in labels.enumerated() {
            if compressed, let target = suffixOffsets[suffixKeys[index]] {
                write(UInt16(0xC000) | UInt16(target))
                return
            }
            if bytes.count < 0x4000, suffixOffsets[suffixKeys[index]] == nil {
                suffixOffsets[suffixKeys[index]] = bytes.count
            }
            write(UInt8(label.count))
            write(bytes: label)
        }
        write(UInt8(0))
    }
}
