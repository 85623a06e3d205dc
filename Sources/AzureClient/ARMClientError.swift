import KubeModel

/// A failed Azure Resource Manager call. An answer from ARM carries its status and, from the
/// error envelope `{"error":{"code","message"}}` (or the `x-ms-error-code` header), its code;
/// the Traffic Manager controllers classify by status only (traffic-manager spec §2.4). A call
/// that got no answer (connection refused or dropped, timeout) is `transport`, a class apart.
public enum ARMClientError: Error, Sendable, CustomStringConvertible {
    case response(status: Int, code: String, message: String, method: String, url: String, requestID: String)
    case transport(method: String, url: String, underlying: String)
    /// No token could be had for the call.
    case authentication(String)
    /// An answer that is not the JSON it should be.
    case malformed(method: String, url: String, reason: String)

    public var status: Int? {
        if case .response(let status, _, _, _, _, _) = self { return status }
        return nil
    }

    /// The `x-ms-client-request-id` the failed request carried (for Azure support).
    public var requestID: String? {
        if case .response(_, _, _, _, _, let requestID) = self { return requestID }
        return nil
    }

    public var code: String? {
        if case .response(_, let code, _, _, _, _) = self { return code }
        return nil
    }

    public var isNotFound: Bool { status == 404 }
    public var isForbidden: Bool { status == 403 }
    public var isConflict: Bool { status == 409 }
    public var isThrottled: Bool { status == 429 }
    /// 400–499: the request itself is wrong (or not allowed); 429 included, as the reference's check.
    public var isClientError: Bool { status.map { (400..<500).contains($0) } ?? false }

    public var description: String {
        switch self {
        case .response(let status, let code, let message, let method, let url, _):
            // The request id stays out of the text: conditions and events carry the text, and the
            // same failure must read the same every time (a new id in a condition's message would
            // rewrite the status at every retry, and the write would trigger the next retry).
            return "\(method) \(url): RESPONSE \(status), ERROR CODE \(code.isEmpty ? "unknown" : code): \(message)"
        case .transport(let method, let url, let underlying):
            return "\(method) \(url): no answer: \(underlying)"
        case .authentication(let reason):
            return "cannot authenticate to Azure: \(reason)"
        case .malformed(let method, let url, let reason):
            return "\(method) \(url): unexpected answer: \(reason)"
        }
    }

    /// The envelope's code and message, or the raw text.
    static func parse(_ body: [UInt8], headerCode: String?) -> (code: String, message: String) {
        let json = try? JSONValue(parsing: body)
        let error = json?.objectValue?["error"]
        if let object = error?.objectValue {
            return (object["code"]?.stringValue ?? headerCode ?? "", object["message"]?.stringValue ?? "")
        }
        // Azure AD answers {"error":"invalid_client","error_description":"…"}.
        if let code = error?.stringValue {
            return (code, json?.objectValue?["error_description"]?.stringValue ?? "")
        }
        return (headerCode ?? "", String(decoding: body.prefix(512), as: UTF8.self))
    }
}
