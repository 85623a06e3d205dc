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
}
