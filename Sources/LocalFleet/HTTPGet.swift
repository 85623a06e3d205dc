import AsyncHTTPClient
import NIOCore

// A plain HTTP GET on a fresh connection, as a browser refresh or `curl` would send it: with
// `Connection: close`, so every request goes through the load balancer's backend choice again.

enum HTTPGet {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    static func fetch(host: String, port: Int, path: String = "/") async throws -> [UInt8] {
        var request = HTTPClientRequest(url: "http://\(host):\(port)\(path)")
        request.headers.add(name: "Connection", value: "close")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else {
            throw Failed(description: "GET http://\(host):\(port)\(path) answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Array(body.readableBytesView)
    }
}
