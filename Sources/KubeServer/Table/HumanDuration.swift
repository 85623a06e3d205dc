import Foundation
import KubeModel

// Ages as `kubectl get` shows them (`5m`, `3d4h`, `2y30d`), ported from the semantics of
// apimachinery `duration.HumanDuration` (RFC 3339 parsing is KubeModel's).
// Precision drops as durations grow so that a column stays short.

public enum HumanDuration {
    /// The short human form of `seconds`; `<invalid>` for more than a second in the future,
    /// `0s` for a second of clock skew.
    public static func format(seconds interval: Double) -> String {
        let seconds = Int(interval.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 * 2 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let remainder = seconds % 60
            return remainder == 0 ? "\(minutes)m" : "\(minutes)m\(remainder)s"
        }
        if minutes < 60 * 3 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let remainder = minutes % 60
            return remainder == 0 ? "\(hours)h" : "\(hours)h\(remainder)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let remainder = hours % 24
            return remainder == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(remainder)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`, as printers' `translateTimestampSince`:
    /// `<unknown>` when the timestamp is missing or unparsable.
    public static func age(ofTimestamp timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = RFC3339.parse(timestamp) else { return "<unknown>" }
        return format(seconds: now.timeIntervalSince(date))
    }
}
