import Foundation

// Parsing of HTTP `Accept` headers as Kubernetes clients send them, e.g.
// `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json` or
// `application/json;as=Table;v=v1;g=meta.k8s.io,application/json`. The server only speaks JSON,
// so protobuf and other media types are skipped, as a real server skips types it cannot produce.

/// One media range of an `Accept` header with its parameters (lower-cased names, raw values).
public struct MediaRange: Sendable, Equatable {
    public var type: String
    public var subtype: String
    public var parameters: [String: String]
    /// The `q` parameter, 1 when absent.
    public var quality: Double

    /// Parses a comma-separated `Accept` header into media ranges ordered by preference:
    /// higher `q` first, header order among equal `q`. Malformed entries are dropped.
    public static func parseAcceptHeader(_ header: String) -> [MediaRange] {
        let ranges = header.split(separator: ",").compactMap { MediaRange(String($0)) }
        return ranges.enumerated()
            .sorted { $0.element.quality != $1.element.quality ? $0.element.quality > $1.element.quality : $0.offset < $1.offset }
            .map(\.element)
    }

    init?(_ text: String) {
        let pieces = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let mediaType = pieces.first else { return nil }
        let typeParts = mediaType.lowercased().split(separator: "/", omittingEmptySubsequences: false)
        guard typeParts.count == 2, !typeParts[0].isEmpty, !typeParts[1].isEmpty else { return nil }
        type = String(typeParts[0])
        subtype = String(typeParts[1])
        parameters = [:]
        quality = 1
        for piece in pieces.dropFirst() {
            guard let equals = piece.firstIndex(of: "=") else { continue }
            let name = piece[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = piece[piece.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            if name == "q" {
                quality = Double(value) ?? 1
            } else {
                parameters[name] = value
            }
        }
        guard quality > 0 else { return nil }
    }

    /// Whether this range accepts plain `application/json` (`application/json`, `application/*`, `*/*`).
    var acceptsJSON: Bool {
        (type == "application" || type == "*") && (subtype == "json" || subtype == "*")
    }

    /// Whether this range names a specific Kubernetes kind via `as=` (with `g=` and `v=`).
    var isKindQualified: Bool { parameters["as"] != nil }
}

/// Which discovery document a `GET /api` or `GET /apis` request should receive.
public enum AggregatedDiscoveryVersion: String, Sendable {
    case v2
    case v2beta1
}

public enum DiscoveryFormat: Sendable, Equatable {
    /// `APIGroupDiscoveryList` in the given apidiscovery.k8s.io version.
    case aggregated(AggregatedDiscoveryVersion)
    /// `APIVersions` (`/api`) or `APIGroupList` (`/apis`).
    case legacy

    /// The `Content-Type` to answer with. Responses should also carry `Vary: Accept`, because
    /// the body depends on the header.
    public var contentType: String {
        switch self {
        case .aggregated(let version):
            return "application/json;g=apidiscovery.k8s.io;v=\(version.rawValue);as=APIGroupDiscoveryList"
        case .legacy:
            return "application/json"
        }
    }

    /// Chooses the format for an `Accept` header; `nil` header (or one naming nothing we serve
    /// as aggregated) gives legacy discovery, which is what old clients expect. Returns `nil`
    /// when the header accepts nothing the server can produce (406 Not Acceptable).
    public static func negotiate(acceptHeader: String?) -> DiscoveryFormat? {
        guard let acceptHeader, !acceptHeader.trimmingCharacters(in: .whitespaces).isEmpty else { return .legacy }
        for range in MediaRange.parseAcceptHeader(acceptHeader) where range.acceptsJSON {
            if range.isKindQualified {
                guard range.subtype == "json", range.parameters["as"] == "APIGroupDiscoveryList",
                    range.parameters["g"] == "apidiscovery.k8s.io",
                    let version = range.parameters["v"].flatMap(AggregatedDiscoveryVersion.init(rawValue:))
                else { continue }
                return .aggregated(version)
            }
            return .legacy
        }
        return nil
    }
}
