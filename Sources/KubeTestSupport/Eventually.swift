import Testing

// Waiting for what a test observes, not for time: poll a condition until it holds (or until it
// stops holding, for "nothing happens" checks), recording a test issue that names what was
// awaited. Shared by the test targets (STYLE.md §7: KubeTestSupport).

/// Polls `condition` every `poll` until it holds; records an issue naming `description` after
/// `timeout`. Errors thrown by `condition` count as "not yet".
public func eventually(
    _ description: String, timeout: Duration = .seconds(30), poll: Duration = .milliseconds(20),
    _ condition: @Sendable () async throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: poll)
    }
    Issue.record("timed out after \(timeout) waiting until \(description)", sourceLocation: sourceLocation)
}

/// Checks every `poll` that `condition` keeps holding for `duration`; records an issue naming
/// `description` the first time it does not.
public func consistently(
    _ description: String, for duration: Duration = .seconds(1), poll: Duration = .milliseconds(50),
    _ condition: @Sendable () async throws -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + duration
    while ContinuousClock.now < deadline {
        if try await condition() == false {
            Issue.record("stopped holding: \(description)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: poll)
    }
}
