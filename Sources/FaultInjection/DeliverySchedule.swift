import NIOCore

// When the bytes read in one direction of a relayed connection may be written on, under the
// proxy's fault mode. Pure (times in, times out), so the timing rules test without sockets.

/// The release times of one direction of a connection. Release times never go backwards, so
/// order is kept even when the mode changes mid-stream (from a long delay to pass, say).
struct DeliverySchedule {
    /// A slice of a chunk and when it may be written.
    struct Release: Equatable {
        var at: NIODeadline
        var byteCount: Int
    }

    /// The latest release time handed out.
    private(set) var lastRelease: NIODeadline = .uptimeNanoseconds(0)
    /// Under throttling: when the slices scheduled so far have been "transmitted".
    private var linkFreeAt: NIODeadline = .uptimeNanoseconds(0)

    /// The largest slice a throttled chunk is cut into: 50 ms' worth at `bytesPerSecond` (at
    /// least a byte, at most 16 KiB), so that bytes trickle instead of leaving in bursts.
    static func throttleSliceSize(bytesPerSecond: Int) -> Int {
        min(16 * 1024, max(1, bytesPerSecond / 20))
    }

    /// The slices of a chunk of `byteCount` bytes read at `now`, in order, with their release
    /// times; nil when `mode` drops it (`.blackhole`).
    mutating func releases(ofChunkOf byteCount: Int, mode: FaultMode, now: NIODeadline) -> [Release]? {
        switch mode {
        case .pass, .refuse:
            return [Release(at: advance(to: now), byteCount: byteCount)]
        case .delay(let duration):
            return [Release(at: advance(to: now + Self.timeAmount(duration)), byteCount: byteCount)]
        case .throttle(let bytesPerSecond):
            let rate = max(1, bytesPerSecond)
            let sliceSize = Self.throttleSliceSize(bytesPerSecond: rate)
            var releases: [Release] = []
            var remaining = byteCount
            repeat {
                let slice = min(sliceSize, remaining)
                let at = advance(to: max(now, linkFreeAt))
                linkFreeAt = at + .nanoseconds(Int64(slice) * 1_000_000_000 / Int64(rate))
                releases.append(Release(at: at, byteCount: slice))
                remaining -= slice
            } while remaining > 0
            return releases
        case .blackhole:
            return nil
        }
    }

    /// When the end of the stream (a FIN or a close) read at `now` may be passed on: after the
    /// bytes before it, and as late as a chunk would be; nil when `mode` drops it.
    mutating func releaseOfEnd(mode: FaultMode, now: NIODeadline) -> NIODeadline? {
        switch mode {
        case .pass, .refuse, .throttle:
            return advance(to: now)
        case .delay(let duration):
            return advance(to: now + Self.timeAmount(duration))
        case .blackhole:
            return nil
        }
    }

    private mutating func advance(to deadline: NIODeadline) -> NIODeadline {
        lastRelease = max(lastRelease, deadline)
        return lastRelease
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        max(.zero, TimeAmount(duration))
    }
}
