import DequeModule
import Foundation
import KubeClient
import KubeModel
import Logging

// client-go's legacy (core/v1) event recorder with its repeat aggregation: the first occurrence
// creates an Event named `<object name>.<hex unix nanoseconds>`; a repeat of the same
// (source, involved object, type, reason, message) patches that Event's `count` and
// `lastTimestamp` instead of creating another one.
//
// Controllers call `emit`, which queues the event and returns at once, as client-go's broadcaster
// does: an event is never on the path from a change to its propagation. One background task
// writes the queue in order (so repeats aggregate). `record` writes before returning, for callers
// (and tests) that want the stored Event.

/// The `type` of an Event.
public enum EventType: String, Sendable, Hashable, CaseIterable {
    case normal = "Normal"
    case warning = "Warning"
}

extension ObjectReference {
    /// A reference to `object` (kind, apiVersion, namespace, name, uid, resourceVersion).
    public init<R: Resource>(referencing object: R) {
        self.init(
            kind: R.kind, namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid,
            apiVersion: R.apiVersion, resourceVersion: object.metadata.resourceVersion)
    }
}

/// Writes core/v1 Events about objects on behalf of one component.
public actor EventRecorder {
    /// `source.component` and `reportingComponent` of every event.
    public nonisolated let component: String
    /// `source.host` and `reportingInstance` (empty when nil).
    public nonisolated let host: String?

    private let client: KubeClient
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    /// What was written for each aggregation key: the Event's namespace, name and count so far.
    /// At most `aggregationCacheLimit` keys, the oldest forgotten first (client-go's LRU of 4,096):
    /// a long-running manager sees ever new objects, and a cache without a bound grows with them.
    /// Keyed by the key's 64-bit digest, not the key itself: a manager remembers thousands of
    /// keys, each holding an object reference and a message (about 1 KB as strings; 8 bytes as a
    /// digest). Two keys sharing a digest (odds about 10⁻¹² among 4,096) would count each
    /// other's repeats.
    private var written: [UInt64: (namespace: String, name: String, count: Int32)] = [:]
    /// The keys of `written`, oldest first.
    private var writtenOrder = Deque<UInt64>()
    /// Aggregation keys remembered at most (client-go's `maxLruCacheEntries`).
    public static let aggregationCacheLimit = 4_096
    /// Events emitted and not yet written.
    private nonisolated let queue: AsyncStream<Queued>.Continuation
    /// Emitted events that may wait to be written; more are dropped (and logged).
    public static let queueLimit = 1_000

    private struct Queued: Sendable {
        var type: EventType
        var reason: String
        var message: String
        var reference: ObjectReference
    }

    /// What makes two events repeats of one another (client-go's aggregation key), as a
    /// 64-bit FNV-1a digest of its fields.
    private struct AggregationKey {
        var involvedObject: ObjectReference
        var type: String
        var reason: String
        var message: String

        var digest: UInt64 {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            let object = involvedObject
            for field in [
                object.kind, object.namespace, object.name, object.uid, object.apiVersion, object.fieldPath, type, reason, message,
            ] {
                for byte in (field ?? "").utf8 {
                    hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
                }
                // A separator no field contains (0xff is never in UTF-8), so ("ab","c") ≠ ("a","bc").
                hash = (hash ^ 0xff) &* 0x100_0000_01b3
                hash = (hash ^ (field == nil ? 1 : 0)) &* 0x100_0000_01b3
            }
            return hash
        }
    }

    /// Limits the Normal events `emit` writes (nil: no limit); `record` is never limited.
    public nonisolated let normalEvents: EventBudget?

    public init(
        client: KubeClient, component: String, host: String? = nil,
        wallClock: @escaping @Sendable () -> Date = { Date() }, normalEvents: EventBudget? = EventBudget(), logger: Logger? = nil
    ) {
        self.normalEvents = normalEvents
        self.client = client
        self.component = component
        self.host = host
        self.wallClock = wallClock
        self.logger = logger ?? Logger(label: "KubeRuntime.EventRecorder")
        // Bounded like client-go's broadcaster: while the API server cannot take them, events past
        // the first 1,000 waiting are dropped rather than held without limit.
        let (stream, queue) = AsyncStream.makeStream(of: Queued.self, bufferingPolicy: .bufferingOldest(Self.queueLimit))
        self.queue = queue
        // Writes emitted events in order until the recorder goes away.
        Task { [weak self] in
            for await item in stream {
                guard let self else { return }
                await self.write(item)
            }
        }
    }

    deinit {
        queue.finish()
    }

    /// Queues an event about `object` and returns at once; failures are logged. A Normal event
    /// beyond the `normalEvents` budget is dropped.
    public nonisolated func emit<R: Resource>(_ type: EventType, reason: String, message: String, about object: R) {
        if type == .normal, let normalEvents, !normalEvents.take() {
            let dropped = normalEvents.dropped
            // One line per thousand, not one per event.
            if dropped % 1_000 == 1 {
                logger.info(
                    "Normal events over budget are dropped",
                    metadata: ["dropped": "\(dropped)", "burst": "\(normalEvents.burst)", "perSecond": "\(normalEvents.perSecond)"])
            }
            return
        }
        let result = queue.yield(Queued(type: type, reason: reason, message: message, reference: ObjectReference(referencing: object)))
        if case .dropped = result {
            logger.warning("event dropped: \(Self.queueLimit) events are waiting to be written", metadata: ["reason": "\(reason)"])
        }
    }

    private func write(_ item: Queued) async {
        do {
            try await record(item.type, reason: item.reason, message: item.message, about: item.reference)
        } catch {
            logger.warning("recording event failed", metadata: ["reason": "\(item.reason)", "error": "\(error)"])
        }
    }

    /// Records an event about `object`.
    @discardableResult
    public func record<R: Resource>(_ type: EventType, reason: String, message: String, about object: R) async throws -> Event {
        try await record(type, reason: reason, message: message, about: ObjectReference(referencing: object))
    }

    /// Remembers a new aggregation key, forgetting the oldest beyond the limit.
    private func remember(_ key: UInt64, namespace: String, name: String) {
        if written.updateValue((namespace, name, 1), forKey: key) == nil { writtenOrder.append(key) }
        while written.count > Self.aggregationCacheLimit, let oldest = writtenOrder.popFirst() {
            written[oldest] = nil
        }
        // Keys dropped after a 404 leave stale entries in the order; drop them when they pile up.
        if writtenOrder.count > 2 * Self.aggregationCacheLimit {
            writtenOrder = Deque(writtenOrder.filter { written[$0] != nil })
        }
    }

    /// How many aggregation keys are remembered (bounded by `aggregationCacheLimit`).
    public var rememberedKeys: Int { written.count }

    /// Records an event about the object `reference` points to; returns the Event as stored.
    ///
    /// Events of cluster-scoped objects go to the `default` namespace, as in client-go. A repeat
    /// whose earlier Event has disappeared (expired by the server's TTL) creates a new one.
    @discardableResult
    public func record(_ type: EventType, reason: String, message: String, about reference: ObjectReference) async throws -> Event {
        let now = wallClock()
        let timestamp = Time(now)
        let namespace = reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        // client-go's event key leaves out resourceVersion: repeats about a changed object aggregate.
        var identity = reference
        identity.resourceVersion = nil
        let key = AggregationKey(involvedObject: identity, type: type.rawValue, reason: reason, message: message).digest
        let api = client.api(Event.self, namespace: namespace)

        if let previous = written[key] {
            let count = previous.count + 1
            do {
                let patched = try await api.patch(
                    previous.name,
                    .strategicMerge(["count": .int(Int64(count)), "lastTimestamp": .string(timestamp.rfc3339)]))
                written[key] = (previous.namespace, previous.name, count)
                return patched
            } catch let error as KubeClientError where error.isNotFound {
                written[key] = nil
            }
        }

        let nanoseconds = Int64((now.timeIntervalSince1970 * 1e9).rounded(.down))
        let name = "\(reference.name ?? "").\(String(nanoseconds, radix: 16))"
        let event = Event(
            metadata: ObjectMeta(name: name, namespace: namespace),
            involvedObject: reference, reason: reason, message: message,
            source: EventSource(component: component, host: host),
            firstTimestamp: timestamp, lastTimestamp: timestamp, count: 1, type: type.rawValue,
            reportingComponent: component, reportingInstance: host ?? "")
        let created = try await api.create(event)
        remember(key, namespace: namespace, name: name)
        logger.debug("recorded event", metadata: ["event": "\(namespace)/\(name)", "reason": "\(reason)"])
        return created
    }
}
