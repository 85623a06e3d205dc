/// The informer's decisions, free of I/O (kube-rs `watcher::step`): what to do next, given how
/// the last list or watch went. `Informer.run()` executes the steps.
///
/// Rules:
/// - Without a resourceVersion to resume from, list; after a list, watch from its version.
/// - Every watch event (bookmarks included) advances the resume point and resets the backoff;
///   so does a successful list.
/// - A watch that ends cleanly is resumed at once from the last version, unless it delivered no
///   event and lasted less than a second: that counts as a failure (client-go's "very short
///   watch"), so a server that keeps closing watches is not hammered.
/// - A list or watch failure waits for the next backoff delay, then retries the same step
///   (a watch resumes from the last version seen).
/// - An expired resourceVersion (410) drops the resume point, so the next step is a relist. The
///   relist happens at once, unless the previous relist also ended in expiry without any watch
///   progress in between — then it backs off, so a server that expires every version is not
///   hammered either.
struct InformerStateMachine: Sendable {
    enum Step: Equatable, Sendable {
        case list
        case watch(resourceVersion: String)
        case backOff(Duration)
    }

    private(set) var resourceVersion: String?
    private var backoff: InformerBackoff
    private var pendingDelay: Duration?
    private var expiredWithoutProgress = false

    init(backoff: InformerBackoff) {
        self.backoff = backoff
    }

    /// The next thing to do. A pending backoff is returned once, then the step it delayed.
    mutating func nextStep() -> Step {
        if let delay = pendingDelay {
            pendingDelay = nil
            return .backOff(delay)
        }
        if let resourceVersion { return .watch(resourceVersion: resourceVersion) }
        return .list
    }

    mutating func listSucceeded(resourceVersion: String) {
        self.resourceVersion = resourceVersion
        backoff.reset()
    }

    mutating func listFailed() {
        pendingDelay = backoff.nextDelay()
    }

    /// A watch event arrived; `resourceVersion` is the event object's (or the bookmark's).
    mutating func eventReceived(resourceVersion: String?) {
        if let resourceVersion, !resourceVersion.isEmpty { self.resourceVersion = resourceVersion }
        expiredWithoutProgress = false
        backoff.reset()
    }

    /// The watch (or opening it) failed.
    mutating func watchFailed(isExpired: Bool) {
        guard isExpired else {
            pendingDelay = backoff.nextDelay()
            return
        }
        resourceVersion = nil
        if expiredWithoutProgress {
            pendingDelay = backoff.nextDelay()
        }
        expiredWithoutProgress = true
    }

    /// The server closed the watch normally after it had been open for `lasted`.
    mutating func watchClosed(receivedEvents: Bool, lasted: Duration) {
        if !receivedEvents, lasted < Self.veryShortWatch { pendingDelay = backoff.nextDelay() }
    }

    /// client-go's reflector: a watch closed within a second without events is an error.
    static let veryShortWatch = Duration.seconds(1)
}
