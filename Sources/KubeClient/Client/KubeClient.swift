import AsyncHTTPClient
import Foundation
import KubeModel
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

// The connection to one API server: one pooled HTTP/1.1 client (keep-alive), the request
// credentials, and the retry loop. Resource APIs (`api(_:namespace:)`, `dynamic(…)`) build
// requests and hand them here.
//
// Lifecycle: the client is usable as soon as it is initialised. Call `shutdown()` exactly once
// when done (or run it as a service: `run()` waits for cancellation, then shuts down); requests
// after shutdown fail.

/// A client of one Kubernetes API server.
public final class KubeClient: Sendable {
    public let configuration: ClientConfiguration
    let httpClient: HTTPClient
    let credentials: RequestCredentials
    let logger: Logger
    /// Whether the server answers, as this client's requests found; transport failures open an
    /// outage that a probe closes once the server answers again (see `ServerReachability`).
    public let reachability: ServerReachability
    /// The base URL requests go to: the server URL, with its host replaced by `tls-server-name`
    /// when set (the real address is then reached through the pool's DNS override).
    private let requestBase: String

    /// Creates a client; reads no files and opens no connection yet.
    /// - Throws: ``KubeClientError`` (`.configuration`) for an unusable URL or bad certificates.
    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "kube-client")) throws {
        self.configuration = configuration
        self.logger = logger
        guard var components = URLComponents(string: configuration.server), let scheme = components.scheme,
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty
        else {
            throw KubeClientError.configuration("server \"\(configuration.server)\": not an http(s) URL")
        }
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.maximumConnections
        httpConfiguration.connectionPool.idleTimeout = .seconds(90)
        // A failed connect (refused, TLS verification) fails the request at once; our retry
        // policy decides about repeating it, instead of the pool retrying until the deadline.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        // No read timeout: it would apply between watch events. Requests are bounded by
        // `timeouts.request` as a whole instead.
        httpConfiguration.timeout = .init(connect: .nanoseconds(Int64(configuration.timeouts.connect.nanoseconds)), read: nil)
        httpConfiguration.httpVersion = .http1Only
        let tls = scheme == "https" ? try TLSSettingsBuilder.configuration(for: configuration.tls) : TLSConfiguration.makeClientConfiguration()
        httpConfiguration.tlsConfiguration = tls
        if let serverName = configuration.tls.serverName, !serverName.isEmpty, serverName != host {
            httpConfiguration.dnsOverride = [serverName: host]
            components.host = serverName
        }
        requestBase = (components.string ?? configuration.server).trimmingSuffix("/")
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        let tlsFiles = scheme == "https" && configuration.tls.hasFiles ? TLSCredentialFiles(settings: configuration.tls, initial: tls) : nil
        credentials = RequestCredentials(configuration: configuration, baseTLS: tls, tlsFiles: tlsFiles)
        reachability = ServerReachability()
        reachability.install { [weak self] in await self?.probeReadiness() ?? false }
    }

    /// One `GET /readyz`, bounded by 2 s, without retries: whether the server answers with a code
    /// below 500 (401 and 403 count: the server is up, it just does not let this client look).
    func probeReadiness() async -> Bool {
        let request = KubeRequest(path: "/readyz", accept: "text/plain, */*")
        do {
            return try await withDeadline(.seconds(2), request: request, marksOutage: false) { [self] in
                let response = try await send(request, credentials: try await credentials.current(), marksOutage: false)
                _ = try? await response.body.collect(upTo: 1 << 20)
                return response.status.code < 500
            }
        } catch {
            return false
        }
    }

    /// Closes pooled connections. Call once; outstanding requests and watches fail.
    public func shutdown() async throws {
        reachability.shutDown()
        try await httpClient.shutdown()
    }

    /// Runs until the task is cancelled, then shuts the client down (the `Service.run()` shape,
    /// for a ServiceGroup).
    public func run() async throws {
        await withTaskCancellationHandler {
            await CancellationWaiter().wait()
        } onCancel: {}
        try await shutdown()
    }

    /// A typed API of kind `K`; `namespace` nil means all namespaces for namespaced kinds (list,
    /// watch) and the object's own namespace for writes.
    public func api<K: Resource>(_ kind: K.Type, namespace: String? = nil) -> ResourceAPI<K> {
        ResourceAPI(client: self, namespace: namespace)
    }

    /// An API of any kind with unstructured objects, e.g. `dynamic(apiVersion: "networking.fleet.azure.com/v1alpha1",
    /// plural: "serviceexports", namespaced: true, namespace: "work")`.
    public func dynamic(apiVersion: String, plural: String, namespaced: Bool, namespace: String? = nil) -> DynamicResourceAPI {
        DynamicResourceAPI(
            client: self, endpoint: ResourceEndpoint(apiVersion: apiVersion, plural: plural, isNamespaced: namespaced, namespace: namespace))
    }

    // MARK: Sending

    /// Sends `request` with credentials, retries and the request timeout, and returns the whole
    /// answer. Non-2xx answers throw ``KubeClientError`` with the server's `Status`.
    public func requestRaw(_ request: KubeRequest) async throws -> KubeResponse {
        try await withRetries(request) { [self] in
            let timeout = configuration.timeouts.request
            return try await withDeadline(timeout, request: request) { [self] in
                let response = try await execute(request, streaming: false)
                let body = try await collect(response.body, request: request)
                return KubeResponse(statusCode: Int(response.status.code), headers: response.headers.map { .init(name: $0.name, value: $0.value) }, body: body)
            }
        }
    }

    /// Sends `request` and returns the response once its head arrived (2xx only), for streaming.
    /// Establishment is retried like a read; the body has no timeout.
    func stream(_ request: KubeRequest) async throws -> HTTPClientResponse {
        try await withRetries(request) { [self] in
            try await execute(request, streaming: true)
        }
    }

    private func withRetries<T: Sendable>(_ request: KubeRequest, _ attempt: () async throws -> T) async throws -> T {
        var number = 1
        while true {
            do {
                return try await attempt()
            } catch let error as KubeClientError {
                try Task.checkCancellation()
                guard let delay = configuration.retry.delay(after: error, attempt: number, isRead: request.isRead) else { throw error }
                logger.debug("retrying request", metadata: ["request": "\(describe(request))", "error": "\(error)", "delay": "\(delay)"])
                // A server that was unreachable is retried as soon as it answers again.
                try await error.waitForRetry(delay)
                number += 1
            }
        }
    }

    /// One attempt, with one refresh of the credentials after a 401 when they can be refreshed.
    private func execute(_ request: KubeRequest, streaming: Bool) async throws -> HTTPClientResponse {
        var refreshed = false
        while true {
            let used = try await credentials.current()
            let response = try await send(request, credentials: used)
            if (200..<300).contains(response.status.code) { return response }
            let body = try await collect(response.body, request: request)
            let error = apiError(response: response, body: body, request: request)
            if response.status.code == 401, !refreshed, await credentials.isRefreshable {
                await credentials.invalidate(used)
                refreshed = true
                continue
            }
            throw error
        }
    }

    private func send(_ request: KubeRequest, credentials: Credentials, marksOutage: Bool = true) async throws -> HTTPClientResponse {
        var http = HTTPClientRequest(url: requestBase + request.pathAndQuery)
        http.method = HTTPMethod(rawValue: request.method)
        http.headers.add(name: "Accept", value: request.accept)
        http.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let authorization = credentials.authorization { http.headers.add(name: "Authorization", value: authorization) }
        for header in configuration.extraHeaders + request.headers { http.headers.add(name: header.name, value: header.value) }
        if let body = request.body {
            http.body = .bytes(ByteBuffer(bytes: body))
            if let contentType = request.contentType { http.headers.add(name: "Content-Type", value: contentType) }
        }
        http.tlsConfiguration = credentials.tlsConfiguration
        do {
            return try await httpClient.execute(http, deadline: .distantFuture, logger: logger)
        } catch let error as CancellationError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            var failure = KubeClientError(kind: .transport, message: "request failed", request: describe(request), underlying: error)
            if marksOutage { failure.outage = reachability.failed() }
            throw failure
        }
    }

    private func collect(_ body: HTTPClientResponse.Body, request: KubeRequest) async throws -> [UInt8] {
        do {
            let buffer = try await body.collect(upTo: 512 * 1024 * 1024)
            return Array(buffer.readableBytesView)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            var failure = KubeClientError(kind: .transport, message: "reading the response failed", request: describe(request), underlying: error)
            failure.outage = reachability.failed()
            throw failure
        }
    }

    func describe(_ request: KubeRequest) -> String {
        "\(request.method) \(configuration.server)\(request.pathAndQuery)"
    }

    /// The error for a non-2xx answer: the body's `Status` when it is one, else one made from
    /// the code (client-go's `newUnstructuredResponseError`).
    private func apiError(response: HTTPClientResponse, body: [UInt8], request: KubeRequest) -> KubeClientError {
        let code = Int(response.status.code)
        var status: Status
        if let value = try? JSONValue(parsing: body), value["kind"]?.stringValue == "Status",
            let decoded = try? value.decode(as: Status.self)
        {
            status = decoded
            if status.code == nil { status.code = Int32(code) }
        } else {
            let text = String(decoding: body.prefix(1024), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            status = Status(
                message: text.isEmpty ? "the server responded with the status code \(code) but did not return more information" : text,
                reason: KubeClientError.reason(forCode: code) ?? "Unknown", code: Int32(code))
        }
        if let retryAfter = response.headers.first(name: "Retry-After").flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) {
            var details = status.details ?? StatusDetails()
            if details.retryAfterSeconds == nil { details.retryAfterSeconds = retryAfter }
            status.details = details
        }
        return KubeClientError(status: status, request: describe(request))
    }

    private func withDeadline<T: Sendable>(
        _ timeout: Duration?, request: KubeRequest, marksOutage: Bool = true, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let timeout else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            if case let value?? = try await group.next() { return value }
            var failure = KubeClientError(kind: .transport, message: "timed out after \(timeout)", request: describe(request))
            if marksOutage { failure.outage = reachability.failed() }
            throw failure
        }
    }
}

/// Suspends until the surrounding task is cancelled.
private struct CancellationWaiter {
    func wait() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
        }
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

extension Duration {
    fileprivate var nanoseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
