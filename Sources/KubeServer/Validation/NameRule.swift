import KubeModel

// Which name syntax a kind's `metadata.name` must follow, as kube-apiserver's per-kind
// ValidateObjectMeta name functions choose it; the checks themselves are KubeModel's NameValidation.

/// How `metadata.name` of a kind is validated.
public enum NameRule: Sendable, Hashable {
    /// RFC 1123 subdomain, at most 253 characters (most kinds, and all custom resources).
    case dnsSubdomain
    /// RFC 1123 label, at most 63 characters (Namespace, Service).
    case dnsLabel
    /// Any string usable as a URL path segment (RBAC roles and bindings).
    case pathSegment

    /// Problems with `name`; `isPrefix` is true for `generateName`, where a trailing `-` is allowed.
    public func problems(with name: String, isPrefix: Bool = false) -> [String] {
        switch self {
        case .dnsSubdomain:
            return NameValidation.dns1123SubdomainProblems(isPrefix ? NameValidation.maskTrailingDash(name) : name)
        case .dnsLabel:
            return NameValidation.dns1123LabelProblems(isPrefix ? NameValidation.maskTrailingDash(name) : name)
        case .pathSegment:
            return NameValidation.pathSegmentProblems(name, isPrefix: isPrefix)
        }
    }
}

