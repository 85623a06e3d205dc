import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

// Small pieces of HTTP plumbing: query parsing, JSON responses, and the context each request
// carries (its channel, for the client certificate).

public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Request bodies are limited by the server itself (with a Kubernetes-style error).
    public var maxUploadSize: Int { .max }
}

enum HTTPSupport {
    /// Decodes `a=b&c=d` with percent-escapes and `+` as space; the last value of a repeated key wins.
    static func parseQuery(_ query: String?) -> [String: String] {
        guard let query, !query.isEmpty else { return [:] }
        var result: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(String(parts[0]))
            let value = parts.count > 1 ? decode(String(parts[1])) : ""
            result[key] = value
        }
        return result
    }

    private static func decode(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static func jsonResponse(
        _ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json",
        warnings: [String] = [], varyByAccept: Bool = false
    ) -> Response {
        var bytes = value.serialized()
        bytes.append(UInt8(ascii: "\n"))
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-cache, private"
        if varyByAccept { headers[.vary] = "Accept" }
        for warning in warnings {
            headers.append(HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(escapeWarning(warning))\""))
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errorResponse(_ error: APIError) -> Response {
        jsonResponse(error.status, status: HTTPResponse.Status(code: error.code))
    }

    static func textResponse(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    private static func escapeWarning(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
