import FleetAPI
import KubeModel
import KubeRuntime

/// The hub's verdict on one export, as its ServiceExport shows it: the InternalServiceExport's
/// `Conflict` condition (the reference's), and the `Ready` and `EndpointsAccepted` conditions our
/// hub writes too, each with the ServiceExport's generation as its observed generation.
///
/// Only an InternalServiceExport that is this export's counts: not deleting, not taken over by a
/// `multicluster.x-k8s.io` ServiceExport (whose controller writes that status), and uploaded from
/// this incarnation of the Service.
struct HubVerdict {
    var conflict: Condition?
    var ready: Condition?
    var accepted: Condition?
    /// The hub object's generation the conflict verdict is about.
    var generation: Int64?

    init(of hubExport: InternalServiceExport?, service: Service, generation exportGeneration: Int64?) {
        guard let hubExport, !hubExport.metadata.isDeleting, let spec = hubExport.spec, spec.clusterSetExport == nil,
            spec.serviceReference.uid == (service.metadata.uid ?? "")
        else { return }
        func copy(_ type: String) -> Condition? {
            guard var condition = hubExport.status?.conditions?.condition(ofType: type) else { return nil }
            condition.observedGeneration = exportGeneration
            return condition
        }
        generation = hubExport.status?.conditions?.condition(ofType: ServiceExportConditions.conflict)?.observedGeneration
        conflict = copy(ServiceExportConditions.conflict)
        ready = copy(ServiceExportConditions.ready)
        accepted = copy(ServiceExportConditions.endpointsAccepted)
    }

    /// Which conditions `apply` changed.
    struct Changes {
        var conflict = false
        var ready = false
        var accepted = false
        var any: Bool { conflict || ready || accepted }
    }

    /// Sets the hub's conditions it has (a condition the hub has not written is left as it is).
    func apply(to conditions: inout [Condition]?) -> Changes {
        var changes = Changes()
        if let conflict { changes.conflict = conditions.setEquivalent(conflict) }
        if let ready { changes.ready = conditions.setEquivalent(ready) }
        if let accepted { changes.accepted = conditions.setEquivalent(accepted) }
        return changes
    }

    /// The reference's conflict events (`NoServiceExportConflictFound`, `ServiceExportConflictFound`),
    /// and a Warning when the hub cannot take the export in or refuses its endpoints.
    func recordEvents(_ changes: Changes, about export: ServiceExport, events: EventRecorder) {
        if changes.conflict, let conflict {
            let isConflict = conflict.status == ConditionStatus.true
            events.emit(
                isConflict ? .warning : .normal,
                reason: isConflict ? MemberEventReasons.conflictFound : MemberEventReasons.noConflictFound,
                message: conflict.message, about: export)
        }
        if changes.ready, let ready, ready.status == ConditionStatus.false,
            ready.reason != ServiceExportConditions.Reason.notExported
        {
            events.emit(.warning, reason: ready.reason, message: ready.message, about: export)
        }
        if changes.accepted, let accepted, accepted.status == ConditionStatus.false {
            events.emit(.warning, reason: accepted.reason, message: accepted.message, about: export)
        }
    }
}
