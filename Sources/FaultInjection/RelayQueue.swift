import NIOCore

// One direction of a relayed connection: what was read from one side and waits, in order, for its
// release time before it is written to the other.

/// The items bound for one side of a connection, each with its release time. Bounded by the
/// reader: the connection stops reading from the source once `queuedBytes` reaches
/// `highWaterMark`.
struct RelayQueue {
    enum Item {
        case bytes(ByteBuffer)
        /// The source half-closed: shut the destination's output.
        case endOfStream
        /// The source is gone: close the destination.
        case close
    }

    /// Reading from the source pauses while this many bytes are queued.
    static let highWaterMark = 256 * 1024

    private var items = CircularBuffer<(at: NIODeadline, item: Item)>()
    private var schedule = DeliverySchedule()
    private(set) var queuedBytes = 0

    var isEmpty: Bool { items.isEmpty }

    /// When the first item may be written; nil when nothing waits.
    var nextRelease: NIODeadline? { items.first?.at }

    /// Queues `buffer`, read at `now`, cut and timed as `mode` says. False when `mode` drops it.
    mutating func append(_ buffer: ByteBuffer, mode: FaultMode, now: NIODeadline) -> Bool {
        guard let releases = schedule.releases(ofChunkOf: buffer.readableBytes, mode: mode, now: now) else { return false }
        var rest = buffer
        for release in releases {
            guard let slice = rest.readSlice(length: release.byteCount) else { break }
            items.append((release.at, .bytes(slice)))
        }
        queuedBytes += buffer.readableBytes
        return true
    }

    /// Queues the end of the stream (`.endOfStream` or `.close`), read at `now`, behind the
    /// bytes before it. False when `mode` drops it.
    mutating func appendEnd(_ end: Item, mode: FaultMode, now: NIODeadline) -> Bool {
        guard let at = schedule.releaseOfEnd(mode: mode, now: now) else { return false }
        items.append((at, end))
        return true
    }

    /// Takes the first item if its release time has come.
    mutating func popDue(now: NIODeadline) -> Item? {
        guard let first = items.first, first.at <= now else { return nil }
        items.removeFirst()
        if case .bytes(let buffer) = first.item { queuedBytes -= buffer.readableBytes }
        return first.item
    }

    /// Drops everything; true when something was waiting.
    mutating func removeAll() -> Bool {
        defer {
            items.removeAll()
            queuedBytes = 0
        }
        return !items.isEmpty
    }
}
