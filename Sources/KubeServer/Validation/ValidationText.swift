import KubeModel

// Small text renderings the apiserver's messages embed: compact JSON (enum values that are not
// strings are listed as their JSON encoding) and Go's `%q` quoting.

enum ValidationText {
    /// Compact JSON with sorted keys, as Go's encoding/json prints maps.
    static func encode(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return GoNumberFormat.float(number)
        case .string(let text): return GoSyntax.quoted(text)
        case .array(let elements): return "[" + elements.map(encode).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\(GoSyntax.quoted($0)):\(encode(members[$0]!))" }.joined(separator: ",") + "}"
        }
    }

}

/// The OpenAPI string formats the apiserver checks (a subset of kube-openapi's strfmt registry);
/// unknown formats are accepted, as they are by the real server.
enum OpenAPIStringFormat {
    static func isValid(_ text: String, format: String) -> Bool {
        switch format {
        case "date-time", "datetime": return matches(text, #"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#)
        case "date": return matches(text, #"^\d{4}-\d{2}-\d{2}$"#)
        case "uuid": return matches(text, #"^(?i)[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"#)
        case "ipv4": return isIPv4(text)
        case "ipv6": return isIPv6(text)
        case "cidr":
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let bits = Int(parts[1]) else { return false }
            if isIPv4(String(parts[0])) { return (0...32).contains(bits) }
            return isIPv6(String(parts[0])) && (0...128).contains(bits)
        case "hostname":
            return text.count <= 255 && matches(text, #"^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$"#)
        case "email": return matches(text, #"^[^@\s]+@[^@\s]+$"#)
        case "byte": return text.count % 4 == 0 && matches(text, #"^[A-Za-z0-9+/]*={0,2}$"#)
        default: return true
        }
    }

    static func isIPv4(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && Int(octet)! <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.contains(":"), text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
        let halves = text.pieces(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        var groups = 0
        for half in halves where !half.isEmpty {
            for group in half.split(separator: ":", omittingEmptySubsequences: false) {
                if group.contains(".") {
                    guard isIPv4(String(group)) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(group.count) else { return false }
                    groups += 1
                }
            }
        }
        return halves.count == 2 ? groups < 8 : groups == 8
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return text.wholeMatch(of: regex) != nil
    }
}

extension String {
    /// Splits on `separator`, keeping empty pieces (Foundation's `components(separatedBy:)`).
    func pieces(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
