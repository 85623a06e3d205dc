import Foundation
import KubeClient
import KubeModel
import Logging
import Metrics
import Synchronization

// Leader election on a coordination.k8s.io/v1 Lease, following client-go's
// `tools/leaderelection` algorithm (tryAcquireOrRenew / renew / release).
//
// Assumptions, as client-go states them: the lease is judged expired from the *local* time at
// which this process last saw the lease record change (not from `renewTime`, written by another
// clock), so clocks need not agree — only their rates must (clock skew rate is tolerated as long
// as `renewDeadline` leaves enough margin under `leaseDuration`). There is no fencing: a leader
// that is paused longer than the lease may briefly act alongside its successor. Work done while
// leading must therefore be safe under overlapping leaders (e.g. optimistic concurrency).

/// Timing and identity of a leader election.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// Namespace and name of the Lease.
    public var namespace: String
    public var leaseName: String
    /// This candidate's identity (`holderIdentity`); must be unique among candidates.
    public var identity: String
    /// How long non-leaders wait after the last observed change before taking over (client-go
    /// `LeaseDuration`, default 15 s). Written as `leaseDurationSeconds`, rounded up.
    public var leaseDuration: Duration
    /// How long the leader keeps retrying a renewal before giving up leadership (default 10 s).
    public var renewDeadline: Duration
    /// Wait between attempts to acquire or renew (default 2 s).
    public var retryPeriod: Duration
    /// Whether stopping `run()` releases the lease so a successor need not wait for it to expire
    /// (client-go `ReleaseOnCancel`).
    public var releaseOnCancel: Bool

    public init(
        namespace: String, leaseName: String, identity: String,
        leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2),
        releaseOnCancel: Bool = true
    ) {
        precondition(leaseDuration > renewDeadline, "leaseDuration must be greater than renewDeadline")
        precondition(renewDeadline > retryPeriod, "renewDeadline must be greater than retryPeriod")
        precondition(!identity.isEmpty, "leader election needs an identity")
        self.namespace = namespace
        self.leaseName = leaseName
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    var leaseDurationSeconds: Int32 {
        let (seconds, attoseconds) = leaseDuration.components
        return Int32(clamping: max(1, seconds + (attoseconds > 0 ? 1 : 0)))
    }
}

/// Competes for a Lease and runs work while holding it.
///
/// `run(whileLeading:)` loops until its task is cancelled: acquire (retrying every
/// `retryPeriod`), lead (renewing every `retryPeriod`; if no renewal succeeds within
/// `renewDeadline` leadership ends at once), and after a lost term go back to acquiring.
/// Unlike client-go's `Run`, which returns after one term, a lost term is not fatal; callers that
/// want client-go's behaviour stop when `leadershipUpdates()` reports `false`.
///
/// `isLeader` and `leadershipUpdates()` observe the state; the `leader_election_master_status`
/// gauge (dimension `name` = lease name) is 1 while leading, else 0.
public final class LeaderElector: Sendable {
    public let configuration: LeaderElectionConfiguration

