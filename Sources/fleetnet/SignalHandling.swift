import Foundation
import ServiceLifecycle
import UnixSignals

// Ctrl-C (SIGINT) or SIGTERM cancels the running work, which then stops what it started.

enum SignalHandling {
    /// Runs `body` until it returns or a SIGINT/SIGTERM arrives, then cancels it and waits for it.
    static func untilInterrupted(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await body()
                return true
            }
            tasks.addTask {
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return false }
                return false
            }
            _ = try await tasks.next()
            tasks.cancelAll()
            while let _ = try? await tasks.next() {}
        }
    }
}
