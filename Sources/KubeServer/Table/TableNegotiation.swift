import Foundation

// Whether a GET/LIST should be answered as a Table. kubectl asks with
// `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`;
// the first acceptable range in preference order wins, as in kube-apiserver's negotiation.

public enum ResponseRepresentation: Sendable, Equatable {
    /// A `meta.k8s.io` Table in `version` (`v1` or `v1beta1`).
    case table(version: String)
    /// The object or list itself.
    case object

    /// `Content-Type` of the response body.
    public var contentType: String {
        switch self {
        case .table(let version): return "application/json;as=Table;v=\(version);g=meta.k8s.io"
        case .object: return "application/json"
        }
    }

    /// Chooses the representation for an `Accept` header; no header means the object itself.
    /// Kind-qualified ranges other than Table (e.g. `as=PartialObjectMetadataList`) and
    /// non-JSON types are skipped; `nil` means nothing acceptable (406).
    public static func negotiate(acceptHeader: String?) -> ResponseRepresentation? {
        guard let acceptHeader, !acceptHeader.trimmingCharacters(in: .whitespaces).isEmpty else { return .object }
        for range in MediaRange.parseAcceptHeader(acceptHeader) where range.acceptsJSON {
            guard range.isKindQualified else { return .object }
            if range.subtype == "json", range.parameters["as"] == "Table", range.parameters["g"] == "meta.k8s.io",
                let version = range.parameters["v"], version == "v1" || version == "v1beta1"
            {
                return .table(version: version)
            }
        }
        return nil
    }
}
