import ArgumentParser
import Foundation

// The reference binaries parse flags with Go's `flag`/pflag: `-name` and `--name` are the same,
// boolean flags take `--name`, `--name=true|false|1|0|t|f…`, and durations are Go durations
// (`2s`, `15m`, `2m0s`). These helpers give the Swift binaries the same command-line syntax on top
// of ArgumentParser.

public enum GoFlagSyntax {
    /// Rewrites `arguments` so ArgumentParser accepts Go's syntax: a single leading dash becomes
    /// two, and a boolean flag given without a value (`--leader-elect`) gets `=true`.
    public static func normalize(_ arguments: [String], booleanFlags: Set<String>) -> [String] {
        var result: [String] = []
        var passThrough = false
        for argument in arguments {
            if passThrough || argument == "--" {
                passThrough = true
                result.append(argument)
                continue
            }
            var flag = argument
            if flag.hasPrefix("-"), !flag.hasPrefix("--"), flag.count > 2 || (flag.count == 2 && flag != "-h") {
                flag = "-" + flag
            }
            if flag.hasPrefix("--"), !flag.contains("=") {
                let name = String(flag.dropFirst(2))
                if booleanFlags.contains(name) { flag += "=true" }
            }
            result.append(flag)
        }
        return result
    }

    /// Go's `strconv.ParseBool`.
    public static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": true
        case "0", "f", "F", "FALSE", "false", "False": false
        default: nil
        }
    }

    /// Go's `time.ParseDuration` (units ns, us, µs, ms, s, m, h; sign; fractions), nil if invalid.
    public static func parseDuration(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .zero }
        guard !rest.isEmpty else { return nil }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            rest = rest.dropFirst(unit.count)
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs", "μs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return nil
            }
            total += value * scale
        }
        let nanoseconds = Int64((total * 1e9).rounded())
        return .nanoseconds(negative ? -nanoseconds : nanoseconds)
    }

    /// Formats a duration as Go prints it (`2s`, `15m0s`, `1h0m0s`, `500ms`).
    public static func formatDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds == 0, attoseconds == 0 { return "0s" }
        if seconds == 0 {
            let nanoseconds = attoseconds / 1_000_000_000
            if nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
            if nanoseconds % 1_000 == 0 { return "\(nanoseconds / 1_000)µs" }
            return "\(nanoseconds)ns"
        }
        let fraction = attoseconds == 0 ? "" : String(String(format: "%.9f", Double(attoseconds) / 1e18).dropFirst(1)).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
        let hours = seconds / 3600
        let minutes = (seconds % 3600) / 60
        let secs = seconds % 60
        if hours > 0 { return "\(hours)h\(minutes)m\(secs)\(fraction)s" }
        if minutes > 0 { return "\(minutes)m\(secs)\(fraction)s" }
        return "\(secs)\(fraction)s"
    }
}

/// A Go-style boolean flag value.
public struct GoBool: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    public var value: Bool

    public init(_ value: Bool) { self.value = value }

    public init?(argument: String) {
        guard let value = GoFlagSyntax.parseBool(argument) else { return nil }
        self.value = value
    }

    public var description: String { value ? "true" : "false" }
    public var defaultValueDescription: String { description }
}

/// A Go-style duration flag value.
public struct GoDuration: ExpressibleByArgument, Sendable, Hashable, CustomStringConvertible {
    public var value: Duration

    public init(_ value: Duration) { self.value = value }

    public init?(argument: String) {
        guard let value = GoFlagSyntax.parseDuration(argument), value >= .zero else { return nil }
        self.value = value
    }

    public var description: String { GoFlagSyntax.formatDuration(value) }
    public var defaultValueDescription: String { description }
}

/// A listen address as controller-runtime takes it: `:8080` (all interfaces), `host:port`,
/// `[::1]:8080`, or `0` to disable the endpoint.
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// `0`: the endpoint is not served.
    public var isDisabled: Bool

    public static let disabled = BindAddress(host: "", port: 0, isDisabled: true)

    public init(host: String, port: Int, isDisabled: Bool = false) {
        self.host = host
        self.port = port
        self.isDisabled = isDisabled
    }

    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Parses `text`, naming `flag` in the error.
    public static func parse(_ text: String, flag: String) throws(Invalid) -> BindAddress {
        if text == "0" { return .disabled }
        guard let colon = text.lastIndex(of: ":") else {
            throw Invalid(description: "invalid value \"\(text)\" for flag --\(flag): expected host:port, :port or 0")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw Invalid(description: "invalid value \"\(text)\" for flag --\(flag): invalid port")
        }
        return BindAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    public var description: String { isDisabled ? "0" : "\(host):\(port)" }
}
