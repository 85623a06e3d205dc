import Foundation
import Testing

@testable import LocalFleet

// The local fleet's listening sockets stay within the open-file limit: a request past the budget
// is refused whole (nothing taken), with a message that names the limit and what to raise, and
// the budget leaves a quarter of the limit (at least 2,048) for everything else. Tests run
// fleets in parallel in this process, so nothing here holds sockets from the shared budget.

@Suite struct ListenerBudgetTests {
    @Test func aRequestPastTheBudgetIsRefusedWholeWithAClearMessage() throws {
        let budget = ListenerBudget.budget()
        let limit = ListenerBudget.softLimit()
        // A quarter of the limit, at least 2,048, stays free; never fewer than 256 sockets.
        #expect(budget == max(256, limit - max(2_048, limit / 4)))
        let error = #expect(throws: ListenerBudget.Exhausted.self) { try ListenerBudget.acquire(budget + 1) }
        #expect(error?.budget == budget)
        #expect(error?.description.contains("ulimit -n") == true)
        #expect(error?.description.contains("\(limit)") == true)
    }

    /// The soft limit is lifted to the hard one (as Go programs do), never lowered.
    @Test func raisingTheFileLimitNeverLowersIt() {
        let before = ListenerBudget.softLimit()
        #expect(ListenerBudget.raiseFileLimit() >= before)
    }
}
