// A small, fast, seedable random number generator (SplitMix64, Steele/Lea/Flood 2014), so that
// randomized tests are reproducible from their seed. Shared by the fuzz tests of the API server and
// of the DNS server.

/// SplitMix64: reproducible from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    /// An independent generator for item `stream` of a run seeded with `seed` (so item `i` of
    /// seed `s` is the same whatever ran before it).
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
