import KubeModel

// Watches as kube-apiserver serves them: from a resourceVersion (replaying retained history,
// or an ERROR event with 410 Expired when it is too old), from "now", or from "any" ("0" or
// unset, which first sends the current objects as ADDED). Selector transitions turn into
// ADDED/DELETED as on a real server: an object that stops matching is reported as DELETED,
// carrying its previous (last matching) state with the new resourceVersion.

public struct WatchEvent: Sendable {
    public var type: String
    public var object: JSONValue
    /// The store event this was translated from, whose serialized lines can be shared.
    let source: StoreEvent?

    public init(type: String, object: JSONValue) {
        self.init(type: type, object: object, source: nil)
    }

    init(type: String, object: JSONValue, source: StoreEvent?) {
        self.type = type
        self.object = object
        self.source = source
    }
}

/// A started watch: the events to send, in order. The sequence ends when the watcher is cut off
/// (too slow) or the store stops; the HTTP layer adds timeouts and bookmarks.
public struct WatchSession: Sendable {
    public var initialEvents: [WatchEvent]
    public var storeWatch: StoreWatch
    let filter: ObjectFilter
    let definition: ResourceDefinition
    let core: APIServerCore
    /// Whether the client asked for the end-of-initial-events bookmark (`sendInitialEvents=true`).
    public var sendsInitialEventsEndBookmark: Bool

    /// Translates a store change into what this watcher sees (nil when it sees nothing).
    public func translate(_ event: StoreEvent) -> WatchEvent? {
        let matchesNow = event.kind != .deleted && filter.matches(event.object)
        let matchedBefore = event.previous.map { filter.matches($0) } ?? false
        let object = core.presented(event.object, as: definition)
        switch event.kind {
        case .added:
            return matchesNow ? WatchEvent(type: "ADDED", object: object, source: event) : nil
        case .modified:
            switch (matchedBefore, matchesNow) {
            case (true, true): return WatchEvent(type: "MODIFIED", object: object, source: event)
            case (false, true): return WatchEvent(type: "ADDED", object: object, source: event)
            case (true, false):
                // As kube-apiserver's cacher: the object as the watcher last saw it (the state
                // that matched), stamped with the resourceVersion of the change that ended the match.
                var last = core.presented(event.previous ?? event.object, as: definition)
                last[path: ["metadata", "resourceVersion"]] = .string(String(event.revision))
                return WatchEvent(type: "DELETED", object: last, source: event)
            case (false, false): return nil
            }
        case .deleted:
            return filter.matches(event.object) || matchedBefore ? WatchEvent(type: "DELETED", object: object, source: event) : nil
        }
    }

    /// A BOOKMARK event carrying only the resource version.
    public func bookmark(revision: Int64, initialEventsEnd: Bool = false) -> WatchEvent {
        var metadata: JSONValue = ["resourceVersion": .string(String(revision))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        return WatchEvent(
            type: "BOOKMARK",
            object: ["kind": .string(definition.kind), "apiVersion": .string(definition.groupVersion), "metadata": metadata])
    }
}

extension APIServerCore {
    public func watch(_ definition: ResourceDefinition, namespace: String, options: ListOptions) throws(APIError)
        -> WatchSession
    {
        let filter = try ObjectFilter(
            labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, definition: definition)
        let scope: String? = definition.isNamespaced && !namespace.isEmpty ? namespace : nil
        let version = options.resourceVersion
        let fromRevision: Int64?
        let wantsInitial: Bool
        if let sendInitial = options.sendInitialEvents {
            guard options.resourceVersionMatch == "NotOlderThan" else {
                throw .invalid(
                    kind: "ListOptions", group: "meta.k8s.io", name: "",
                    errors: [.forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")])
            }
            wantsInitial = sendInitial
            fromRevision = sendInitial ? nil : (Int64(version) ?? nil)
        } else if version.isEmpty || version == "0" {
            wantsInitial = true
            fromRevision = nil
        } else {
            guard let revision = Int64(version) else {
                throw .badRequest("resourceVersion: Invalid value: \"\(version)\": must be a valid resource version")
            }
            wantsInitial = false
            fromRevision = revision
        }
        let storeWatch: StoreWatch
        do {
            storeWatch = try store.watch(
                definition.groupResource, namespace: scope, fromRevision: fromRevision, includeInitialObjects: wantsInitial)
        } catch {
            if case .expired(let requested, let oldest) = error {
                throw .expired("too old resource version: \(requested) (\(oldest))")
            }
            throw .internal("\(error)")
        }
        let initial = storeWatch.initialObjects.filter { filter.matches($0) }.map {
            WatchEvent(type: "ADDED", object: presented($0, as: definition))
        }
        return WatchSession(
            initialEvents: initial, storeWatch: storeWatch, filter: filter, definition: definition, core: self,
            sendsInitialEventsEndBookmark: options.sendInitialEvents == true && options.allowWatchBookmarks)
    }
}
