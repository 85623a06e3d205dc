import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// member/serviceexport and member/internalserviceexport (reference tests §7.1, adapted): exports
// are validated, uploaded as InternalServiceExports with their exact spec, withdrawn when they
// become invalid, and the hub's conflict resolution comes back to the ServiceExport.

@Suite struct ServiceExportControllerTests {
    static let hubNamespace = FleetNamespaces.member("member-1")

    @Test func validExportCreatesTheInternalServiceExportAndTheHubConflictResultComesBack() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let services = member.api(Service.self, namespace: "work")
            let exports = member.api(ServiceExport.self, namespace: "work")
            let internalExports = fleet.hub.client.api(InternalServiceExport.self, namespace: Self.hubNamespace)
            let internalName = DerivedNames.hubObjectName(namespace: "work", name: "app")

            try await fleet.runningMemberNet { _ in
                let service = try await services.create(makeService("work", "app"))
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))

                try await eventually("the export is uploaded") { try await getIfPresent(internalExports, internalName) != nil }
                let export = try await exports.get("app")
                #expect(export.metadata.finalizers == [FleetFinalizers.serviceExportCleanup])
                let valid = export.status?.conditions.condition(ServiceExportConditions.valid)
                #expect(valid?.status == "True")
                #expect(valid?.reason == "ServiceIsValid")
                #expect(valid?.message == "service work/app is valid for export")
                #expect(valid?.observedGeneration == export.metadata.generation)
                let pending = export.status?.conditions.condition(ServiceExportConditions.conflict)
                #expect(pending?.status == "Unknown")
                #expect(pending?.reason == "ServicePendingConflictResolution")
                #expect(pending?.message == "service work/app is pending export conflict resolution")
                #expect(export.metadata.annotations?[FleetAnnotations.lastSeenResourceVersion] == service.metadata.resourceVersion)
                let stamp = try #require(export.metadata.annotations?[FleetAnnotations.lastSeenTimestamp].flatMap(Time.init(rfc3339:)))

                let internalExport = try await internalExports.get(internalName)
                #expect(internalName == "work-app")
                let expected = InternalServiceExportSpec(
                    ports: [FleetServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))],
                    serviceReference: ExportedObjectReference(
                        clusterId: "member-1", apiVersion: "v1", kind: "Service", namespace: "work", name: "app",
                        resourceVersion: service.metadata.resourceVersion ?? "", generation: service.metadata.generation ?? 0,
                        uid: service.metadata.uid ?? "", exportedSince: stamp),
                    type: "ClusterIP", weight: 1)
                #expect(internalExport.spec == expected)
                #expect(internalExport.spec?.serviceReference.namespacedName == "work/app")

                // Deleted on the hub: uploaded again from the delete event, with the same stamp.
                // (The deleted object lingers until the hub's finalizer is released: wait for a new one.)
                _ = try await internalExports.delete(internalName)
                try await eventually("the export is uploaded again") {
                    let again = try await getIfPresent(internalExports, internalName)
                    return again?.spec == expected && again?.metadata.uid != internalExport.metadata.uid && again?.metadata.isDeleting == false
                }

                // The hub resolves: no conflict, then a conflict; each is copied back.
                try await resolveConflict(fleet, "work", "app", conflicted: false)
                try await eventually("NoConflictFound is reported back") {
                    let conflict = try await exports.get("app").status?.conditions.condition(ServiceExportConditions.conflict)
                    return conflict?.status == "False" && conflict?.reason == "NoConflictFound"
                        && conflict?.message == "service work/app is exported without conflict"
                }
                let reported = try await exports.get("app")
                #expect(
                    reported.status?.conditions.condition(ServiceExportConditions.conflict)?.observedGeneration
                        == reported.metadata.generation)
                // The export latency is observed once for this version of the Service, when the
                // hub's verdict arrives, with no write to the hub object (the reference annotates it).
                #expect(
                    try await internalExports.get(internalName).metadata.annotations?[FleetAnnotations.lastObservedResourceVersion] == nil)
                #expect(try await internalExports.get(internalName).spec?.serviceReference.resourceVersion == service.metadata.resourceVersion)
                try await eventually("the export latency is measured") {
                    fleet.registry.emitToString().contains("fleet_networking_service_export_duration_milliseconds_count{origin_cluster_id=\"member-1\"} 1")
                }

                try await resolveConflict(fleet, "work", "app", conflicted: true)
                try await eventually("ConflictFound is reported back") {
                    let conflict = try await exports.get("app").status?.conditions.condition(ServiceExportConditions.conflict)
                    return conflict?.status == "True" && conflict?.reason == "ConflictFound"
                        && conflict?.message == "service work/app is in conflict with other exported services"
                }

                // Converged: nothing is written any more (no annotation, status or hub churn).
                let baseline = try await settled("the export and its hub object") {
                    [try await exports.get("app").metadata.resourceVersion, try await internalExports.get(internalName).metadata.resourceVersion]
                }
                let (exportVersion, internalVersion) = (baseline[0], baseline[1])
                try await consistently("nothing is written", for: .seconds(3)) {
                    let exportNow = try await exports.get("app").metadata.resourceVersion
                    let internalNow = try await internalExports.get(internalName).metadata.resourceVersion
                    return exportNow == exportVersion && internalNow == internalVersion
                }

                // Deleting the ServiceExport withdraws the export and lets it go.
                _ = try await exports.delete("app")
                try await eventually("the export is withdrawn and the ServiceExport deleted") {
                    let internalExport = try await getIfPresent(internalExports, internalName)
                    let export = try await getIfPresent(exports, "app")
                    return internalExport == nil && export == nil
                }
            }
        }
    }

    @Test func missingHeadlessAndExternalNameServicesAreInvalidAndNotExported() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let services = member.api(Service.self, namespace: "work")
            let exports = member.api(ServiceExport.self, namespace: "work")
            let internalExports = fleet.hub.client.api(InternalServiceExport.self, namespace: Self.hubNamespace)

            try await fleet.runningMemberNet { _ in
                _ = try await services.create(makeService("work", "headless", clusterIP: "None"))
                _ = try await services.create(
                    Service(
                        metadata: ObjectMeta(name: "external", namespace: "work"),
                        spec: ServiceSpec(type: "ExternalName", externalName: "example.com")))
                for name in ["missing", "headless", "external"] {
                    _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: name, namespace: "work")))
                }
                let expected = [
                    "missing": ("ServiceNotFound", "service work/missing is not found"),
                    "headless": ("ServiceIneligible", "service work/headless is not eligible for export"),
                    "external": ("ServiceIneligible", "service work/external is not eligible for export"),
                ]
                for (name, (reason, message)) in expected {
                    try await eventually("\(name) is marked invalid") {
                        let valid = try await exports.get(name).status?.conditions.condition(ServiceExportConditions.valid)
                        return valid?.status == "False" && valid?.reason == reason && valid?.message == message
                    }
                    #expect(try await exports.get(name).metadata.finalizers == nil)
                }
                try await consistently("nothing is exported", for: .seconds(1)) {
                    try await internalExports.list().items.isEmpty
                }

                // A Service that becomes eligible is exported; one that becomes ineligible is withdrawn.
                try await update(services, "external") { service in
                    service.spec = ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80)], type: "ClusterIP")
                }
                try await eventually("the now eligible service is exported") {
                    try await getIfPresent(internalExports, "work-external") != nil
                }
                try await update(services, "external") { service in
                    service.spec = ServiceSpec(type: "ExternalName", externalName: "example.com")
                }
                try await eventually("the ineligible service is withdrawn") {
                    let export = try await exports.get("external")
                    let valid = export.status?.conditions.condition(ServiceExportConditions.valid)
                    let internalExport = try await getIfPresent(internalExports, "work-external")
                    return internalExport == nil && valid?.reason == "ServiceIneligible" && export.metadata.finalizers == nil
                }
            }
        }
    }

    @Test func weightAnnotationLoadBalancerFieldsServiceDeletionAndReexport() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let services = member.api(Service.self, namespace: "work")
            let exports = member.api(ServiceExport.self, namespace: "work")
            let internalExports = fleet.hub.client.api(InternalServiceExport.self, namespace: Self.hubNamespace)

            // An export left on the hub by an earlier Service of the same name (another UID).
            _ = try await internalExports.create(
                InternalServiceExport(
                    metadata: ObjectMeta(name: "work-app", namespace: Self.hubNamespace),
                    spec: InternalServiceExportSpec(
                        ports: [FleetServicePort(port: 1)],
                        serviceReference: ExportedObjectReference(
                            clusterId: "member-1", kind: "Service", namespace: "work", name: "app", resourceVersion: "1",
                            generation: 0, uid: "0"))))
            // A dangling export (no ServiceExport) is removed by the hub side.
            _ = try await internalExports.create(
                InternalServiceExport(
                    metadata: ObjectMeta(name: "work-gone", namespace: Self.hubNamespace),
                    spec: InternalServiceExportSpec(
                        ports: [FleetServicePort(port: 1)],
                        serviceReference: ExportedObjectReference(
                            clusterId: "member-1", kind: "Service", namespace: "work", name: "gone", resourceVersion: "1",
                            generation: 0, uid: "9"))))

            try await fleet.runningMemberNet { _ in
                let service = try await services.create(
                    makeService(
                        "work", "app", type: "LoadBalancer",
                        annotations: [FleetAnnotations.azureLoadBalancerInternal: "true"]))
                _ = try await exports.create(
                    ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work", annotations: [FleetAnnotations.weight: "560"])))

                try await eventually("the export of the new Service replaces the old one") {
                    let spec = try await getIfPresent(internalExports, "work-app")?.spec
                    return spec?.serviceReference.uid == service.metadata.uid && spec?.weight == 560
                        && spec?.type == "LoadBalancer" && spec?.isInternalLoadBalancer == true
                }
                try await eventually("the dangling export is deleted") { try await getIfPresent(internalExports, "work-gone") == nil }

                // No longer internal, then no longer a load balancer: the fields follow (§9.5).
                try await update(services, "app") { $0.metadata.annotations = nil }
                try await eventually("isInternalLoadBalancer is false") {
                    try await internalExports.get("work-app").spec?.isInternalLoadBalancer == false
                }
                try await update(services, "app") { service in
                    var spec = service.spec ?? ServiceSpec()
                    spec.type = "ClusterIP"
                    spec.ports = spec.ports?.map { port in
                        var port = port
                        port.nodePort = nil
                        return port
                    }
                    service.spec = spec
                }
                try await eventually("type and isInternalLoadBalancer are cleared") {
                    let spec = try await internalExports.get("work-app").spec
                    return spec?.type == "ClusterIP" && spec?.isInternalLoadBalancer == nil
                }

                // An invalid weight invalidates the ServiceExport but keeps the export.
                try await update(exports, "app") { $0.metadata.annotations?[FleetAnnotations.weight] = "3837" }
                try await eventually("the invalid weight is reported") {
                    let valid = try await exports.get("app").status?.conditions.condition(ServiceExportConditions.valid)
                    return valid?.status == "False" && valid?.reason == "ServiceExportInvalidWeightAnnotation"
                        && valid?.message
                            == "serviceExport work/app has an invalid weight annotation, err = the weight annotation is not in the range [0, 1000]: 3837"
                }
                try await consistently("the export stays with its last valid weight", for: .seconds(1)) {
                    try await internalExports.get("work-app").spec?.weight == 560
                }
                try await update(exports, "app") { $0.metadata.annotations?[FleetAnnotations.weight] = "abc" }
                try await eventually("the non-integer weight is reported") {
                    try await exports.get("app").status?.conditions.condition(ServiceExportConditions.valid)?.message
                        == "serviceExport work/app has an invalid weight annotation, err = the weight annotation is not a valid integer: abc"
                }

                // Weight 0 withdraws the export while keeping it valid.
                try await update(exports, "app") { $0.metadata.annotations?[FleetAnnotations.weight] = "0" }
                try await eventually("weight 0 unexports") {
                    let export = try await exports.get("app")
                    let valid = export.status?.conditions.condition(ServiceExportConditions.valid)
                    return try await getIfPresent(internalExports, "work-app") == nil && valid?.status == "True"
                        && valid?.reason == "ServiceIsValid" && valid?.message == "exported service work/app with 0 weight"
                        && export.metadata.finalizers == nil
                }
                // Without the annotation it is exported again with weight 1.
                try await update(exports, "app") { $0.metadata.annotations?[FleetAnnotations.weight] = nil }
                try await eventually("re-exported with weight 1") {
                    try await getIfPresent(internalExports, "work-app")?.spec?.weight == 1
                }

                // Deleting the Service withdraws the export.
                _ = try await services.delete("app")
                try await eventually("the export of a deleted Service is withdrawn") {
                    let export = try await exports.get("app")
                    let valid = export.status?.conditions.condition(ServiceExportConditions.valid)
                    return try await getIfPresent(internalExports, "work-app") == nil && valid?.status == "False"
                        && valid?.reason == "ServiceNotFound" && export.metadata.finalizers == nil
                }
            }
        }
    }
}

