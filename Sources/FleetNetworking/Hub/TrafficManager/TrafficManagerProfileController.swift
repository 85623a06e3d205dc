import AzureClient
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Prometheus
import Synchronization

// hub/trafficmanagerprofile (reference-controllers §4.6): a TrafficManagerProfile becomes the
// Azure Traffic Manager profile `fleet-<uid>` in its resource group, with the DNS name
// `<namespace>-<name>.trafficmanager.net`, Weighted routing, TTL 60 and its monitor settings.
//
// - GET first; when Azure already has every managed field, no PUT and no event, only the status.
// - Otherwise a PUT of Azure's profile with the managed fields overwritten (endpoints and other
//   fields kept). The cleanup finalizer is added just before the first PUT, so a resource group
//   the hub cannot write (403 on the GET) never blocks deletion.
// - `Programmed`: True/Programmed; 409 False/DNSNameNotAvailable; other 4xx False/Invalid;
//   429, 5xx Unknown/Pending; no answer at all leaves the status. Errors go back to the queue
//   (backoff), so a profile recovers when Azure does.
// - Differences from the reference: the status is written only when it changes; a profile
//   programmed at its generation is checked against Azure again every `resync` (default 5 min)
//   so a change made in Azure out of band is repaired then, not at the next spec change (the
//   reference watches generation changes only). The status metric is kept without the reference's
//   `metrics-cleanup` finalizer (TrafficManagerStatusMetrics), which is released on deletion when
//   an object carries it from the reference.

public struct TrafficManagerProfileReconciler: Reconciler {
    public static let name = "trafficmanagerprofile"

    let context: HubAgentContext
    let connection: ARMConnection
    let subscription: String
    let profiles: InformerStore<TrafficManagerProfile>
    let resync: Duration
    /// Versions this controller's own writes replaced that the cache may still show.
    let written: UpdateExpectations
    let metrics: TrafficManagerStatusMetrics
    /// Profiles programmed at a generation, and when Azure was last seen to match.
    let verified = VerifiedProfiles()

    final class VerifiedProfiles: Sendable {
        private let entries = Mutex<[ObjectKey: (uid: String?, generation: Int64?, at: ContinuousClock.Instant)]>([:])

        func withLock<T>(_ body: (inout [ObjectKey: (uid: String?, generation: Int64?, at: ContinuousClock.Instant)]) -> T) -> T {
            entries.withLock { body(&$0) }
        }
    }

    public static func make(
        _ context: HubAgentContext, arm: ARMConnection, subscription: String, resync: Duration = .seconds(300),
        metrics: PrometheusCollectorRegistry? = nil
    ) -> Controller<TrafficManagerProfileReconciler> {
        let informer = context.informers.informer(for: TrafficManagerProfile.self)
        let written = UpdateExpectations()
        written.observe(informer)
        return ControllerBuilder(name: name)
            .for(TrafficManagerProfile.self, in: context.informers)
            .logger(context.logger)
            .build(
                reconciler: TrafficManagerProfileReconciler(
                    context: context, connection: arm, subscription: subscription, profiles: informer.store, resync: resync,
                    written: written,
                    metrics: TrafficManagerStatusMetrics(
                        registry: metrics, name: FleetMetrics.trafficManagerProfileStatus,
                        help: "The last time a TrafficManagerProfile's Programmed condition was evaluated, by generation, status and reason.")))
    }

    private func api(_ profile: TrafficManagerProfile) -> ResourceAPI<TrafficManagerProfile> {
        context.hub.api(TrafficManagerProfile.self, namespace: profile.metadata.namespace ?? "")
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let arm = try await connection.client()
        guard let profile = profiles.get(key) else {
            _ = verified.withLock { $0.removeValue(forKey: key) }
            metrics.forget(key)
            return .done
        }
        // The cache still shows a version this controller replaced: the event of its write comes.
        guard !written.isSuperseded(key, profile.metadata) else { return .done }
        if profile.metadata.isDeleting { return try await delete(profile, key: key) }
        if let last = verified.withLock({ $0[key] }), last.uid == profile.metadata.uid, last.generation == profile.metadata.generation,
            ContinuousClock.now - last.at < resync
        {
            return .requeue(after: resync - (ContinuousClock.now - last.at))
        }
        let name = AzureProfile.name(of: profile)
        let group = profile.spec.resourceGroup
        let current: JSONValue?
        do {
            current = try await arm.getProfile(subscription: subscription, group: group, name: name)
        } catch let error as ARMClientError where error.isNotFound {
            current = nil
        } catch let error as ARMClientError {
            context.events.emit(
                .warning, reason: TrafficManagerEventReasons.azureAPIError,
                message: "Failed to get the Azure Traffic Manager profile \(name): \(error)", about: profile)
            if error.isForbidden { try await writeStatus(profile, azure: nil, condition: Self.programmed(after: error)) }
            throw error
        }
        if let current, AzureProfile.matches(current, profile) {
            try await writeStatus(profile, azure: current, condition: Self.programmed(after: nil))
            return markVerified(profile, key: key)
        }

        var writable = profile
        if writable.metadata.addFinalizer(FleetFinalizers.trafficManagerProfileCleanup) {
            writable = try await written.write(over: profile) { [writable] in try await api(profile).replace(writable) }
        }
        let written: JSONValue
        do {
            written = try await arm.putProfile(
                subscription: subscription, group: group, name: name, body: AzureProfile.update(current, to: profile))
        } catch let error as ARMClientError {
            context.events.emit(
                .warning, reason: TrafficManagerEventReasons.azureAPIError,
                message: "Failed to create or update the Azure Traffic Manager profile \(name): \(error)", about: writable)
            if error.status != nil { try await writeStatus(writable, azure: nil, condition: Self.programmed(after: error)) }
            throw error
        }
        context.events.emit(
            .normal, reason: TrafficManagerEventReasons.programmed, message: "Created or updated Azure Traffic Manager profile \(name)",
            about: writable)
        try await writeStatus(writable, azure: written, condition: Self.programmed(after: nil))
        return markVerified(writable, key: key)
    }

