import AsyncHTTPClient
import KubeModel
import NIOCore

// A watch as an AsyncSequence read in the consumer's own task: no background task, no buffer
// beyond one partial line. The connection is established by `watch(…)` (so 403 and friends throw
// there); iterating reads events until the server ends the stream (timeoutSeconds, shutdown, an
// ERROR event) or the consuming task is cancelled, which closes the connection.

/// One event of a watch, typed.
public enum WatchStreamEvent<Object: Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// A progress marker: the collection is at `resourceVersion`. `annotations` carries
    /// `k8s.io/initial-events-end` after the initial events of a `sendInitialEvents` watch.
    case bookmark(resourceVersion: String, annotations: [String: String])
    /// The server's `Status` (a 410 `isExpired`/`isGone` means: list again).
    case error(KubeClientError)

    /// The object of ADDED/MODIFIED/DELETED.
    public var object: Object? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): return object
        case .bookmark, .error: return nil
        }
    }

    public var type: WatchEventType {
        switch self {
        case .added: return .added
        case .modified: return .modified
        case .deleted: return .deleted
        case .bookmark: return .bookmark
        case .error: return .error
        }
    }
}

/// The events of one watch. Iterate it once.
public struct WatchStream<Object: Sendable>: AsyncSequence, Sendable {
    public typealias Element = WatchStreamEvent<Object>
    let body: HTTPClientResponse.Body
    let decode: @Sendable (JSONValue) throws -> Object
    let request: String
    /// The client's reachability, told when the stream breaks.
    let reachability: ServerReachability?

    /// A line longer than this ends the watch with an error instead of growing without bound.
    static var maximumEventSize: Int { 64 * 1024 * 1024 }

    public func makeAsyncIterator() -> Iterator {
        Iterator(body: body.makeAsyncIterator(), decode: decode, request: request, reachability: reachability)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var body: HTTPClientResponse.Body.AsyncIterator
        let decode: @Sendable (JSONValue) throws -> Object
        let request: String
        let reachability: ServerReachability?
        var pending: [UInt8] = []
        var scanned = 0
        var isFinished = false

        public mutating func next() async throws -> WatchStreamEvent<Object>? {
            while !isFinished {
                if let newline = pending[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = pending[..<newline]
                    defer {
                        pending.removeSubrange(...newline)
                        scanned = 0
                    }
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                    return try event(from: line)
                }
                scanned = pending.count
                let chunk: ByteBuffer?
                do {
                    chunk = try await body.next()
                } catch {
                    isFinished = true
                    if Task.isCancelled { return nil }
                    var failure = KubeClientError(kind: .transport, message: "watch stream failed", request: request, underlying: error)
                    failure.outage = reachability?.failed()
                    throw failure
                }
                guard let chunk else {
                    isFinished = true
                    if !pending.isEmpty, !pending.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
                        let last = pending
                        pending = []
                        return try event(from: last[...])
                    }
                    return nil
                }
                pending += chunk.readableBytesView
                if pending.count > WatchStream.maximumEventSize {
                    isFinished = true
                    throw KubeClientError(kind: .decoding, message: "watch event larger than \(WatchStream.maximumEventSize) bytes", request: request)
                }
            }
            return nil
        }

        private func event(from line: ArraySlice<UInt8>) throws -> WatchStreamEvent<Object> {
            do {
                let value = try JSONValue(parsing: line)
                guard let typeName = value["type"]?.stringValue, let type = WatchEventType(rawValue: typeName) else {
                    throw KubeClientError(kind: .decoding, message: "watch event without a known type", request: request)
                }
                let object = value["object"] ?? .null
                switch type {
                case .added: return .added(try decode(object))
                case .modified: return .modified(try decode(object))
                case .deleted: return .deleted(try decode(object))
                case .bookmark:
                    let annotations = object[path: ["metadata", "annotations"]]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
                    return .bookmark(
                        resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue ?? "", annotations: annotations)
                case .error:
                    return .error(KubeClientError(status: try object.decode(as: Status.self), request: request))
                }
            } catch let error as KubeClientError {
                throw error
            } catch {
                throw KubeClientError(kind: .decoding, message: "undecodable watch event", request: request, underlying: error)
            }
        }
    }
}
