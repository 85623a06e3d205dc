import Foundation

// A request to the API server as a value: built by the resource APIs (or by hand for odd
// endpoints), sent by KubeClient. Building never does I/O, so URL and header construction test
// without a server.

/// One HTTP request to the API server, relative to its base URL.
public struct KubeRequest: Sendable, Hashable {
    public var method: String
    /// Absolute path below the server URL, e.g. `/api/v1/namespaces/default/pods`.
    public var path: String
    /// Query parameters in order; values are percent-encoded when the URL is built.
    public var query: [QueryItem]
    public var body: [UInt8]?
    public var contentType: String?
    public var accept: String
    public var headers: [ClientConfiguration.Header]

    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(
        method: String = "GET", path: String, query: [QueryItem] = [], body: [UInt8]? = nil,
        contentType: String? = nil, accept: String = "application/json", headers: [ClientConfiguration.Header] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
        self.accept = accept
        self.headers = headers
    }

    /// Whether repeating the request cannot change anything on the server.
    public var isRead: Bool { method == "GET" || method == "HEAD" }

    /// The path with its encoded query, e.g. `/api/v1/pods?labelSelector=app%3Dweb`.
    public var pathAndQuery: String {
        guard !query.isEmpty else { return path }
        return path + "?" + query.map { "\(Self.encode($0.name))=\(Self.encode($0.value))" }.joined(separator: "&")
    }

    private static let unreserved: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~")
        return set
    }()

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

/// A successful answer: status code, headers and the whole body.
public struct KubeResponse: Sendable {
    public var statusCode: Int
    public var headers: [ClientConfiguration.Header]
    public var body: [UInt8]

    /// The first value of a header (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}