extension ServiceExportControllerTests {
    /// The hub lets the oldest export win a conflict, by `exportedSince`. A change of the Service
    /// that exports the same thing (a label, a load balancer's status) must not make the export
    /// younger, or touching the winning Service hands the service to a conflicting cluster; a
    /// port change does restamp it. Only fresh stamps are measured as export latency.
    @Test func exportedSinceChangesOnlyWithWhatIsExported() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let services = member.api(Service.self, namespace: "work")
            let exports = member.api(ServiceExport.self, namespace: "work")
            let internalExports = fleet.hub.client.api(InternalServiceExport.self, namespace: Self.hubNamespace)
            let internalName = DerivedNames.hubObjectName(namespace: "work", name: "app")
            let metric = "fleet_networking_service_export_duration_milliseconds_count{origin_cluster_id=\"member-1\"}"

            try await fleet.runningMemberNet { _ in
                let service = try await services.create(makeService("work", "app"))
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))
                try await resolveConflict(fleet, "work", "app", conflicted: false)
                #expect(try await internalExports.get(internalName).spec?.serviceReference.resourceVersion == service.metadata.resourceVersion)
                try await eventually("the first export's latency is measured") { fleet.registry.emitToString().contains("\(metric) 1") }
                let stamp = try #require(try await internalExports.get(internalName).spec?.serviceReference.exportedSince)

                // A label: same export, new Service version, same stamp, not measured again.
                try await Task.sleep(for: .seconds(1.1))  // stamps have whole seconds
                let labelled = try await update(services, "app") { $0.metadata.labels = ["touched": "yes"] }
                try await eventually("the hub export references the labelled Service") {
                    try await internalExports.get(internalName).spec?.serviceReference.resourceVersion == labelled.metadata.resourceVersion
                }
                #expect(try await internalExports.get(internalName).spec?.serviceReference.exportedSince == stamp)
                // The hub's verdict on the labelled version: not measured (the stamp is not fresh).
                try await resolveConflict(fleet, "work", "app", conflicted: false)

                // A port change restamps the export.
                try await update(services, "app") { service in
                    service.spec?.ports = [ServicePort(name: "http", protocol: "TCP", port: 81, targetPort: .int(8080))]
                }
                try await eventually("the new port is exported with a new stamp") {
                    let spec = try await internalExports.get(internalName).spec
                    return spec?.ports.map(\.port) == [81] && (spec?.serviceReference.exportedSince).map { $0 > stamp } == true
                }
                // The verdict on the restamped export is measured: two in all, so the labelled
                // version was not.
                try await resolveConflict(fleet, "work", "app", conflicted: false)
                try await eventually("the restamped export's latency is measured") { fleet.registry.emitToString().contains("\(metric) 2") }
                #expect(!fleet.registry.emitToString().contains("\(metric) 3"))
            }
        }
    }
}
