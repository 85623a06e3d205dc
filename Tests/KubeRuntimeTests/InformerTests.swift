import KubeModel
import Synchronization
import Testing

@testable import KubeRuntime

/// Runs an informer over a scripted source and collects what its handlers saw.
private struct InformerHarness {
    let clock = TestClock()
    let source: ScriptedListWatch<ConfigMap>
    let informer: Informer<ScriptedListWatch<ConfigMap>>
    let seen = Recording<String>()

    init(lists: [ScriptedListWatch<ConfigMap>.ListReply], watches: [ScriptedListWatch<ConfigMap>.WatchReply]) {
        source = ScriptedListWatch(lists: lists, watches: watches)
        informer = Informer(source: source, clock: clock, backoff: InformerBackoff(random: { 0 }))
        let seen = self.seen
        informer.addHandler { change in seen.append(summary(change)) }
    }

    /// Runs the informer until the source has received `calls` calls (the last of which finds the
    /// script exhausted and suspends), runs `body`, then cancels the informer.
    func run(untilCalls calls: Int, _ body: () async -> Void = {}) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await informer.run() }
            await source.waitForCalls(calls)
            await body()
            group.cancelAll()
        }
    }
}

@Suite("Informer")
struct InformerTests {
    @Test("lists, reports the items as added, then watches from the list's resourceVersion")
    func listThenWatch() async {
        let harness = InformerHarness(
            lists: [.items([configMap("ns", "a", rv: "5")], resourceVersion: "10")],
            watches: [.events([.added(configMap("ns", "b", rv: "11")), .modified(configMap("ns", "a", rv: "12"))])]
        )
        await harness.run(untilCalls: 3)
        #expect(harness.source.calls == ["list", "watch 10", "watch 12"])
        #expect(harness.seen.values == ["added ns/a 5", "added ns/b 11", "updated ns/a 5->12"])
        #expect(harness.informer.store.hasSynced)
        #expect(harness.informer.store.count == 2)
    }

    @Test("after a dropped watch it backs off, then resumes from the last resourceVersion seen")
    func resumesFromLastResourceVersion() async {
        let harness = InformerHarness(
            lists: [.items([], resourceVersion: "10")],
            watches: [
                .eventsThenFailure([.added(configMap("ns", "a", rv: "11"))], TestNetworkError()),
                .events([.deleted(configMap("ns", "a", rv: "13"))]),
            ]
        )
        await harness.run(untilCalls: 2) {
            // A broken connection is an error: the informer backs off before resuming.
            await harness.clock.waitForSleeper(until: .milliseconds(800))
            harness.clock.advance(by: .milliseconds(800))
            await harness.source.waitForCalls(4)
        }
        #expect(harness.source.calls == ["list", "watch 10", "watch 11", "watch 13"])
        #expect(harness.seen.values == ["added ns/a 11", "deleted ns/a 13"])
    }

    @Test("a failed watch backs off 800 ms, doubling, before resuming")
    func backsOffOnWatchErrors() async {
        let harness = InformerHarness(
            lists: [.items([], resourceVersion: "10")],
            watches: [.failure(TestNetworkError()), .failure(TestNetworkError()), .events([.bookmark(resourceVersion: "20")])]
        )
        await harness.run(untilCalls: 2) {
            await harness.clock.waitForSleeper(until: .milliseconds(800))
            harness.clock.advance(to: .milliseconds(800))
            await harness.source.waitForCalls(3)
            await harness.clock.waitForSleeper(until: .milliseconds(2400))
            harness.clock.advance(to: .milliseconds(2400))
            await harness.source.waitForCalls(5)
        }
        #expect(harness.source.calls == ["list", "watch 10", "watch 10", "watch 10", "watch 20"])
    }

    @Test("a failed list is retried after a backoff")
    func retriesFailedList() async {
        let harness = InformerHarness(
            lists: [.failure(TestNetworkError()), .items([configMap("ns", "a", rv: "3")], resourceVersion: "3")],
            watches: []
        )
        await harness.run(untilCalls: 1) {
            await harness.clock.waitForSleeper(until: .milliseconds(800))
            #expect(!harness.informer.store.hasSynced)
            harness.clock.advance(by: .milliseconds(800))
            await harness.source.waitForCalls(3)
        }
        #expect(harness.source.calls == ["list", "list", "watch 3"])
        #expect(harness.informer.store.hasSynced)
    }

