import Foundation
import Testing

@testable import KubeModel

@Suite struct TimeTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2024-02-29T23:59:59Z", Int64(1_709_251_199)),
        ("2024-03-01T01:00:00+01:00", Int64(1_709_251_200)),
        ("1969-12-31T23:59:59Z", Int64(-1)),
        ("2026-11-21T21:53:43.987654Z", Int64(1_795_298_023)),
    ])
    func parsesRFC3339(text: String, seconds: Int64) throws {
        let time = try #require(Time(rfc3339: text))
        #expect(time.secondsSinceEpoch == seconds)
    }

    @Test(arguments: ["2024-02-30T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "x", "2024-01-01T24:00:00Z"])
    func rejectsMalformedTimestamps(text: String) {
        #expect(Time(rfc3339: text) == nil)
    }

    @Test func formatsTimeWithSecondsAndMicroTimeWithMicroseconds() {
        #expect(Time(secondsSinceEpoch: 1_709_251_199).rfc3339 == "2024-02-29T23:59:59Z")
        #expect(MicroTime(microsecondsSinceEpoch: 1_709_251_199_000_042).rfc3339 == "2024-02-29T23:59:59.000042Z")
        #expect(MicroTime(microsecondsSinceEpoch: -1).rfc3339 == "1969-12-31T23:59:59.999999Z")
    }

    @Test func encodesAsJSONStringsAndOrdersChronologically() throws {
        struct Holder: Codable { var at: Time; var renew: MicroTime }
        let holder = Holder(at: Time(secondsSinceEpoch: 60), renew: MicroTime(microsecondsSinceEpoch: 1_500_000))
        let json = try JSONValue(encoding: holder)
        #expect(json == ["at": "1970-01-01T00:01:00Z", "renew": "1970-01-01T00:00:01.500000Z"])
        let back: Holder = try json.decode()
        #expect(back.at == holder.at && back.renew == holder.renew)
        #expect(Time(secondsSinceEpoch: 1) < Time(secondsSinceEpoch: 2))
        #expect(MicroTime(microsecondsSinceEpoch: 1_500_000).time == Time(secondsSinceEpoch: 1))
    }

    @Test func nowIsCloseToTheSystemClock() {
        let difference = abs(Time.now().date.timeIntervalSinceNow)
        #expect(difference < 5)
        #expect(abs(MicroTime.now().date.timeIntervalSinceNow) < 5)
    }
}
