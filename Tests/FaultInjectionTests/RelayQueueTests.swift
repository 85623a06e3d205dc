@testable import FaultInjection
import NIOCore
import Testing

// A RelayQueue hands out its items in order, each when its time has come. (Mutating calls are
// made outside #expect, which cannot take them.)

@Suite("RelayQueue")
struct RelayQueueTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("items come out in order, each once due, and queued bytes count down")
    func itemsComeOutWhenDue() {
        var queue = RelayQueue()
        let queuedBytes = queue.append(ByteBuffer(string: "abc"), mode: .delay(.milliseconds(100)), now: Self.start)
        let queuedEnd = queue.appendEnd(.endOfStream, mode: .delay(.milliseconds(100)), now: Self.start + .milliseconds(10))
        #expect(queuedBytes && queuedEnd)
        #expect(queue.queuedBytes == 3)
        #expect(queue.nextRelease == Self.start + .milliseconds(100))

        let early = queue.popDue(now: Self.start + .milliseconds(99))
        let bytes = queue.popDue(now: Self.start + .milliseconds(100))
        let between = queue.popDue(now: Self.start + .milliseconds(105))
        let end = queue.popDue(now: Self.start + .milliseconds(110))
        #expect(early == nil && between == nil)
        if case .bytes(let buffer)? = bytes {
            #expect(String(buffer: buffer) == "abc")
        } else {
            Issue.record("expected bytes, got \(String(describing: bytes))")
        }
        if case .endOfStream? = end {} else {
            Issue.record("expected the end of the stream, got \(String(describing: end))")
        }
        #expect(queue.queuedBytes == 0)
        #expect(queue.isEmpty)
    }

    @Test("a throttled chunk is queued as slices that add up to it")
    func throttledChunksAreSliced() {
        var queue = RelayQueue()
        let chunk = ByteBuffer(bytes: (0..<10_000).map { UInt8(truncatingIfNeeded: $0) })
        let queued = queue.append(chunk, mode: .throttle(bytesPerSecond: 20_000), now: Self.start)
        #expect(queued)
        var reassembled = ByteBuffer()
        var largestSlice = 0
        while case .bytes(var slice)? = queue.popDue(now: Self.start + .seconds(10)) {
            largestSlice = max(largestSlice, slice.readableBytes)
            reassembled.writeBuffer(&slice)
        }
        #expect(largestSlice == 1000)
        #expect(reassembled == chunk)
    }

    @Test("a blackhole drops, and removeAll tells whether something was waiting")
    func dropping() {
        var queue = RelayQueue()
        let queuedInBlackhole = queue.append(ByteBuffer(string: "x"), mode: .blackhole, now: Self.start)
        let removedFromEmpty = queue.removeAll()
        #expect(!queuedInBlackhole && queue.isEmpty && !removedFromEmpty)
        _ = queue.append(ByteBuffer(string: "x"), mode: .pass, now: Self.start)
        let removed = queue.removeAll()
        #expect(removed && queue.queuedBytes == 0)
    }
}
