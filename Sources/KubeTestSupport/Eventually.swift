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

/// Waits until `snapshot` (typically the resourceVersions of the objects a test watches) stops
/// changing — the same value for `stableFor` — and returns it; records an issue naming
/// `description` if it is still changing after `timeout`. For "a converged system writes
/// nothing" checks: the baseline is taken once the writes observed have stopped, not after a
/// fixed pause that a loaded machine can outlast; follow with `consistently` over the baseline.
public func settled<T: Equatable & Sendable>(
    _ description: String, stableFor: Duration = .seconds(1), timeout: Duration = .seconds(30), poll: Duration = .milliseconds(50),
    _ snapshot: @Sendable () async throws -> T,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var last = try await snapshot()
    var since = ContinuousClock.now
    while ContinuousClock.now < deadline {
        try await Task.sleep(for: poll)
        let now = try await snapshot()
        if now != last {
            last = now
            since = .now
        } else if ContinuousClock.now - since >= stableFor {
            return now
        }
    }
    Issue.record("still changing after \(timeout): \(description)", sourceLocation: sourceLocation)
    return last
}
