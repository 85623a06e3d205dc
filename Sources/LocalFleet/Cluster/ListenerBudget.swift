import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

// How many listening sockets the local fleet's proxies may hold in this process. Every Service
// of a member is served on its cluster IP (the light kube-proxy) and every LoadBalancer Service
// on its IP: one socket per port, so a large fleet in one process (20 members × 1,000 Services)
// holds more than 20,000 — past a common file-descriptor limit, where the next socket or pipe
// anything in the process asks for fails, and libdispatch traps. The budget keeps a quarter of
// the limit (at least 2,048) for connections, files and the runtime; a Service past it is not
// served, with an error that says why and what to raise.
//
// `raiseFileLimit()` first lifts the soft limit to the hard one, as Go programs do at start:
// a soft limit of 1,024 under a hard one of 500,000 is a common default.

enum ListenerBudget {
    struct Exhausted: Error, CustomStringConvertible {
        let held: Int
        let budget: Int
        var description: String {
            "\(held) of the \(budget) listening sockets this local fleet may hold are in use (the open-file limit is "
                + "\(ListenerBudget.softLimit())); raise it (ulimit -n) to serve more Services"
        }
    }

    private static let held = Atomic<Int>(0)

    /// Takes `count` sockets from the budget, or throws `Exhausted`.
    static func acquire(_ count: Int) throws {
        let budget = budget()
        while true {
            let current = held.load(ordering: .relaxed)
            guard current + count <= budget else { throw Exhausted(held: current, budget: budget) }
            if held.compareExchange(expected: current, desired: current + count, ordering: .relaxed).exchanged { return }
        }
    }

    static func release(_ count: Int) {
        held.subtract(count, ordering: .relaxed)
    }

    static var inUse: Int { held.load(ordering: .relaxed) }

    static func budget() -> Int {
        let limit = softLimit()
        return max(256, limit - max(2_048, limit / 4))
    }

    static func softLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        // RLIM_INFINITY is all ones.
        return limit.rlim_cur >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    /// Lifts the soft open-file limit to the hard limit; returns the soft limit in effect.
    @discardableResult
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return softLimit()
    }
}
