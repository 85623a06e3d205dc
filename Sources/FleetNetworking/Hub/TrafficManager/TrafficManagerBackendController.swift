import AzureClient
import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging
import Prometheus

// hub/trafficmanagerbackend (reference-controllers §4.7): a TrafficManagerBackend puts one Azure
// endpoint per exporting cluster into its profile's Azure Traffic Manager profile, pointing at
// the public IP of the cluster's LoadBalancer Service, weighted by the backend's weight split by
// the exports' weights.
//
// - The TrafficManagerProfile must be Programmed at its generation; the Azure profile is read
//   (its endpoints come with it); the ServiceImport's clusters and their InternalServiceExports
//   decide the desired endpoints; endpoints of this backend (prefix `fleet-<uid>#`) that are not
//   desired are deleted, equal ones kept without a write, the rest PUT.
// - `Accepted`: True when every cluster's endpoint is in; False for a missing or invalid profile,
//   a missing ServiceImport, invalid clusters or endpoints Azure refused (4xx); Unknown while
//   something is pending or failed for a while (429, 5xx). The status lists the accepted
//   endpoints, sorted by name (the reference's order is not deterministic).
// - The cleanup finalizer comes before the first endpoint write; deletion removes this
//   backend's endpoints when the profile is still there.
// - Differences from the reference: status written only on change; Azure is read again every
//   `resync` (default 5 min), repairing endpoints changed out of band, and also after the Azure
//   profile was not found (the profile controller recreates it). The status metric is kept
//   without the reference's `metrics-cleanup` finalizer (TrafficManagerStatusMetrics), which is
//   released on deletion when an object carries it from the reference.

public struct TrafficManagerBackendReconciler: Reconciler {
    public static let name = "trafficmanagerbackend"

    let context: HubAgentContext
    let connection: ARMConnection
    let subscription: String
    let backends: InformerStore<TrafficManagerBackend>
    let profiles: InformerStore<TrafficManagerProfile>
    let serviceImports: InformerStore<ServiceImport>
    let exports: InformerStore<InternalServiceExport>
    /// How often an accepted backend's endpoints are read from Azure again, so that an endpoint
    /// edited or deleted there out of band is repaired (the reference waits for a change here).
    let resync: Duration
    let metrics: TrafficManagerStatusMetrics
    /// Versions this controller's own writes replaced that the cache may still show.
    let written = UpdateExpectations()

    static let byProfile = "fleet.tm.profile"
    static let byBackend = "fleet.tm.backend"

