import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/serviceexport (reference controllers §2.1): validates a ServiceExport against its Service
// and uploads the export as an InternalServiceExport `<hub namespace>/<derived name>` on the hub.
//
// With the Traffic Manager feature, the Azure public IP of an external LoadBalancer Service is
// looked up (PublicIPLookup) and reported with the export.
//
// Differences from the reference: `type` and `isInternalLoadBalancer` are set and cleared with
// the Service (§9.5); a failed public IP lookup does not hold the export back; the
// InternalServiceExport is also watched, so one deleted on the hub is recreated at once; events
// are recorded when a condition changes rather than on every reconcile; a reconcile that changes
// nothing writes nothing (the latency stamp is rewritten only when the Service's
// resourceVersion changes). The InternalServiceExport's `exportedSince` changes only when what is
// exported changes (ports, type, load balancer, weight): the hub resolves conflicts in favour of
// the oldest export, and a label or a load balancer's status must not make an export younger.

struct ServiceExportReconciler: Reconciler {
    let context: MemberAgentContext
    let exports: InformerStore<ServiceExport>
    let services: InformerStore<Service>
    let internalExports: InformerStore<InternalServiceExport>
    let clusterSetExports: InformerStore<MCSServiceExport>
    /// InternalServiceExports created and not yet in the cache.
    let created: CreateExpectations
    /// ServiceExport versions this controller replaced that the cache may still show.
    let written: UpdateExpectations
    /// The generation of each InternalServiceExport whose verdict was last measured.
    let measuredGenerations = GenerationMemo()

