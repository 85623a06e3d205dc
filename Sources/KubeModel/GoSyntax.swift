// Renderings in Go's syntax, because Kubernetes error messages embed values the way Go's
// fmt prints them and clients (and users' scripts) match on those messages.

public enum GoSyntax {
    /// A string as Go's `strconv.Quote` (`%q`) prints it, for the characters that occur in
    /// Kubernetes names and values: quotes, backslashes and control characters are escaped.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
