@testable import FaultInjection
import NIOCore
import Testing

// The timing rules of FaultMode, without sockets: when each chunk of a direction may be written.

@Suite("DeliverySchedule")
struct DeliveryScheduleTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    @Test("pass releases a chunk at once, in one piece")
    func passReleasesAtOnce() {
        var schedule = DeliverySchedule()
        let releases = schedule.releases(ofChunkOf: 100_000, mode: .pass, now: Self.start)
        #expect(releases == [.init(at: Self.start, byteCount: 100_000)])
    }

    @Test("delay releases each chunk the delay after it was read")
    func delayShiftsEachChunk() {
        var schedule = DeliverySchedule()
        let first = schedule.releases(ofChunkOf: 10, mode: .delay(.milliseconds(200)), now: Self.start)
        let second = schedule.releases(ofChunkOf: 10, mode: .delay(.milliseconds(200)), now: Self.start + .milliseconds(50))
        #expect(first == [.init(at: Self.start + .milliseconds(200), byteCount: 10)])
        #expect(second == [.init(at: Self.start + .milliseconds(250), byteCount: 10)])
    }

    @Test("a chunk read after a mode change never overtakes the chunks before it")
    func orderIsKeptAcrossModeChanges() {
        var schedule = DeliverySchedule()
        _ = schedule.releases(ofChunkOf: 10, mode: .delay(.seconds(5)), now: Self.start)
        let passed = schedule.releases(ofChunkOf: 10, mode: .pass, now: Self.start + .milliseconds(1))
        #expect(passed == [.init(at: Self.start + .seconds(5), byteCount: 10)])
        let end = schedule.releaseOfEnd(mode: .pass, now: Self.start + .milliseconds(2))
        #expect(end == Self.start + .seconds(5))
    }

    @Test("throttle cuts a chunk into 50 ms slices spaced by the rate")
    func throttleSpacesSlices() throws {
        var schedule = DeliverySchedule()
        let rate = 32 * 1024
        let scheduled = schedule.releases(ofChunkOf: 64 * 1024, mode: .throttle(bytesPerSecond: rate), now: Self.start)
        let releases = try #require(scheduled)
        let sliceSize = DeliverySchedule.throttleSliceSize(bytesPerSecond: rate)
        #expect(sliceSize == rate / 20)
        #expect(releases.map(\.byteCount).reduce(0, +) == 64 * 1024)
        #expect(releases.allSatisfy { $0.byteCount <= sliceSize })
        #expect(releases.first?.at == Self.start)
        // The last slice leaves once everything before it has had its time on the link.
        let before = 64 * 1024 - releases.last!.byteCount
        let expected = Self.start + .nanoseconds(Int64(before) * 1_000_000_000 / Int64(rate))
        // (Each slice's time is rounded down to the nanosecond.)
        let lag = releases.last!.at - expected
        #expect(lag > .milliseconds(-1) && lag < .milliseconds(1))
        #expect(zip(releases, releases.dropFirst()).allSatisfy { $0.at < $1.at })
    }

    @Test("throttle carries the link's backlog over to the next chunk, but not an idle link's credit")
    func throttleRemembersTheLink() {
        var schedule = DeliverySchedule()
        let mode = FaultMode.throttle(bytesPerSecond: 1000)
        let first = schedule.releases(ofChunkOf: 50, mode: mode, now: Self.start)
        #expect(first == [.init(at: Self.start, byteCount: 50)])
        // 50 bytes at 1000 B/s take 50 ms: a chunk read 10 ms later waits for them.
        let second = schedule.releases(ofChunkOf: 50, mode: mode, now: Self.start + .milliseconds(10))
        #expect(second == [.init(at: Self.start + .milliseconds(50), byteCount: 50)])
        // After a second of silence, a chunk goes at once.
        let third = schedule.releases(ofChunkOf: 50, mode: mode, now: Self.start + .seconds(2))
        #expect(third == [.init(at: Self.start + .seconds(2), byteCount: 50)])
    }

    @Test("a blackhole drops chunks and ends")
    func blackholeDrops() {
        var schedule = DeliverySchedule()
        let chunk = schedule.releases(ofChunkOf: 10, mode: .blackhole, now: Self.start)
        let end = schedule.releaseOfEnd(mode: .blackhole, now: Self.start)
        #expect(chunk == nil && end == nil)
    }

    @Test("a negative delay counts as none")
    func negativeDelayIsZero() {
        var schedule = DeliverySchedule()
        let releases = schedule.releases(ofChunkOf: 1, mode: .delay(.seconds(-1)), now: Self.start)
        #expect(releases == [.init(at: Self.start, byteCount: 1)])
    }
}
