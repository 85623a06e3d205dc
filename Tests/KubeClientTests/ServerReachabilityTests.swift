import KubeClient
import KubeTestSupport
import Synchronization
import Testing

// The outage bookkeeping on its own, with a scripted probe: one probe loop per outage, waiters
// woken when the probe sees an answer, flapping servers probed later each time, and shutdown
// releasing everyone.

@Suite struct ServerReachabilityTests {
    static let fast = ServerReachability.Schedule(
        firstProbe: .milliseconds(20), probeInterval: .milliseconds(40), flapWindow: .seconds(5), maximumFlapDelay: .seconds(10))

    @Test func anOutageEndsWhenTheProbeSeesAnAnswerAndWakesItsWaiters() async throws {
        let answers = Mutex(false)
        let probes = Mutex(0)
        let reachability = ServerReachability(schedule: Self.fast) {
            probes.withLock { $0 += 1 }
            return answers.withLock { $0 }
        }
        #expect(reachability.isReachable)
        let outage = reachability.failed()
        #expect(!reachability.isReachable && !outage.hasEnded)
        // Further failures fall into the same outage.
        #expect(reachability.failed().number == outage.number)

        let woken = Task { await outage.ended() }
        try await eventually("the probe asked a few times") { probes.withLock { $0 } >= 3 }
        #expect(!outage.hasEnded)
        answers.withLock { $0 = true }
        await woken.value
        #expect(outage.hasEnded && reachability.isReachable)
        // A finished outage does not make anyone wait.
        await outage.ended()
        let probesAfter = probes.withLock { $0 }
        try await Task.sleep(for: .milliseconds(150))
        #expect(probes.withLock { $0 } == probesAfter, "no probing while the server answers")
        reachability.shutDown()
    }

    @Test func aServerThatKeepsFailingIsProbedLaterEachTime() async throws {
        let reachability = ServerReachability(schedule: Self.fast) { true }
        for _ in 0..<4 {
            await reachability.failed().ended()
        }
        // Each outage opened right after the previous one ended: three flaps.
        #expect(reachability.outageCount == 4)
        #expect(reachability.consecutiveFlaps == 3)
        #expect(reachability.firstProbeDelay(afterFlaps: 0) == .milliseconds(20))
        #expect(reachability.firstProbeDelay(afterFlaps: 3) == .milliseconds(160))
        #expect(reachability.firstProbeDelay(afterFlaps: 20) == .seconds(10), "capped at maximumFlapDelay")
        reachability.shutDown()

        // Outages further apart than the flap window start from the first delay again.
        let calm = ServerReachability(
            schedule: .init(firstProbe: .milliseconds(5), probeInterval: .milliseconds(5), flapWindow: .milliseconds(1), maximumFlapDelay: .seconds(1))
        ) { true }
        for _ in 0..<3 {
            await calm.failed().ended()
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(calm.consecutiveFlaps == 0)
        calm.shutDown()
    }

    @Test func shutdownReleasesWaitersAndStopsProbing() async throws {
        let probes = Mutex(0)
        let reachability = ServerReachability(schedule: Self.fast) {
            probes.withLock { $0 += 1 }
            return false
        }
        let outage = reachability.failed()
        let waiter = Task { await outage.ended() }
        try await eventually("probing") { probes.withLock { $0 } >= 1 }
        reachability.shutDown()
        await waiter.value
        let after = probes.withLock { $0 }
        try await Task.sleep(for: .milliseconds(150))
        #expect(probes.withLock { $0 } <= after + 1)
    }

    @Test func aCancelledWaiterReturns() async throws {
        let reachability = ServerReachability(schedule: Self.fast) { false }
        let outage = reachability.failed()
        let waiter = Task { await outage.ended() }
        waiter.cancel()
        await waiter.value
        #expect(!outage.hasEnded)
        reachability.shutDown()
    }
}
