import KubeModel

// Kubernetes' ordering of API version strings (apimachinery `version.CompareKubeAwareVersionStrings`):
// GA before beta before alpha, higher major first, then higher minor, and versions that do not look
// like Kubernetes versions last, in lexical order. The first served version in this order is a
// group's preferred version.

/// The priority of an API version string such as `v1`, `v2beta1`, `v1alpha3` or `foo`.
public enum KubeVersionPriority {
    /// Whether `lhs` has strictly higher priority than `rhs`.
    /// Expected order: `v10, v2, v1, v11beta2, v10beta3, v3beta1, v12alpha1, v11alpha2, foo1, foo10`.
    public static func isHigher(_ lhs: String, than rhs: String) -> Bool {
        switch (KubeVersion(lhs), KubeVersion(rhs)) {
        case (let left?, let right?):
            if left.stability != right.stability { return left.stability > right.stability }
            if left.major != right.major { return left.major > right.major }
            return left.minor > right.minor
        case (.some, .none): return true
        case (.none, .some): return false
        case (.none, .none): return lhs < rhs
        }
    }

    /// `versions` from highest to lowest priority.
    public static func sorted(_ versions: [String]) -> [String] {
        versions.sorted(by: isHigher)
    }

    /// The highest-priority version of `versions`, or `nil` for an empty list.
    public static func preferred(of versions: [String]) -> String? {
        versions.min(by: isHigher)
    }
}

private struct KubeVersion {
    enum Stability: Int, Comparable {
        case alpha, beta, generallyAvailable
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    var stability: Stability
    var major: Int
    var minor: Int

    /// Parses `v<major>` or `v<major>(alpha|beta)<minor>` with positive numbers without leading zeros.
    init?(_ text: String) {
        guard text.first == "v" else { return nil }
        let rest = text.dropFirst()
        let majorDigits = rest.prefix(while: \.isASCIIDigit)
        guard let major = Self.number(majorDigits) else { return nil }
        let suffix = rest.dropFirst(majorDigits.count)
        self.major = major
        if suffix.isEmpty {
            stability = .generallyAvailable
            minor = 0
            return
        }
        let label: Substring
        if suffix.hasPrefix("alpha") {
            stability = .alpha
            label = suffix.dropFirst(5)
        } else if suffix.hasPrefix("beta") {
            stability = .beta
            label = suffix.dropFirst(4)
        } else {
            return nil
        }
        guard label.allSatisfy(\.isASCIIDigit), let minor = Self.number(label) else { return nil }
        self.minor = minor
    }

    private static func number(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.first != "0", digits.allSatisfy(\.isASCIIDigit) else { return nil }
        return Int(digits)
    }
}

