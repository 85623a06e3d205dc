import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

// A plain HTTP server that answers from a script: each request takes the next scripted reply
// (status, headers, body); when the script is exhausted it answers 200 with `fallbackBody`. It
// records every request's method, path and headers, so tests can see retries and headers on the wire.

struct ScriptedReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: String = ""
    /// How long the server waits before answering.
    var delay: Duration = .zero
}

struct RecordedRequest: Sendable {
    var method: String
    var path: String
    /// Header values by lower-cased name.
    var headers: [String: String]
}

final class ScriptedServer: Sendable {
    private let state: Mutex<(script: [ScriptedReply], requests: [RecordedRequest])>
    let fallbackBody: String

    init(script: [ScriptedReply], fallbackBody: String) {
        state = Mutex((script, []))
        self.fallbackBody = fallbackBody
    }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    fileprivate func reply(to request: RecordedRequest) -> ScriptedReply {
        state.withLock { state in
            state.requests.append(request)
            if state.script.isEmpty { return ScriptedReply(status: 200, headers: [("Content-Type", "application/json")], body: fallbackBody) }
            return state.script.removeFirst()
        }
    }

    /// Runs the server on a free loopback port for the length of `body`, which gets its base URL.
    func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let port = Mutex<CheckedContinuation<Int, Never>?>(nil)
        let app = Application(
            responder: ScriptedResponder(server: self),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                port.withLock { $0?.resume(returning: channel.localAddress?.port ?? 0); $0 = nil }
            },
            logger: Logger(label: "scripted-server", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            let bound = await withCheckedContinuation { continuation in
                port.withLock { $0 = continuation }
                group.addTask {
                    try await app.runService()
                    return nil
                }
            }
            defer { group.cancelAll() }
            return try await body("http://127.0.0.1:\(bound)")
        }
    }
}

private struct ScriptedResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: ScriptedServer

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let reply = server.reply(to: RecordedRequest(method: request.method.rawValue, path: request.uri.description, headers: headers))
        if reply.delay > .zero { try await Task.sleep(for: reply.delay) }
        var fields = HTTPFields()
        for (name, value) in reply.headers { fields.append(HTTPFields.Element(name: HTTPFields.Element.Name(name)!, value: value)) }
        return Response(
            status: HTTPResponse.Status(code: reply.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body)))
    }
}
