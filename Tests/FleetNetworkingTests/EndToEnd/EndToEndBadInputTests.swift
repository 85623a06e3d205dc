import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Bad input with the whole fleet running (issue 5): each is reported where the user looks, and
// nothing crashes or loops.

@Suite(.serialized) struct EndToEndBadInputTests {
    @Test func badInputIsReportedAndNothingLoops() async throws {
        try await FleetTestbed.run { fleet in
            try await fleet.createNamespaceEverywhere(E2E.namespace)
            try await fleet.runningEverything { running in
                let ns = E2E.namespace
                let member1 = fleet.member("member-1")
                let member2 = fleet.member("member-2")
                let exports1 = member1.client.api(ServiceExport.self, namespace: ns)
                let services1 = member1.client.api(Service.self, namespace: ns)
                let slices1 = member1.client.api(EndpointSlice.self, namespace: ns)
                let mcsAPI = member2.client.api(MultiClusterService.self, namespace: ns)

                // A ServiceExport without a Service.
                _ = try await exports1.create(E2E.serviceExport("missing"))
                // A malformed weight annotation.
                _ = try await services1.create(makeService(ns, "weighted"))
                _ = try await exports1.create(E2E.serviceExport("weighted", annotations: [FleetAnnotations.weight: "heavy"]))
                // A MultiClusterService importing a service nobody exports.
                _ = try await mcsAPI.create(E2E.multiClusterService("ghost", importing: "nothing"))
                // A service whose only slice has no endpoints, imported by member-2.
                _ = try await services1.create(makeService(ns, "empty"))
                _ = try await slices1.create(E2E.slice("empty-1", service: "empty", addresses: []))
                _ = try await exports1.create(E2E.serviceExport("empty"))
                _ = try await mcsAPI.create(E2E.multiClusterService("empty", importing: "empty"))

                try await eventually("a missing Service is reported", timeout: .seconds(60)) {
                    try await E2E.exportState(
                        member1, "missing", valid: (ConditionStatus.false, ServiceExportConditions.Reason.serviceNotFound), conflict: nil)
                }
                try await eventually("a malformed weight is reported") {
                    try await E2E.exportState(
                        member1, "weighted", valid: (ConditionStatus.false, ServiceExportConditions.Reason.invalidWeightAnnotation),
                        conflict: nil)
                }
                let weighted = try await exports1.get("weighted")
                #expect(
                    weighted.status?.conditions?.condition(ofType: ServiceExportConditions.valid)?.message
                        == "serviceExport work/weighted has an invalid weight annotation, err = the weight annotation is not a valid integer: heavy")
                try await eventually("the MCS of an unknown import waits", timeout: .seconds(60)) {
                    try await E2E.mcsValid(member2, "ghost").map {
                        $0 == (ConditionStatus.unknown, MultiClusterServiceConditions.Reason.unknownServiceImport)
                    } == true
                }
                try await eventually("the empty service is imported", timeout: .seconds(60)) {
                    guard try await E2E.mcsValid(member2, "empty").map({ $0.1 }) == MultiClusterServiceConditions.Reason.foundServiceImport,
                        let derived = try await E2E.derivedServiceName(member2, "empty")
                    else { return false }
                    let imported = try await E2E.fleetSystemSlices(member2).filter { $0.metadata.labels?[FleetLabels.serviceName] == derived }
                    return imported.count == 1 && imported[0].endpoints.isEmpty
                }
                let hubGhost = fleet.hub.client.api(ServiceImport.self, namespace: ns)
                #expect(try await getIfPresent(hubGhost, "nothing") == nil, "no fleet ServiceImport is made up for an import")
                #expect(try await getIfPresent(hubGhost, "missing") == nil)
                #expect(try await getIfPresent(hubGhost, "weighted") == nil, "an invalid weight on a new export exports nothing")
                let ghostDerived = DerivedNames.derivedServiceName(namespace: ns, name: "ghost")
                #expect(try await getIfPresent(member2.client.api(Service.self, namespace: FleetNamespaces.fleetSystem), ghostDerived) == nil)

                // Settled: nothing keeps writing (no crash loop, no retry loop).
                try await EndToEndTests.assertQuiet(fleet)

                // And the fleet still works: an endpoint added to the empty slice arrives.
                try await update(slices1, "empty-1") { slice in
                    slice.endpoints = [Endpoint(addresses: ["127.11.1.1"], conditions: EndpointConditions(ready: true))]
                }
                let derived = try #require(try await E2E.derivedServiceName(member2, "empty"))
                try await eventually("the first endpoint of the empty service arrives") {
                    try await E2E.importedAddresses(member2, derived: derived) == ["127.11.1.1"]
                }
                // A malformed weight on a live export is reported but keeps its traffic; weight 0
                // withdraws it; no annotation restores it.
                try await update(exports1, "empty") { $0.metadata.annotations = [FleetAnnotations.weight: "1001"] }
                try await eventually("an out-of-range weight is reported") {
                    try await E2E.exportState(
                        member1, "empty", valid: (ConditionStatus.false, ServiceExportConditions.Reason.invalidWeightAnnotation),
                        conflict: nil)
                }
                try await consistently("the export keeps its traffic", for: .seconds(1)) {
                    try await E2E.importedAddresses(member2, derived: derived) == ["127.11.1.1"]
                }
                // Reported once, not in a loop: member/serviceexport and member/internalserviceexport
                // once took turns removing and restoring the hub's conditions (hundreds of writes
                // and events a second).
                try await EndToEndTests.assertQuiet(fleet)
                let reports = try await member1.client.api(Event.self, namespace: ns).list().items.filter {
                    $0.reason == MemberEventReasons.invalidWeightAnnotation && $0.involvedObject.name == "empty"
                }
                #expect(reports.count == 1 && reports.first?.count == 1, "one event: \(reports.map { $0.count ?? 0 })")
                try await update(exports1, "empty") { $0.metadata.annotations = [FleetAnnotations.weight: "0"] }
                try await eventually("weight 0 withdraws the export") {
                    let valid = try await E2E.exportState(member1, "empty", valid: E2E.validExport, conflict: nil)
                    let addresses = try await E2E.importedAddresses(member2, derived: derived)
                    return valid && addresses.isEmpty
                }
                try await update(exports1, "empty") { $0.metadata.annotations = nil }
                try await eventually("the default weight exports it again") {
                    try await E2E.importedAddresses(member2, derived: derived) == ["127.11.1.1"]
                }

                // The ghost import is served as soon as someone exports `nothing`.
                _ = try await services1.create(makeService(ns, "nothing"))
                _ = try await exports1.create(E2E.serviceExport("nothing"))
                try await eventually("a late export satisfies the waiting MCS", timeout: .seconds(60)) {
                    try await E2E.mcsValid(member2, "ghost").map { $0.1 } == MultiClusterServiceConditions.Reason.foundServiceImport
                }
            }
        }
    }
    /// A service exported from a namespace the hub does not have: the ServiceExport says why
    /// (Ready=False, NamespaceNotOnHub, with a Warning event on the member), and the moment the
    /// namespace is created on the hub the export goes through — the hub watches Namespaces, it
    /// does not wait out a backoff.
    @Test func anExportWaitsVisiblyForItsNamespaceOnTheHubAndProceedsWhenItAppears() async throws {
        try await FleetTestbed.run { fleet in
            let ns = "late"
            let member1 = fleet.member("member-1")
            try await fleet.createNamespace(ns, in: member1)
            try await fleet.runningEverything { _ in
                _ = try await member1.client.api(Service.self, namespace: ns).create(makeService(ns, "app"))
                let exports = member1.client.api(ServiceExport.self, namespace: ns)
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: ns)))

                try await eventually("the ServiceExport says the hub lacks its namespace", timeout: .seconds(60)) {
                    let export = try await exports.get("app")
                    return E2E.condition(export.status?.conditions, ServiceExportConditions.ready).map {
                        $0 == (ConditionStatus.false, ServiceExportConditions.Reason.namespaceNotOnHub)
                    } == true
                }
                let export = try await exports.get("app")
                #expect(E2E.condition(export.status?.conditions, ServiceExportConditions.valid)?.0 == ConditionStatus.true)
                #expect(
                    export.status?.conditions?.condition(ofType: ServiceExportConditions.ready)?.message
                        == "namespace late does not exist on the hub: the ServiceImport of late/app waits for it")
                try await eventually("a Warning event on the member names the reason") {
                    let events = try await member1.client.api(KubeModel.Event.self, namespace: ns).list().items
                    return events.contains {
                        $0.type == "Warning" && $0.reason == ServiceExportConditions.Reason.namespaceNotOnHub
                            && $0.involvedObject.name == "app"
                    }
                }

                try await fleet.createNamespace(ns, in: fleet.hub)
                let created = ContinuousClock.now
                try await eventually("the ServiceImport appears and the export is Ready", timeout: .seconds(60)) {
                    let export = try await exports.get("app")
                    let imported = try await getIfPresent(fleet.hub.client.api(ServiceImport.self, namespace: ns), "app")
                    return imported?.status?.clusters?.map(\.cluster) == ["member-1"]
                        && E2E.condition(export.status?.conditions, ServiceExportConditions.ready).map {
                            $0 == (ConditionStatus.true, ServiceExportConditions.Reason.exported)
                        } == true
                }
                let waited = ContinuousClock.now - created
                // A backoff-driven retry would take tens of seconds by now; the Namespace watch
                // brings it back at once.
                #expect(waited < .seconds(10), "the export went through \(waited) after the namespace was created")
            }
        }
    }
}
