import FleetAPI
import Foundation
import KubeClient
import KubeModel
import Synchronization

// The scale benchmark's finish line: one watch on the importer's fleet-system EndpointSlices,
// keeping per derived Service the number of addresses imported, updated per event in O(slice),
// so ten thousand slices do not make every event rescan the collection.

final class ImportConvergence: Sendable {
    private struct State {
        /// Slice name → (derived Service, addresses in it).
        var slices: [String: (service: String, addresses: Int)] = [:]
        var addresses: [String: Int] = [:]
        /// Services whose address count has reached the target.
        var complete = 0
        var convergedAt: ContinuousClock.Instant?
        var waiters: [CheckedContinuation<ContinuousClock.Instant?, Never>] = []
        var failed = false
    }

    /// Derived Service name → the number of addresses it should end with.
    let target: [String: Int]
    private let state = Mutex(State())
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(target: [String: Int]) {
        self.target = target
    }

    /// Lists and starts watching `api` in the background.
    func start(_ api: ResourceAPI<EndpointSlice>) async throws {
        let list = try await api.list()
        for slice in list.items { apply(slice, deleted: false, at: .now) }
        var resourceVersion = list.metadata.resourceVersion
        let watch = Task { [self] in
            while !Task.isCancelled {
                do {
                    let stream = try await api.watch(resourceVersion: resourceVersion, timeoutSeconds: 3600)
                    for try await event in stream {
                        let now = ContinuousClock.now
                        guard let slice = event.object else { continue }
                        resourceVersion = slice.metadata.resourceVersion ?? resourceVersion
                        if case .deleted = event { apply(slice, deleted: true, at: now) } else { apply(slice, deleted: false, at: now) }
                    }
                } catch {
                    if Task.isCancelled { return }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        task.withLock { $0 = watch }
    }

    private func apply(_ slice: EndpointSlice, deleted: Bool, at now: ContinuousClock.Instant) {
        let name = slice.metadata.name ?? ""
        let service = slice.metadata.labels?[FleetLabels.serviceName] ?? ""
        let count = deleted ? 0 : slice.endpoints.reduce(0) { $0 + $1.addresses.count }
        let waiters: [CheckedContinuation<ContinuousClock.Instant?, Never>] = state.withLock { state in
            if let previous = state.slices[name] { adjust(&state, service: previous.service, by: -previous.addresses) }
            state.slices[name] = deleted ? nil : (service, count)
            adjust(&state, service: service, by: count)
            guard state.convergedAt == nil, state.complete == target.count else { return [] }
            state.convergedAt = now
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: now) }
    }

    private func adjust(_ state: inout State, service: String, by delta: Int) {
        guard delta != 0, let wanted = target[service] else { return }
        let before = state.addresses[service, default: 0]
        let after = before + delta
        state.addresses[service] = after
        if before != wanted, after == wanted { state.complete += 1 }
        if before == wanted, after != wanted { state.complete -= 1 }
    }

    /// Services fully imported so far.
    var completeServices: Int { state.withLock { $0.complete } }

    /// Waits until every target service has all its addresses; returns when that was first seen
    /// (nil after `timeout`).
    func converged(timeout: Duration) async -> ContinuousClock.Instant? {
        let timer = Task { [self] in
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            giveUp()
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: ContinuousClock.Instant?? = state.withLock { state in
                    if let convergedAt = state.convergedAt { return .some(convergedAt) }
                    if state.failed { return .some(nil) }
                    state.waiters.append(continuation)
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            giveUp()
        }
    }

    /// Ends every wait with nil (timeout or cancellation).
    private func giveUp() {
        let waiters = state.withLock { state in
            state.failed = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }
}