    private let api: ResourceAPI<Lease>
    private let clock: ElapsedClock
    private let wallClock: @Sendable () -> Date
    private let gauge: Gauge
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var isLeader = false
        /// The lease as last read or written, and the local time it was first seen so.
        var observed: Lease?
        var observedAt: Duration = .zero
        var subscribers: [Int: AsyncStream<Bool>.Continuation] = [:]
        var nextSubscriber = 0
    }

    public static let masterStatusLabel = "leader_election_master_status"

    /// - Parameters:
    ///   - clock: measures lease expiry and paces retries (monotonic).
    ///   - wallClock: the timestamps written into the lease (`acquireTime`, `renewTime`).
    public init(
        client: KubeClient, configuration: LeaderElectionConfiguration,
        clock: any Clock<Duration> = ContinuousClock(), wallClock: @escaping @Sendable () -> Date = { Date() },
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger? = nil
    ) {
        self.configuration = configuration
        self.api = client.api(Lease.self, namespace: configuration.namespace)
        self.clock = ElapsedClock(clock)
        self.wallClock = wallClock
        self.gauge = Gauge(
            label: Self.masterStatusLabel, dimensions: [("name", configuration.leaseName)], factory: metricsFactory)
        var logger = logger ?? Logger(label: "KubeRuntime.LeaderElector")
        logger[metadataKey: "lease"] = "\(configuration.namespace)/\(configuration.leaseName)"
        logger[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = logger
        gauge.record(0)
    }

    /// Whether this candidate currently leads.
    public var isLeader: Bool { state.withLock { $0.isLeader } }

    /// The holder in the last observed lease record (nil if none seen, or released).
    public var observedLeader: String? {
        state.withLock { state in
            guard let holder = state.observed?.spec?.holderIdentity, !holder.isEmpty else { return nil }
            return holder
        }
    }

    /// The current leadership state, then every change, until the stream is dropped.
    public func leadershipUpdates() -> AsyncStream<Bool> {
        let (stream, continuation) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .unbounded)
        let id = state.withLock { state in
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = continuation
            continuation.yield(state.isLeader)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Competes for the lease until the calling task is cancelled.
    ///
    /// Each term runs `whileLeading` in a child task that is cancelled the moment leadership is
    /// lost (or `run` is cancelled); the next attempt to acquire waits for it to return, so terms
    /// never overlap within this process. On cancellation, the lease is released after
    /// `whileLeading` has returned (if `releaseOnCancel`).
    public func run(whileLeading: @escaping @Sendable () async -> Void = {}) async {
        while !Task.isCancelled {
            guard await acquire() else { break }
            setLeader(true)
            logger.info("became leader")
            let work = Task { await whileLeading() }
            await withTaskCancellationHandler {
                await renewUntilLost()
            } onCancel: {
                work.cancel()
            }
            // Lost or cancelled: stop leading at once, then wait for the work to wind down.
            setLeader(false)
            work.cancel()
            await work.value
            if Task.isCancelled {
                if configuration.releaseOnCancel {
                    // Release must not be cut short by our own cancellation.
                    await Task { await self.release() }.value
                }
                logger.info("stopped leading")
                break
            }
            logger.warning("leadership lost")
        }
    }

    // MARK: Acquire, renew, release

    /// Tries every `retryPeriod` until the lease is ours; false when cancelled first.
    private func acquire() async -> Bool {
        while !Task.isCancelled {
            if await tryAcquireOrRenew() { return true }
            do { try await clock.sleep(for: jittered(configuration.retryPeriod)) } catch { return false }
        }
        return false
    }

    /// Renews every `retryPeriod`; returns when a renewal round misses `renewDeadline` or the task
    /// is cancelled.
    private func renewUntilLost() async {
        while !Task.isCancelled {
            let deadline = clock.now + configuration.renewDeadline
            var renewed = false
            while !Task.isCancelled, clock.now < deadline {
                if await attempt(before: deadline) {
                    renewed = true
                    break
                }
                do { try await clock.sleep(until: min(deadline, clock.now + configuration.retryPeriod)) } catch { return }
            }
            guard renewed else { return }
            do { try await clock.sleep(for: configuration.retryPeriod) } catch { return }
        }
    }

    /// One tryAcquireOrRenew, abandoned (as failed) if it is still in flight at `deadline`.
    private func attempt(before deadline: Duration) async -> Bool {
        await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                try? await self.clock.sleep(until: deadline)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    /// client-go's tryAcquireOrRenew: true when this candidate holds the lease afterwards.
    func tryAcquireOrRenew() async -> Bool {
        let now = MicroTime(wallClock())
        let identity = configuration.identity
        let current: Lease
        do {
            current = try await api.get(configuration.leaseName)
        } catch let error as KubeClientError where error.isNotFound {
            var lease = Lease(metadata: ObjectMeta(name: configuration.leaseName, namespace: configuration.namespace))
            lease.spec = LeaseSpec(
                holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
                acquireTime: now, renewTime: now, leaseTransitions: 0)
            do {
                let created = try await api.create(lease)
                observe(created, changed: true)
                return true
            } catch {
                logger.debug("creating the lease failed", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            logger.debug("reading the lease failed", metadata: ["error": "\(error)"])
            return false
        }

        let (observedAt, leading) = state.withLock { state -> (Duration, Bool) in
            if state.observed?.spec != current.spec {
                state.observed = current
                state.observedAt = clock.now
            } else {
                state.observed = current
            }
            return (state.observedAt, (current.spec?.holderIdentity ?? "") == identity)
        }
        let old = current.spec ?? LeaseSpec()
        let holder = old.holderIdentity ?? ""
        let validFor = Duration.seconds(Int64(old.leaseDurationSeconds ?? 0))
        if !holder.isEmpty, !leading, observedAt + validFor > clock.now {
            return false
        }

        var lease = current
        var spec = LeaseSpec(
            holderIdentity: identity, leaseDurationSeconds: configuration.leaseDurationSeconds,
            acquireTime: now, renewTime: now, leaseTransitions: old.leaseTransitions ?? 0)
        if leading {
            spec.acquireTime = old.acquireTime
        } else {
            spec.leaseTransitions = (old.leaseTransitions ?? 0) + 1
        }
        spec.strategy = old.strategy
        spec.preferredHolder = old.preferredHolder
        lease.spec = spec
        do {
            // resourceVersion from the read: a concurrent writer makes this a conflict.
            let updated = try await api.replace(lease)
            observe(updated, changed: true)
            return true
        } catch {
            logger.debug("updating the lease failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Gives the lease up if this candidate still holds it (client-go release): empty holder,
    /// `leaseDurationSeconds: 1`, so others acquire it on their next attempt.
    ///
    /// The lease is re-read first: a renewal cut short by cancellation may have been applied
    /// without this process seeing the answer, so the last observed resourceVersion can be stale.
    /// Such a renewal can also land between that read and the release (a loaded server answers
    /// late): a conflict is read again, and the release retried while this candidate still
    /// holds the lease; once anyone else holds it there is nothing to release.
    func release() async {
        guard state.withLock({ $0.observed?.spec?.holderIdentity }) == configuration.identity else { return }
        for attempt in 1...3 {
            do {
                var lease = try await api.get(configuration.leaseName)
                guard lease.spec?.holderIdentity == configuration.identity else { return }
                let now = MicroTime(wallClock())
                lease.spec = LeaseSpec(
                    holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now, renewTime: now,
                    leaseTransitions: lease.spec?.leaseTransitions ?? 0)
                let released = try await api.replace(lease)
                observe(released, changed: true)
                logger.info("released the lease")
                return
            } catch let error as KubeClientError where error.isConflict && attempt < 3 {
                logger.debug("releasing the lease met a concurrent write; reading it again", metadata: ["error": "\(error)"])
            } catch {
                logger.warning("releasing the lease failed", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    private func observe(_ lease: Lease, changed: Bool) {
        state.withLock { state in
            state.observed = lease
            if changed { state.observedAt = clock.now }
        }
    }

    private func setLeader(_ leading: Bool) {
        let subscribers = state.withLock { state -> [AsyncStream<Bool>.Continuation] in
            guard state.isLeader != leading else { return [] }
            state.isLeader = leading
            return Array(state.subscribers.values)
        }
        gauge.record(leading ? 1 : 0)
        for subscriber in subscribers { subscriber.yield(leading) }
    }

    /// client-go's JitterUntil factor 1.2 for acquisition, so candidates do not retry in lockstep.
    private func jittered(_ period: Duration) -> Duration {
        period + period * Double.random(in: 0..<1.2)
    }
}