    public static func make(
        _ context: HubAgentContext, arm: ARMConnection, subscription: String, resync: Duration = .seconds(300),
        metrics: PrometheusCollectorRegistry? = nil
    ) -> Controller<TrafficManagerBackendReconciler> {
        let informers = context.informers
        let backendInformer = informers.informer(for: TrafficManagerBackend.self)
        let backends = backendInformer.store
        backends.addIndex(named: byProfile) { ["\($0.metadata.namespace ?? "")/\($0.spec.profile.name)"] }
        backends.addIndex(named: byBackend) { ["\($0.metadata.namespace ?? "")/\($0.spec.backend.name)"] }
        let keys: @Sendable (String, String) -> [ObjectKey] = { index, value in backends.byIndex(index, value: value).map { ObjectKey($0) } }
        let reconciler = TrafficManagerBackendReconciler(
            context: context, connection: arm, subscription: subscription, backends: backends,
            profiles: informers.informer(for: TrafficManagerProfile.self).store,
            serviceImports: informers.informer(for: ServiceImport.self).store,
            exports: informers.informer(for: InternalServiceExport.self).store, resync: resync,
            metrics: TrafficManagerStatusMetrics(
                registry: metrics, name: FleetMetrics.trafficManagerBackendStatus,
                help: "The last time a TrafficManagerBackend's Accepted condition was evaluated, by generation, status and reason."))
        reconciler.written.observe(backendInformer)
        return ControllerBuilder(name: name)
            .for(TrafficManagerBackend.self, in: informers)
            .watches(TrafficManagerProfile.self, in: informers) { keys(byProfile, "\($0.metadata.namespace ?? "")/\($0.metadata.name ?? "")") }
            .watches(ServiceImport.self, in: informers) { keys(byBackend, "\($0.metadata.namespace ?? "")/\($0.metadata.name ?? "")") }
            .watches(InternalServiceExport.self, in: informers) { export in
                guard let reference = export.spec?.serviceReference else { return [] }
                return keys(byBackend, "\(reference.namespace)/\(reference.name)")
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
    }

    private typealias Reason = TrafficManagerBackendConditions.Reason

    private func api(_ backend: TrafficManagerBackend) -> ResourceAPI<TrafficManagerBackend> {
        context.hub.api(TrafficManagerBackend.self, namespace: backend.metadata.namespace ?? "")
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let arm = try await connection.client()
        guard let backend = backends.get(key) else {
            metrics.forget(key)
            return .done
        }
        // The cache still shows a version this controller replaced: the event of its write comes.
        guard !written.isSuperseded(key, backend.metadata) else { return .done }
        if backend.metadata.isDeleting { return try await delete(backend) }
        let namespace = backend.metadata.namespace ?? ""
        let profileName = backend.spec.profile.name

        guard let profile = profiles.get(namespace: namespace, name: profileName) else {
            try await writeStatus(backend, ConditionStatus.false, Reason.invalid, "TrafficManagerProfile \"\(profileName)\" is not found", [])
            return .done
        }
        let programmed = profile.status?.conditions?.first { $0.type == TrafficManagerProfileConditions.programmed }
        guard programmed?.observedGeneration == profile.metadata.generation, programmed?.status == ConditionStatus.true else {
            if programmed?.observedGeneration == profile.metadata.generation, programmed?.status == ConditionStatus.false {
                try await writeStatus(
                    backend, ConditionStatus.false, Reason.invalid,
                    "Invalid trafficManagerProfile \"\(profileName)\", please check the trafficManagerProfile status", [])
            } else {
                try await writeStatus(backend, ConditionStatus.unknown, Reason.pending, "In the processing of trafficManagerProfile \"\(profileName)\"", [])
            }
            return .done
        }

        let azureName = AzureProfile.name(of: profile)
        let group = profile.spec.resourceGroup
        let azure: JSONValue
        do {
            azure = try await arm.getProfile(subscription: subscription, group: group, name: azureName)
        } catch let error as ARMClientError {
            emitAzureError(backend, "Failed to get the Azure Traffic Manager profile \(azureName): \(error)")
            if error.isNotFound {
                try await writeStatus(
                    backend, ConditionStatus.false, Reason.invalid, "Azure Traffic Manager profile \"\(azureName)\" under \"\(group)\" is not found", [])
                // The profile controller recreates a profile deleted in Azure at its next check;
                // look again then (the reference waits for a change here).
                return .requeue(after: resync)
            }
            try await writeStatus(
                backend, ConditionStatus.unknown, Reason.pending, "Failed to get the Azure Traffic Manager profile \"\(azureName)\": \(error)", [])
            throw error
        }
        let existing = (azure.objectValue?["properties"]?.objectValue?["endpoints"]?.arrayValue ?? []).filter {
            AzureEndpoints.isOwned($0.objectValue?["name"]?.stringValue ?? "", by: backend)
        }

        guard let serviceImport = serviceImports.get(namespace: namespace, name: backend.spec.backend.name) else {
            try await removeEndpoints(existing, keeping: [], backend: backend, profile: azureName, group: group)
            try await writeStatus(backend, ConditionStatus.false, Reason.invalid, "ServiceImport \"\(backend.spec.backend.name)\" is not found", [])
            return .done
        }
        if (backend.spec.weight ?? 1) == 0 {
            let hadEndpoints = !existing.isEmpty
            try await removeEndpoints(existing, keeping: [], backend: backend, profile: azureName, group: group)
            if hadEndpoints {
                context.events.emit(
                    .normal, reason: TrafficManagerEventReasons.accepted,
                    message: "Successfully removed all endpoints from Azure Traffic Manager due to zero weight", about: backend)
            }
            try await writeStatus(
                backend, ConditionStatus.true, Reason.accepted, "0 service(s) exported from clusters have been accepted as Traffic Manager endpoints", [])
            return .done
        }

        let clusters = serviceImport.status?.clusterNames ?? []
        guard !clusters.isEmpty else {
            try await writeStatus(backend, ConditionStatus.unknown, Reason.pending, "In the process of exporting the services", [])
            return .done
        }
        var valid: [(cluster: String, export: InternalServiceExportSpec)] = []
        var invalid: [(cluster: String, reason: String)] = []
        for cluster in clusters.sorted() {
            let exportName = DerivedNames.hubObjectName(namespace: namespace, name: backend.spec.backend.name)
            guard let export = exports.get(namespace: FleetNamespaces.member(cluster), name: exportName)?.spec else {
                try await writeStatus(
                    backend, ConditionStatus.unknown, Reason.pending,
                    "Failed to find the exported service \(namespace)/\(backend.spec.backend.name) from cluster \(cluster)", [])
                return .done
            }
            if let reason = AzureEndpoints.invalidity(of: export) { invalid.append((cluster, reason)) } else { valid.append((cluster, export)) }
        }
        let desired = AzureEndpoints.desired(for: backend, valid: valid)

        var writable = backend
        if writable.metadata.addFinalizer(FleetFinalizers.trafficManagerBackendCleanup) {
            writable = try await written.write(over: backend) { [writable] in try await api(backend).replace(writable) }
        }
        try await removeEndpoints(existing, keeping: Set(desired.map { $0.name.lowercased() }), backend: writable, profile: azureName, group: group)

        var accepted: [TrafficManagerEndpointStatus] = []
        var refused: [String] = []
        for endpoint in desired {
            if let current = existing.first(where: { ($0.objectValue?["name"]?.stringValue ?? "").lowercased() == endpoint.name.lowercased() }),
                AzureEndpoints.matches(current, endpoint)
            {
                accepted.append(AzureEndpoints.status(current, desired: endpoint))
                continue
            }
            do {
                let written = try await arm.putEndpoint(
                    subscription: subscription, group: group, profile: azureName, name: endpoint.name, body: endpoint.body)
                context.events.emit(
                    .normal, reason: TrafficManagerEventReasons.accepted,
                    message: "Successfully created or updated Azure Traffic Manager endpoint \"\(endpoint.name)\"", about: writable)
                accepted.append(AzureEndpoints.status(written, desired: endpoint))
            } catch let error as ARMClientError where error.isClientError && !error.isThrottled {
                emitAzureError(writable, "Failed to create or update \"\(endpoint.name)\" for \"\(azureName)\": \(error)")
                refused.append("\(error)")
            } catch let error as ARMClientError {
                emitAzureError(writable, "Failed to create or update \"\(endpoint.name)\" for \"\(azureName)\": \(error)")
                try await writeStatus(
                    writable, ConditionStatus.unknown, Reason.pending, "Failed to create or update \"\(endpoint.name)\" for \"\(azureName)\": \(error)", [])
                throw error
            }
        }

        var message = ""
        if let first = refused.first {
            message += "\(refused.count) endpoint(s) failed to be created/updated in the Azure Traffic Manager, for example, \(first); "
        }
        if let first = invalid.first {
            message +=
                "\(invalid.count) service(s) exported from clusters cannot be exposed as the Azure Traffic Manager, for example, service exported from \(first.cluster) is invalid: \(first.reason)"
        }
        if message.isEmpty {
            try await writeStatus(
                writable, ConditionStatus.true, Reason.accepted,
                "\(accepted.count) service(s) exported from clusters have been accepted as Traffic Manager endpoints", accepted)
        } else {
            try await writeStatus(writable, ConditionStatus.false, Reason.invalid, message, accepted)
        }
        // Azure refusals (e.g. a 403 until a role is assigned) are retried with backoff.
        if !refused.isEmpty { return .requeueWithBackoff }
        return .requeue(after: resync)
    }

    /// Deletes this backend's endpoints among `existing` whose names are not in `keeping`.
    private func removeEndpoints(
        _ existing: [JSONValue], keeping: Set<String>, backend: TrafficManagerBackend, profile: String, group: String
    ) async throws {
        let arm = try await connection.client()
        for endpoint in existing {
            let name = endpoint.objectValue?["name"]?.stringValue ?? ""
            guard !keeping.contains(name.lowercased()) else { continue }
            do {
                try await arm.deleteEndpoint(subscription: subscription, group: group, profile: profile, name: name)
            } catch let error as ARMClientError where error.isNotFound {
            } catch let error as ARMClientError {
                emitAzureError(backend, "Failed to cleanup the existing \"\(name)\" for \"\(profile)\": \(error)")
                try await writeStatus(
                    backend, ConditionStatus.unknown, Reason.pending, "Failed to cleanup the existing \"\(name)\" for \"\(profile)\": \(error)", [])
                throw error
            }
        }
    }

    private func emitAzureError(_ backend: TrafficManagerBackend, _ message: String) {
        context.events.emit(.warning, reason: TrafficManagerEventReasons.azureAPIError, message: message, about: backend)
    }

    private func writeStatus(
        _ backend: TrafficManagerBackend, _ status: String, _ reason: String, _ message: String, _ endpoints: [TrafficManagerEndpointStatus]
    ) async throws {
        var current = backend.status ?? TrafficManagerBackendStatus()
        let sorted = endpoints.sorted { $0.name < $1.name }
        var changed = (current.endpoints ?? []) != sorted
        current.endpoints = sorted
        changed =
            current.conditions.setEquivalent(
                .make(
                    type: TrafficManagerBackendConditions.accepted, status: status, reason: reason, message: message,
                    observedGeneration: backend.metadata.generation, at: context.now())) || changed
        if let accepted = current.conditions?.condition(ofType: TrafficManagerBackendConditions.accepted) {
            metrics.observe(ObjectKey(backend), generation: backend.metadata.generation, condition: accepted, now: context.now())
        }
        guard changed else { return }
        var updated = backend
        updated.status = current
        _ = try await written.write(over: backend) { try await api(backend).replaceStatus(updated) }
    }

    private func delete(_ backend: TrafficManagerBackend) async throws -> ReconcileResult {
        if backend.metadata.hasFinalizer(FleetFinalizers.trafficManagerBackendCleanup),
            let profile = profiles.get(namespace: backend.metadata.namespace ?? "", name: backend.spec.profile.name)
        {
            let arm = try await connection.client()
            let azureName = AzureProfile.name(of: profile)
            do {
                let azure = try await arm.getProfile(subscription: subscription, group: profile.spec.resourceGroup, name: azureName)
                let owned = (azure.objectValue?["properties"]?.objectValue?["endpoints"]?.arrayValue ?? []).filter {
                    AzureEndpoints.isOwned($0.objectValue?["name"]?.stringValue ?? "", by: backend)
                }
                try await removeEndpoints(owned, keeping: [], backend: backend, profile: azureName, group: profile.spec.resourceGroup)
            } catch let error as ARMClientError where error.isNotFound || error.isForbidden {
                // No profile (or none we may see): nothing of ours is left there.
            }
            context.events.emit(
                .normal, reason: TrafficManagerEventReasons.deleted, message: "Deleted the Azure Traffic Manager endpoints of \(backend.metadata.name ?? "")",
                about: backend)
        }
        // The reference's metrics finalizer too, on a backend it managed before.
        var updated = backend
        guard updated.metadata.removeFinalizers([FleetFinalizers.trafficManagerBackendCleanup, FleetFinalizers.metricsCleanup]) else { return .done }
        do {
            _ = try await api(backend).replace(updated)
        } catch let error as KubeClientError where error.isNotFound {}
        return .done
    }
}