    private func markVerified(_ profile: TrafficManagerProfile, key: ObjectKey) -> ReconcileResult {
        verified.withLock { $0[key] = (profile.metadata.uid, profile.metadata.generation, ContinuousClock.now) }
        return .requeue(after: resync)
    }

    /// `Programmed` after a successful write (nil) or an Azure error.
    static func programmed(after error: ARMClientError?) -> (status: String, reason: String, message: String) {
        typealias Reason = TrafficManagerProfileConditions.Reason
        guard let error else { return (ConditionStatus.true, Reason.programmed, "Successfully configured the Azure Traffic Manager profile") }
        if error.isConflict {
            return (ConditionStatus.false, Reason.dnsNameNotAvailable, "Domain name is not available. Please choose a different profile name or namespace")
        }
        if error.isClientError && !error.isThrottled { return (ConditionStatus.false, Reason.invalid, "Invalid profile: \(error)") }
        return (ConditionStatus.unknown, Reason.pending, "Failed to configure profile and retrying: \(error)")
    }

    /// The status from Azure's answer (`dnsName` = its FQDN, `resourceID` = its id; both cleared
    /// without one), written only when it changes.
    private func writeStatus(
        _ profile: TrafficManagerProfile, azure: JSONValue?, condition: (status: String, reason: String, message: String)
    ) async throws {
        var status = profile.status ?? TrafficManagerProfileStatus()
        let dnsName = azure?.objectValue?["properties"]?.objectValue?["dnsConfig"]?.objectValue?["fqdn"]?.stringValue
        let resourceID = azure?.objectValue?["id"]?.stringValue
        var changed = status.dnsName != dnsName || status.resourceID != resourceID
        status.dnsName = dnsName
        status.resourceID = resourceID
        changed =
            status.conditions.setEquivalent(
                .make(
                    type: TrafficManagerProfileConditions.programmed, status: condition.status, reason: condition.reason,
                    message: condition.message, observedGeneration: profile.metadata.generation, at: context.now())) || changed
        if let programmed = status.conditions?.condition(ofType: TrafficManagerProfileConditions.programmed) {
            metrics.observe(ObjectKey(profile), generation: profile.metadata.generation, condition: programmed, now: context.now())
        }
        guard changed else { return }
        var updated = profile
        updated.status = status
        _ = try await written.write(over: profile) { try await api(profile).replaceStatus(updated) }
    }

    private func delete(_ profile: TrafficManagerProfile, key: ObjectKey) async throws -> ReconcileResult {
        _ = verified.withLock { $0.removeValue(forKey: key) }
        if profile.metadata.hasFinalizer(FleetFinalizers.trafficManagerProfileCleanup) {
            let arm = try await connection.client()
            let name = AzureProfile.name(of: profile)
            do {
                try await arm.deleteProfile(subscription: subscription, group: profile.spec.resourceGroup, name: name)
            } catch let error as ARMClientError where error.isNotFound {
            } catch let error as ARMClientError {
                context.events.emit(
                    .warning, reason: TrafficManagerEventReasons.azureAPIError,
                    message: "Failed to delete the Azure Traffic Manager profile \(name): \(error)", about: profile)
                throw error
            }
            context.events.emit(
                .normal, reason: TrafficManagerEventReasons.deleted, message: "Deleted Azure Traffic Manager profile \(name)", about: profile)
        }
        // The reference's metrics finalizer too, on a profile it managed before.
        var updated = profile
        guard updated.metadata.removeFinalizers([FleetFinalizers.trafficManagerProfileCleanup, FleetFinalizers.metricsCleanup]) else { return .done }
        do {
            _ = try await api(profile).replace(updated)
        } catch let error as KubeClientError where error.isNotFound {}
        return .done
    }
}
