import KubeModel

// The one error type of the client layer. An API error keeps the server's `Status` as sent, so
// callers can branch on its reason with the same predicates client-go offers
// (`apierrors.IsNotFound`, …); the other kinds name the step that failed and what it concerned.

/// An error from KubeClient: a `Status` answered by the API server, a transport failure, an
/// undecodable response, a bad configuration, or a failed credential plugin.
public struct KubeClientError: Error, Sendable, CustomStringConvertible {
    /// Which step failed.
    public enum Kind: Sendable, Hashable {
        /// The server answered with a non-success code; `status` holds its `Status`.
        case status
        /// The request did not get an answer (connect, TLS, reset, timeout).
        case transport
        /// The answer could not be decoded as the expected kind.
        case decoding
        /// A kubeconfig or in-cluster setting is missing or malformed.
        case configuration
        /// Credentials could not be obtained (token file, exec plugin).
        case credentials
    }

    public var kind: Kind
    /// The server's `Status` for `.status` errors (synthesised from the code when the body was
    /// not a Status, as client-go does).
    public var status: Status?
    /// `METHOD URL` of the request concerned, when there was one.
    public var request: String?
    /// What went wrong, in words.
    public var message: String
    /// The error that caused this one, if any.
    public var underlying: (any Error)?
    /// For transport errors: the period in which the server did not answer that this failure
    /// opened or fell into. Waiting for its end (`ServerOutage.ended()`) is how to retry as soon
    /// as the server is back.
    public var outage: ServerOutage?

    public init(kind: Kind, message: String, status: Status? = nil, request: String? = nil, underlying: (any Error)? = nil) {
        self.kind = kind
        self.message = message
        self.status = status
        self.request = request
        self.underlying = underlying
    }

    /// An API error from a `Status` (e.g. a watch's ERROR event).
    public init(status: Status, request: String? = nil) {
        self.init(kind: .status, message: status.message ?? status.reason ?? "unknown error", status: status, request: request)
    }

    /// Sleeps `delay`, or less when this error came from an outage that ends first (returning at
    /// once when it already has: the server answered since the failure).
    public func waitForRetry(_ delay: Duration) async throws {
        guard let outage else {
            try await Task.sleep(for: delay)
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: delay) }
            group.addTask { await outage.ended() }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    static func configuration(_ message: String) -> KubeClientError {
        KubeClientError(kind: .configuration, message: message)
    }

    public var description: String {
        switch kind {
        case .status, .configuration, .credentials:
            return message
        case .transport, .decoding:
            let prefix = request.map { "\($0): " } ?? ""
            let cause = underlying.map { ": \($0)" } ?? ""
            return prefix + message + cause
        }
    }

    /// HTTP status code of an API error.
    public var code: Int? { status?.code.map(Int.init) }
    /// `Status.reason` of an API error, or the reason client-go derives from the code.
    public var reason: String? {
        guard let status else { return nil }
        if let reason = status.reason, !reason.isEmpty { return reason }
        return status.code.flatMap { Self.reason(forCode: Int($0)) }
    }

    private func hasReason(_ reason: String, orCode code: Int) -> Bool {
        guard kind == .status else { return false }
        if self.reason == reason { return true }
        // client-go falls back to the code only when the reason is not a known one.
        let declared = status?.reason ?? ""
        return (declared.isEmpty || !Self.knownReasons.contains(declared)) && self.code == code
    }

    public var isNotFound: Bool { hasReason("NotFound", orCode: 404) }
    /// `reason: AlreadyExists` only; a bare 409 means a conflict, as in client-go.
    public var isAlreadyExists: Bool { kind == .status && status?.reason == "AlreadyExists" }
    public var isConflict: Bool { hasReason("Conflict", orCode: 409) }
    public var isInvalid: Bool { hasReason("Invalid", orCode: 422) }
    public var isForbidden: Bool { hasReason("Forbidden", orCode: 403) }
    public var isUnauthorized: Bool { hasReason("Unauthorized", orCode: 401) }
    public var isTooManyRequests: Bool { hasReason("TooManyRequests", orCode: 429) }
    public var isBadRequest: Bool { hasReason("BadRequest", orCode: 400) }
    public var isMethodNotSupported: Bool { hasReason("MethodNotAllowed", orCode: 405) }
    public var isUnsupportedMediaType: Bool { hasReason("UnsupportedMediaType", orCode: 415) }
    public var isInternalError: Bool { hasReason("InternalError", orCode: 500) }
    public var isServiceUnavailable: Bool { hasReason("ServiceUnavailable", orCode: 503) }
    public var isTimeout: Bool { hasReason("Timeout", orCode: 504) }
    /// 410 Gone (`reason: Gone`), as for a watch whose resource version was compacted.
    public var isGone: Bool { hasReason("Gone", orCode: 410) || isExpired }
    /// 410 with `reason: Expired` (client-go `IsResourceExpired`), what kube-apiserver sends for a too
    /// old resource version or continue token. Any 410 counts, so relisting is always the answer.
    public var isExpired: Bool { kind == .status && (reason == "Expired" || reason == "Gone" || code == 410) }
    /// Seconds the server asked to wait (`Retry-After` or `details.retryAfterSeconds`).
    public var retryAfterSeconds: Int? { status?.details?.retryAfterSeconds.map(Int.init) }

    private static let knownReasons: Set<String> = [
        "NotFound", "AlreadyExists", "Conflict", "Invalid", "Forbidden", "Unauthorized", "TooManyRequests",
        "BadRequest", "MethodNotAllowed", "UnsupportedMediaType", "InternalError", "ServiceUnavailable",
        "Timeout", "Gone", "Expired", "NotAcceptable", "RequestEntityTooLarge", "ServerTimeout",
    ]

    /// The reason client-go assigns to a bare HTTP code (`NewGenericServerResponse`).
    static func reason(forCode code: Int) -> String? {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return nil
        }
    }
}
