import Synchronization

// Requests served, counted by verb and resource: what benchmarks and tests read to see how much
// traffic a controller causes, and whether a converged fleet is quiet.

/// What a request did, as counted.
public struct RequestCountKey: Sendable, Hashable, CustomStringConvertible {
    /// The Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection), or
    /// the lowercase HTTP method of a non-resource request.
    public var verb: String
    public var group: String
    /// The plural resource; for non-resource requests the path.
    public var resource: String
    public var subresource: String

    public init(verb: String, group: String = "", resource: String, subresource: String = "") {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
    }

    /// Verbs that change stored objects.
    public static let writeVerbs: Set<String> = ["create", "update", "patch", "delete", "deletecollection"]

    public var isWrite: Bool { Self.writeVerbs.contains(verb) && !resource.hasPrefix("/") }

    public var description: String {
        let name = group.isEmpty ? resource : "\(resource).\(group)"
        return "\(verb) \(subresource.isEmpty ? name : "\(name)/\(subresource)")"
    }
}

public final class RequestCounter: Sendable {
    private struct State {
        var counts: [RequestCountKey: Int] = [:]
        /// The writes in the order they came, while `keepsWriteLog` (tests reading who wrote what).
        var writeLog: [String]?
    }

    private let state = Mutex(State())

    public init() {}

    func record(_ info: RequestInfo) {
        let key = info.isResourceRequest
            ? RequestCountKey(verb: info.verb, group: info.group, resource: info.resource, subresource: info.subresource)
            : RequestCountKey(verb: info.verb, resource: info.path)
        state.withLock { state in
            state.counts[key, default: 0] += 1
            if state.writeLog != nil, key.isWrite {
                let object = [info.namespace, info.name].filter { !$0.isEmpty }.joined(separator: "/")
                state.writeLog?.append(object.isEmpty ? key.description : "\(key) \(object)")
            }
        }
    }

    /// Requests so far, by what they did.
    public func snapshot() -> [RequestCountKey: Int] { state.withLock { $0.counts } }

    /// Starts (or stops) keeping every write request in order, as `verb resource[/sub] [ns/name]`
    /// (creates name no object: the name is in the body).
    public func keepWriteLog(_ keep: Bool = true) { state.withLock { $0.writeLog = keep ? [] : nil } }

    /// The writes kept since `keepWriteLog()`.
    public var writeLog: [String] { state.withLock { $0.writeLog ?? [] } }
}

extension Dictionary where Key == RequestCountKey, Value == Int {
    /// The requests of `self` not yet in `earlier` (both snapshots of one counter).
    public func subtracting(_ earlier: [RequestCountKey: Int]) -> [RequestCountKey: Int] {
        var difference: [RequestCountKey: Int] = [:]
        for (key, count) in self where count - (earlier[key] ?? 0) > 0 { difference[key] = count - (earlier[key] ?? 0) }
        return difference
    }

    public var total: Int { values.reduce(0, +) }
    public var writes: Int { filter { $0.key.isWrite }.values.reduce(0, +) }
}