    static let name = "member-serviceexport"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let internalExports = context.hubInformers.informer(for: InternalServiceExport.self, namespace: context.hubNamespace)
        let created = CreateExpectations()
        created.observe(internalExports)
        let exports = context.memberInformers.informer(for: ServiceExport.self)
        let written = UpdateExpectations()
        written.observe(exports)
        let reconciler = ServiceExportReconciler(
            context: context,
            exports: exports.store,
            services: context.memberInformers.informer(for: Service.self).store,
            internalExports: internalExports.store,
            clusterSetExports: context.memberInformers.informer(for: MCSServiceExport.self).store,
            created: created, written: written)
        let controller = ControllerBuilder(name: name)
            .for(ServiceExport.self, in: context.memberInformers)
            .watches(Service.self, in: context.memberInformers) { [ObjectKey($0)] }
            .watches(InternalServiceExport.self, in: context.hubInformers, namespace: context.hubNamespace) { internalExport in
                guard let reference = internalExport.spec?.serviceReference else { return [] }
                return [ObjectKey(namespace: reference.namespace, name: reference.name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    private var exportAPI: ResourceAPI<ServiceExport> { context.member.api(ServiceExport.self) }
    private var internalExportAPI: ResourceAPI<InternalServiceExport> {
        context.hub.api(InternalServiceExport.self, namespace: context.hubNamespace)
    }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var export = exports.get(key) else { return .done }
        // The cache still shows a version this controller replaced: the event of its write comes.
        guard !written.isSuperseded(key, export.metadata) else { return .done }
        let internalName = DerivedNames.hubObjectName(namespace: key.namespace, name: key.name)
        let now = context.now()

        if export.metadata.isDeleting {
            _ = try await unexport(export, internalName: internalName)
            return .done
        }

        guard let service = services.get(key), !service.metadata.isDeleting else {
            export = try await unexport(export, internalName: internalName)
            try await setValid(
                export, status: ConditionStatus.false, reason: ServiceExportConditions.Reason.serviceNotFound,
                message: "service \(key) is not found", now: now,
                event: (.warning, MemberEventReasons.serviceNotFound, "service \(key) is not found"))
            return .done
        }

        if service.spec?.type == "ExternalName" || service.spec?.clusterIP == "None" {
            export = try await unexport(export, internalName: internalName)
            try await setValid(
                export, status: ConditionStatus.false, reason: ServiceExportConditions.Reason.serviceIneligible,
                message: "service \(key) is not eligible for export", now: now,
                event: (.warning, MemberEventReasons.serviceNotEligible, "service \(key) is not eligible for export"))
            return .done
        }

        let weight: Int64
        do {
            weight = try ExportWeight.parse(export.metadata.annotations)
        } catch {
            // The current export (if any) stays: an invalid annotation must not cut traffic.
            let message = "serviceExport \(key) has an invalid weight annotation, err = \(error.description)"
            try await setValid(
                export, status: ConditionStatus.false, reason: ServiceExportConditions.Reason.invalidWeightAnnotation,
                message: message, now: now, event: (.warning, MemberEventReasons.invalidWeightAnnotation, message),
                kept: HubVerdict(
                    of: internalExports.get(namespace: context.hubNamespace, name: internalName), service: service,
                    generation: export.metadata.generation))
            return .done
        }

        if weight == 0 {
            export = try await unexport(export, internalName: internalName)
            try await setValid(
                export, status: ConditionStatus.true, reason: ServiceExportConditions.Reason.serviceIsValid,
                message: "exported service \(key) with 0 weight", now: now,
                event: (.normal, MemberEventReasons.zeroWeight, "service \(key) is unexported as its weight is 0"))
            return .done
        }

        // The finalizer (before any hub write) and the latency stamp, in one write.
        let prepared = try await prepareForExport(export, service: service, now: now)
        export = prepared.export
        let stamp = prepared.stamp

        let hubExport = internalExports.get(namespace: context.hubNamespace, name: internalName)
        export = try await markValid(export, key: key, hubExport: hubExport, service: service, now: now)

        // The public IP a Traffic Manager endpoint would target (member-net with the feature on).
        var publicIP: PublicIPLookup.Result?
        var lookupError: (any Error)?
        var followUp = ReconcileResult.done
        if let lookup = context.publicIPs {
            do {
                switch try await lookup.lookUp(service) {
                case .notApplicable: break
                case .found(let found): publicIP = found
                case .notFound(let ip, let group):
                    // The reference never looks again; a public IP made later is found at the next try.
                    context.logger.info("no public IP with address \(ip) in resource group \(group) for service \(key) yet")
                    followUp = .requeue(after: lookup.retryAfter)
                }
            } catch {
                // The export still goes to the hub (a multi-cluster service must not wait for
                // Azure), with the public IP the hub has; the lookup is retried with backoff.
                lookupError = error
                if let id = hubExport?.spec?.publicIPResourceID {
                    publicIP = PublicIPLookup.Result(resourceID: id, isDNSLabelConfigured: hubExport?.spec?.isDNSLabelConfigured ?? false)
                }
            }
        }

        // The hub object.
        let desired = InternalServiceExportSpec(
            ports: (service.spec?.ports ?? []).map(FleetServicePort.init),
            serviceReference: ExportedObjectReference(
                clusterId: context.clusterID, apiVersion: Service.apiVersion, kind: Service.kind,
                namespace: key.namespace, name: key.name, resourceVersion: service.metadata.resourceVersion ?? "",
                generation: service.metadata.generation ?? 0, uid: service.metadata.uid ?? "", exportedSince: stamp),
            type: service.spec?.type ?? "ClusterIP",
            isDNSLabelConfigured: publicIP?.isDNSLabelConfigured,
            isInternalLoadBalancer: service.spec?.type == "LoadBalancer"
                ? service.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] == "true" : nil,
            publicIPResourceID: publicIP?.resourceID,
            weight: weight)
        let uploaded = try await upload(desired, key: key, internalName: internalName, existing: hubExport)
        if let lookupError { throw lookupError }
        return uploaded == .done ? followUp : uploaded
    }

    /// Creates or updates the hub object with `desired`.
    private func upload(
        _ desired: InternalServiceExportSpec, key: ObjectKey, internalName: String, existing hubExport: InternalServiceExport?
    ) async throws -> ReconcileResult {
        var desired = desired
        guard var existing = hubExport else {
            // InternalServiceExports are watched: one created by an earlier round brings this key back.
            let internalKey = ObjectKey(namespace: context.hubNamespace, name: internalName)
            guard !created.isPending(internalKey) else { return .done }
            try await internalExportAPI.createUnlessPresent(Self.newInternalExport(internalKey, spec: desired))
            created.expectCreated(internalKey)
            return .done
        }
        if existing.metadata.isDeleting {
            // Its deletion event brings this key back.
            return .done
        }
        if let uid = existing.spec?.serviceReference.uid, uid != desired.serviceReference.uid {
            // Exported from another incarnation of the Service: withdraw it, then export again
            // (the deletion event of the old object brings this key back).
            context.logger.info("re-exporting \(key): the hub export belongs to service UID \(uid)")
            try await internalExportAPI.deleteIgnoringNotFound(internalName, uid: existing.metadata.uid)
            return .requeueWithBackoff
        }
        if let current = existing.spec, Self.exportsTheSame(current, desired) {
            // Only the Service's metadata or status changed (a label, a load balancer IP): the
            // export keeps its age. The hub lets the oldest export win a conflict, so a fresh
            // stamp here would hand the service to a conflicting cluster.
            desired.serviceReference.exportedSince = current.serviceReference.exportedSince
        }
        if existing.spec != desired {
            existing.spec = desired
            _ = try await internalExportAPI.replace(existing)
        }
        return .done
    }

    /// A new hub export, created with the hub's finalizer, which the hub would otherwise add as
    /// its first write (it still does for an agent that leaves it out).
    static func newInternalExport(_ key: ObjectKey, spec: InternalServiceExportSpec) -> InternalServiceExport {
        InternalServiceExport(
            metadata: ObjectMeta(name: key.name, namespace: key.namespace, finalizers: [FleetFinalizers.internalServiceExportCleanup]),
            spec: spec)
    }

    /// Whether two exports expose the same thing (ports, type, load balancer, weight): they may
    /// differ only in the Service version they were taken from, their stamp and the load
    /// balancer's public IP resource.
    static func exportsTheSame(_ lhs: InternalServiceExportSpec, _ rhs: InternalServiceExportSpec) -> Bool {
        func content(_ spec: InternalServiceExportSpec) -> InternalServiceExportSpec {
            var spec = spec
            spec.serviceReference.resourceVersion = ""
            spec.serviceReference.generation = 0
            spec.serviceReference.exportedSince = nil
            // Where the load balancer's address lives in Azure is not what is exported.
            spec.publicIPResourceID = nil
            spec.isDNSLabelConfigured = nil
            return spec
        }
        return content(lhs) == content(rhs)
    }

    /// Withdraws the export (hub object, then finalizer); returns the ServiceExport as written.
    /// When this ServiceExport is deleted while a `multicluster.x-k8s.io` ServiceExport of the same
    /// Service waits beside it, the hub object is left for member/clusterset-serviceexport to take
    /// over in place (no gap in the cluster's endpoints).
    private func unexport(_ export: ServiceExport, internalName: String) async throws -> ServiceExport {
        measuredGenerations.forget(ObjectKey(namespace: context.hubNamespace, name: internalName))
        if let uid = internalExports.get(namespace: context.hubNamespace, name: internalName)?.spec?.serviceReference.uid {
            context.publicIPs?.forget(serviceUID: uid)
        }
        guard export.metadata.hasFinalizer(FleetFinalizers.serviceExportCleanup) else { return export }
        let takenOver =
            export.metadata.isDeleting && clusterSetExports.get(ObjectKey(export)).map { !$0.metadata.isDeleting } ?? false
        if !takenOver { try await internalExportAPI.deleteIgnoringNotFound(internalName) }
        var updated = export
        updated.metadata.removeFinalizer(FleetFinalizers.serviceExportCleanup)
        return try await written.write(over: export) { try await exportAPI.replace(updated) }
    }

    /// Adds the finalizer and refreshes the latency stamp (annotations `last-seen-resource-version`
    /// and `last-seen-timestamp`) when the Service changed; returns the export and the stamp.
    private func prepareForExport(
        _ export: ServiceExport, service: Service, now: Date
    ) async throws -> (export: ServiceExport, stamp: Time) {
        var updated = export
        let resourceVersion = service.metadata.resourceVersion ?? ""
        let annotations = export.metadata.annotations ?? [:]
        var stamp = Time(now)
        if annotations[FleetAnnotations.lastSeenResourceVersion] == resourceVersion,
            let seen = annotations[FleetAnnotations.lastSeenTimestamp].flatMap(Time.init(rfc3339:)), seen.date <= now
        {
            stamp = seen
        } else {
            updated.metadata.annotations = annotations.merging([
                FleetAnnotations.lastSeenResourceVersion: resourceVersion,
                FleetAnnotations.lastSeenTimestamp: stamp.rfc3339,
            ]) { $1 }
        }
        updated.metadata.addFinalizer(FleetFinalizers.serviceExportCleanup)
        guard updated.metadata != export.metadata else { return (export, stamp) }
        return (try await written.write(over: export) { try await exportAPI.replace(updated) }, stamp)
    }

    /// `Valid=True`, with the hub's verdict on the export (`Conflict`, and the `Ready` and
    /// `EndpointsAccepted` our hub writes) copied from the InternalServiceExport, or
    /// `Conflict=Unknown` until the hub reports: one status write per change, and this controller
    /// its only writer (two writers of one status race and repeat their writes).
    private func markValid(
        _ export: ServiceExport, key: ObjectKey, hubExport: InternalServiceExport?, service: Service, now: Date
    ) async throws -> ServiceExport {
        var conditions = export.status?.conditions
        let validChanged = conditions.setEquivalent(
            .make(
                type: ServiceExportConditions.valid, status: ConditionStatus.true,
                reason: ServiceExportConditions.Reason.serviceIsValid, message: "service \(key) is valid for export",
                observedGeneration: export.metadata.generation, at: now))
        let verdict = HubVerdict(of: hubExport, service: service, generation: export.metadata.generation)
        var conflictAdded = false
        if verdict.conflict == nil, conditions?.condition(ofType: ServiceExportConditions.conflict) == nil {
            conflictAdded = conditions.setEquivalent(
                .make(
                    type: ServiceExportConditions.conflict, status: ConditionStatus.unknown,
                    reason: ServiceExportConditions.Reason.pendingConflictResolution,
                    message: "service \(key) is pending export conflict resolution",
                    observedGeneration: export.metadata.generation, at: now))
        }
        let changes = verdict.apply(to: &conditions)
        defer { if let hubExport { observeLatency(hubExport, verdict: verdict, changes: changes) } }
        guard validChanged || conflictAdded || changes.any else { return export }
        var updated = export
        updated.status = ServiceExportStatus(conditions: conditions)
        updated = try await written.write(over: export) { try await exportAPI.replaceStatus(updated) }
        if validChanged {
            record(.normal, MemberEventReasons.validServiceExport, "service \(key) is valid for export", about: updated)
        }
        if conflictAdded {
            record(
                .normal, MemberEventReasons.pendingConflictResolution, "service \(key) is pending export conflict resolution",
                about: updated)
        }
        verdict.recordEvents(changes, about: updated, events: context.memberEvents)
        return updated
    }

    /// The export latency (`exportedSince` → now), once per generation of the hub object (each
    /// exported version of the Service), when the hub's verdict on that generation arrives, and
    /// only when the export is fresh: a Service change that exports the same thing keeps the older
    /// `exportedSince`, which would measure the age of the export instead of a latency. The
    /// reference records the version in an annotation on the hub object (a hub write per export);
    /// here it is remembered in memory, and a verdict already on the ServiceExport when first seen
    /// (a restart) is not measured.
    private func observeLatency(_ hubExport: InternalServiceExport, verdict: HubVerdict, changes: HubVerdict.Changes) {
        let generation = hubExport.metadata.generation ?? 0
        guard verdict.generation == generation, let reference = hubExport.spec?.serviceReference else { return }
        let key = ObjectKey(namespace: context.hubNamespace, name: hubExport.metadata.name ?? "")
        let recorded = measuredGenerations.record(generation, for: key, uid: hubExport.metadata.uid)
        guard recorded == .newGeneration || (recorded == .first && (changes.conflict || changes.ready)),
            let since = reference.exportedSince, isFreshExport(reference)
        else { return }
        context.latency.observeServiceExport(
            originCluster: context.clusterID, milliseconds: LatencyMetrics.milliseconds(from: since.date, to: context.now()))
    }

    /// Whether the hub export carries the stamp the member took for the Service version it
    /// references (annotations `last-seen-resource-version` / `last-seen-timestamp`).
    private func isFreshExport(_ reference: ExportedObjectReference) -> Bool {
        guard let export = exports.get(namespace: reference.namespace, name: reference.name),
            let annotations = export.metadata.annotations,
            annotations[FleetAnnotations.lastSeenResourceVersion] == reference.resourceVersion,
            let seen = annotations[FleetAnnotations.lastSeenTimestamp].flatMap(Time.init(rfc3339:))
        else { return true }
        return seen == reference.exportedSince
    }

    /// Sets the `Valid` condition; records `event` when it changed. `kept`: the export stays on the
    /// hub (an invalid weight annotation must not cut traffic), so its verdict is still copied;
    /// otherwise the export is withdrawn and the hub's Ready and EndpointsAccepted no longer hold.
    private func setValid(
        _ export: ServiceExport, status: String, reason: String, message: String, now: Date,
        event: (EventType, String, String), kept verdict: HubVerdict? = nil
    ) async throws {
        var conditions = export.status?.conditions
        var changed = conditions.setEquivalent(
            .make(
                type: ServiceExportConditions.valid, status: status, reason: reason, message: message,
                observedGeneration: export.metadata.generation, at: now))
        var changes = HubVerdict.Changes()
        if let verdict {
            changes = verdict.apply(to: &conditions)
        } else if status != ConditionStatus.true {
            for type in [ServiceExportConditions.ready, ServiceExportConditions.endpointsAccepted]
            where conditions?.remove(type: type) == true {
                changed = true
            }
        }
        guard changed || changes.any else { return }
        var updated = export
        updated.status = ServiceExportStatus(conditions: conditions)
        updated = try await written.write(over: export) { try await exportAPI.replaceStatus(updated) }
        if changed { record(event.0, event.1, event.2, about: updated) }
        verdict?.recordEvents(changes, about: updated, events: context.memberEvents)
    }

    private func record(_ type: EventType, _ reason: String, _ message: String, about export: ServiceExport) {
        context.memberEvents.emit(type, reason: reason, message: message, about: export)
    }
}
