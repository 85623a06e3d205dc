import Synchronization

// Regular expressions from schemas (`pattern`) and CEL (`matches`), compiled once per pattern
// text. Compiling is far more expensive than matching, and the same few patterns are checked on
// every write of a kind.

enum CompiledPatterns {
    /// A compiled pattern shared between requests. Regex is not declared Sendable because its
    /// output type may not be; an `AnyRegexOutput` regex is immutable once built, and its lazily
    /// lowered program is published atomically by the standard library, so concurrent matching is
    /// safe.
    struct Shared: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>?
    }

    private static let cache = Mutex<[String: Shared]>([:])

    /// A bound on distinct patterns kept; past it the cache starts over (patterns come from CRDs
    /// and CEL rules, so real servers stay far below it).
    static let capacity = 1_024

    /// The compiled `pattern`, or nil when it is not a valid regular expression.
    static func regex(_ pattern: String) -> Regex<AnyRegexOutput>? {
        if let cached = cache.withLock({ $0[pattern] }) { return cached.regex }
        let compiled = Shared(regex: try? Regex(pattern))
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[pattern] = compiled
        }
        return compiled.regex
    }
}