    @Test("on 410 Expired it relists and reports deletions and changes missed meanwhile")
    func relistsOnExpiry() async {
        let harness = InformerHarness(
            lists: [
                .items([configMap("ns", "a", rv: "1"), configMap("ns", "b", rv: "2"), configMap("ns", "c", rv: "3")], resourceVersion: "3"),
                .items([configMap("ns", "a", rv: "1"), configMap("ns", "c", rv: "40"), configMap("ns", "d", rv: "41")], resourceVersion: "50"),
            ],
            watches: [.failure(ListWatchError.expired(message: "too old resource version: 3 (45)"))]
        )
        await harness.run(untilCalls: 4)
        #expect(harness.source.calls == ["list", "watch 3", "list", "watch 50"], "the relist is immediate, without backoff")
        #expect(Array(harness.seen.values.dropFirst(3)) == ["deleted ns/b 2", "updated ns/c 3->40", "added ns/d 41"])
        #expect(harness.informer.store.keys.map(\.description) == ["ns/a", "ns/c", "ns/d"])
    }

    @Test("a version that expires again right after a relist backs off before the next relist")
    func repeatedExpiryBacksOff() async {
        let expired = ListWatchError.expired(message: "gone")
        let harness = InformerHarness(
            lists: [.items([], resourceVersion: "1"), .items([], resourceVersion: "2"), .items([], resourceVersion: "3")],
            watches: [.failure(expired), .failure(expired)]
        )
        await harness.run(untilCalls: 4) {
            await harness.clock.waitForSleeper(until: .milliseconds(800))
            #expect(harness.source.calls == ["list", "watch 1", "list", "watch 2"])
            harness.clock.advance(by: .milliseconds(800))
            await harness.source.waitForCalls(6)
        }
        #expect(harness.source.calls == ["list", "watch 1", "list", "watch 2", "list", "watch 3"])
    }

    @Test("a bookmark advances the resume point without reporting a change")
    func bookmarkOnlyAdvancesResourceVersion() async {
        let harness = InformerHarness(
            lists: [.items([configMap("ns", "a", rv: "1")], resourceVersion: "1")],
            watches: [.events([.bookmark(resourceVersion: "99")])]
        )
        await harness.run(untilCalls: 3)
        #expect(harness.source.calls == ["list", "watch 1", "watch 99"])
        #expect(harness.seen.values == ["added ns/a 1"])
        #expect(harness.informer.store.lastSyncResourceVersion == "99")
    }

    @Test("a watch the server closes without any event counts as a failure and backs off")
    func emptyWatchBacksOff() async {
        let harness = InformerHarness(lists: [.items([], resourceVersion: "7")], watches: [.events([])])
        await harness.run(untilCalls: 2) {
            await harness.clock.waitForSleeper(until: .milliseconds(800))
            harness.clock.advance(by: .milliseconds(800))
            await harness.source.waitForCalls(3)
        }
        #expect(harness.source.calls == ["list", "watch 7", "watch 7"])
    }

    @Test("a watch the server closes without any event after a second or more is resumed at once", .timeLimit(.minutes(1)))
    func longQuietWatchResumesAtOnce() async {
        let held = ScriptedListWatch<ConfigMap>.HeldWatch()
        let harness = InformerHarness(lists: [.items([], resourceVersion: "7")], watches: [.held(held)])
        await harness.run(untilCalls: 2) {
            harness.clock.advance(by: .seconds(1))
            held.close()
            // No further clock advance: the next watch starts without a backoff (client-go's rule:
            // only a watch shorter than a second without events is "very short").
            await harness.source.waitForCalls(3)
        }
        #expect(harness.source.calls == ["list", "watch 7", "watch 7"])
    }

    @Test("backoff delays double up to 30 s and stretch by the jitter", arguments: [0.0, 0.5])
    func backoffSequence(random: Double) {
        var backoff = InformerBackoff(random: { random })
        let milliseconds = (0..<8).map { _ in backoff.nextDelay() / .milliseconds(1) }
        let base = [800.0, 1600, 3200, 6400, 12800, 25600, 30000, 30000]
        #expect(milliseconds == base.map { $0 * (1 + random) })
        backoff.reset()
        #expect(backoff.nextDelay() / .milliseconds(1) == 800 * (1 + random))
    }
}
