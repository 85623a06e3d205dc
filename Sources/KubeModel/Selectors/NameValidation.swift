// Name and key syntax checks with apimachinery's exact messages (k8s.io/apimachinery/pkg/util/
// validation and pkg/api/validation/path). Each check returns the list of problems as plain
// messages; callers wrap them into `Invalid value` field errors at the right path. Used by
// label selectors here and by the API server's object validation.

public enum NameValidation {
    public static let dns1123LabelMaxLength = 63
    public static let dns1123SubdomainMaxLength = 253
    public static let qualifiedNameMaxLength = 63
    public static let labelValueMaxLength = 63

    public static let dns1123LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    public static let dns1123SubdomainFormat = dns1123LabelFormat + "(\\." + dns1123LabelFormat + ")*"
    public static let qualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
    public static let labelValueFormat = "(" + qualifiedNameFormat + ")?"

    public static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
    public static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    public static let qualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
    public static let labelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

    /// apimachinery's `RegexError`: the message, examples and the regular expression.
    public static func regexError(_ message: String, _ format: String, examples: [String]) -> String {
        guard !examples.isEmpty else { return "\(message) (regex used for validation is '\(format)')" }
        var text = message + " (e.g. "
        for (index, example) in examples.enumerated() {
            if index > 0 { text += " or " }
            text += "'\(example)', "
        }
        return text + "regex used for validation is '\(format)')"
    }

    public static func maxLengthError(_ length: Int) -> String { "must be no more than \(length) characters" }
    public static let emptyError = "must be non-empty"

    /// `IsDNS1123Label`.
    public static func dns1123LabelProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123LabelMaxLength { problems.append(maxLengthError(dns1123LabelMaxLength)) }
        if !isDNS1123Label(value) {
            problems.append(regexError(dns1123LabelMessage, dns1123LabelFormat, examples: ["my-name", "123-abc"]))
        }
        return problems
    }

    /// `IsDNS1123Subdomain`.
    public static func dns1123SubdomainProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > dns1123SubdomainMaxLength { problems.append(maxLengthError(dns1123SubdomainMaxLength)) }
        let labels = value.split(separator: ".", omittingEmptySubsequences: false)
        if !labels.allSatisfy({ isDNS1123Label(String($0)) }) {
            problems.append(regexError(dns1123SubdomainMessage, dns1123SubdomainFormat, examples: ["example.com"]))
        }
        return problems
    }

    /// `IsValidPathSegmentName` (and its prefix variant for `generateName`).
    public static func pathSegmentProblems(_ value: String, isPrefix: Bool = false) -> [String] {
        if !isPrefix {
            for illegal in [".", ".."] where value == illegal { return ["may not be '\(illegal)'"] }
        }
        return ["/", "%"].filter { value.contains($0) }.map { "may not contain '\($0)'" }
    }

    /// `IsQualifiedName`: label keys, annotation keys (lower-cased first) and finalizer names.
    public static func qualifiedNameProblems(_ value: String) -> [String] {
        var problems: [String] = []
        let parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let name: String
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            let prefix = parts[0]
            name = parts[1]
            if prefix.isEmpty {
                problems.append("prefix part " + emptyError)
            } else {
                problems += dns1123SubdomainProblems(prefix).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"])
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            problems.append("name part " + emptyError)
        } else if name.utf8.count > qualifiedNameMaxLength {
            problems.append("name part " + maxLengthError(qualifiedNameMaxLength))
        }
        if !isQualifiedNamePart(name) {
            problems.append("name part " + regexError(qualifiedNameMessage, qualifiedNameFormat, examples: ["MyName", "my.name", "123-abc"]))
        }
        return problems
    }

    /// `IsValidLabelValue`.
    public static func labelValueProblems(_ value: String) -> [String] {
        var problems: [String] = []
        if value.utf8.count > labelValueMaxLength { problems.append(maxLengthError(labelValueMaxLength)) }
        if !value.isEmpty && !isQualifiedNamePart(value) {
            problems.append(regexError(labelValueMessage, labelValueFormat, examples: ["MyValue", "my_value", "12345"]))
        }
        return problems
    }

    /// generateName may end in `-`; apimachinery masks it before checking.
    public static func maskTrailingDash(_ name: String) -> String {
        guard name.count > 1, name.hasSuffix("-") else { return name }
        return String(name.dropLast()) + "a"
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (byte >= 0x41 && byte <= 0x5A)
    }

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
    public static func isDNS1123Label(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
    public static func isQualifiedNamePart(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }
}
