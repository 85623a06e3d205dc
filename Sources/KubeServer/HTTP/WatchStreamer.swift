import Foundation
import HTTPTypes
import Hummingbird
import KubeModel
import NIOCore

// Streams a watch as kube-apiserver does: HTTP 200 with chunked JSON lines `{"type","object"}`,
// initial ADDED events first, BOOKMARKs at an interval when allowed, an ERROR event with a
// Status when the watch cannot continue, and a clean end at `timeoutSeconds`. A watcher that
// falls too far behind is cut off (its stream ends) and resumes from its last resourceVersion.

struct WatchStreamer: Sendable {
    let session: WatchSession
    let definition: ResourceDefinition
    let table: TableRequest?
    let options: ListOptions
    let bookmarkInterval: Duration
    /// The client's connection: when it closes, the watch ends at once instead of at its next
    /// event or its timeout (an idle watch would otherwise hold a store watcher until then).
    var connection: (any Channel)? = nil

    /// The longest watch timeout honoured (100 years).
    static let maximumTimeoutSeconds = 100 * 365 * 24 * 3600

    private enum Item: Sendable {
        case event(StoreEvent)
        case bookmarkTick
        case timeout
        case ended
        case disconnected
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = table?.contentType ?? "application/json"
        headers[.cacheControl] = "no-cache, private"
        let streamer = self
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await streamer.stream(into: &writer)
            })
    }

    /// A watch response consisting of one ERROR event carrying `error`'s Status.
    static func errorResponse(_ error: APIError, contentType: String?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType ?? "application/json"
        let line: JSONValue = ["type": "ERROR", "object": error.status]
        var bytes = line.serialized()
        bytes.append(UInt8(ascii: "\n"))
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func stream(into writer: inout any ResponseBodyWriter) async throws {
        var lastRevision = session.storeWatch.startRevision
        for event in session.initialEvents {
            try await write(event, to: &writer)
        }
        if session.sendsInitialEventsEndBookmark {
            try await write(session.bookmark(revision: lastRevision, initialEventsEnd: true), to: &writer)
        }
        let (items, continuation) = AsyncStream<Item>.makeStream()
        let storeEvents = session.storeWatch.events
        // Capped: a deadline beyond the clock's range (timeoutSeconds=9223372036854775807) would
        // trap in Task.sleep; a century is as good as forever for a watch.
        let timeout = options.timeoutSeconds.map { Duration.seconds(min($0, Self.maximumTimeoutSeconds)) } ?? .seconds(1800)
        let wantsBookmarks = options.allowWatchBookmarks
        let interval = bookmarkInterval
        let disconnected = try await withThrowingTaskGroup(of: Void.self) { group -> Bool in
            group.addTask {
                for await event in storeEvents { continuation.yield(.event(event)) }
                continuation.yield(.ended)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                continuation.yield(.timeout)
            }
            // A callback, not a child task: awaiting the future would not end when the group is
            // cancelled, and the watch would never finish.
            connection?.closeFuture.whenComplete { _ in continuation.yield(.disconnected) }
            if wantsBookmarks {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        continuation.yield(.bookmarkTick)
                    }
                }
            }
            defer {
                group.cancelAll()
                continuation.finish()
            }
            loop: for await item in items {
                switch item {
                case .event(let event):
                    lastRevision = event.revision
                    if let translated = session.translate(event) {
                        try await write(translated, to: &writer)
                    }
                case .bookmarkTick:
                    try await write(session.bookmark(revision: lastRevision), to: &writer)
                case .timeout:
                    if wantsBookmarks { try await write(session.bookmark(revision: lastRevision), to: &writer) }
                    break loop
                case .ended:
                    break loop
                case .disconnected:
                    return true
                }
            }
            return false
        }
        // Nobody is left to read the end of a stream whose connection closed.
        if !disconnected { try await writer.finish(nil) }
    }

    private func write(_ event: WatchEvent, to writer: inout any ResponseBodyWriter) async throws {
        let bytes: [UInt8]
        if let table, event.type != "BOOKMARK" && event.type != "ERROR" {
            let rendered = table.render(
                [event.object], definition: definition,
                listMeta: ["resourceVersion": .string(event.object.metaResourceVersion)])
            bytes = Self.line(type: event.type, object: rendered)
        } else if let source = event.source {
            bytes = source.encodings.line(type: event.type, apiVersion: definition.groupVersion) {
                Self.line(type: event.type, object: event.object)
            }
        } else {
            bytes = Self.line(type: event.type, object: event.object)
        }
        try await writer.write(ByteBuffer(bytes: bytes))
    }

    private static func line(type: String, object: JSONValue) -> [UInt8] {
        var bytes = JSONValue.object(["type": .string(type), "object": object]).serialized()
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
