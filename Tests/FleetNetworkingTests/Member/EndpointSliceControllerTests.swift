import FleetAPI
@testable import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// member/endpointslice and member/endpointsliceexport (reference tests §7.2, adapted to our
// decisions): slices of exported, non-conflicted services become EndpointSliceExports under
// derived names, with every endpoint's conditions and IPv6 slices too, without writing to the
// member's EndpointSlices; exports follow slice updates, export validity and conflicts, and a
// deleted slice's export goes from the delete event (the reference polls every 5 minutes).

@Suite struct EndpointSliceControllerTests {
    static let hubNamespace = FleetNamespaces.member("member-1")

    static func slice(
        _ name: String, service: String?, addressType: String = "IPv4", endpoints: [Endpoint],
        ports: [EndpointPort] = [EndpointPort(name: "http", protocol: "TCP", port: 8080)]
    ) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: "work", labels: service.map { [FleetLabels.serviceName: $0] }),
            addressType: addressType, endpoints: endpoints, ports: ports)
    }

    static let v4Endpoints = [
        Endpoint(addresses: ["127.11.0.1"], conditions: EndpointConditions(ready: true, serving: true, terminating: false)),
        Endpoint(addresses: ["127.11.0.2"], conditions: EndpointConditions(ready: false, serving: true, terminating: true)),
        Endpoint(addresses: ["127.11.0.3"], conditions: EndpointConditions(ready: false, serving: false, terminating: false)),
    ]

    static func exportName(_ slice: String) -> String {
        DerivedNames.endpointSliceExportName(cluster: "member-1", namespace: "work", name: slice)
    }

    @Test func derivedExportNamesAreDeterministicValidAndDistinct() {
        let name = DerivedNames.endpointSliceExportName(cluster: "member-1", namespace: "work", name: "app-v4")
        #expect(name == "member-1-work-app-v4-" + DerivedNames.hexHash("member-1/work/app-v4"))
        #expect(name == DerivedNames.endpointSliceExportName(cluster: "member-1", namespace: "work", name: "app-v4"))
        // `a-b/c` and `a/b-c` share the plain prefix but not the name.
        #expect(
            DerivedNames.endpointSliceExportName(cluster: "m", namespace: "a-b", name: "c")
                != DerivedNames.endpointSliceExportName(cluster: "m", namespace: "a", name: "b-c"))
        let long = DerivedNames.endpointSliceExportName(
            cluster: "member-1", namespace: String(repeating: "n", count: 63), name: String(repeating: "s.", count: 120) + "x")
        #expect(long.count <= 253)
        #expect(NameValidation.dns1123SubdomainProblems(long).isEmpty)
    }

    @Test func slicesOfValidNonConflictedExportsAreExportedWatchDriven() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let services = member.api(Service.self, namespace: "work")
            let exports = member.api(ServiceExport.self, namespace: "work")
            let slices = member.api(EndpointSlice.self, namespace: "work")
            let sliceExports = fleet.hub.client.api(EndpointSliceExport.self, namespace: Self.hubNamespace)

            _ = try await services.create(makeService("work", "app"))
            var createdSlices: [String: EndpointSlice] = [:]
            for slice in [
                Self.slice("app-v4", service: "app", endpoints: Self.v4Endpoints),
                Self.slice("app-v6", service: "app", addressType: "IPv6", endpoints: [Endpoint(addresses: ["fd00::1"])]),
                Self.slice("app-fqdn", service: "app", addressType: "FQDN", endpoints: [Endpoint(addresses: ["example.com"])]),
                Self.slice("other-1", service: "other", endpoints: [Endpoint(addresses: ["127.11.0.9"])]),
                Self.slice("unlabelled", service: nil, endpoints: [Endpoint(addresses: ["127.11.0.8"])]),
            ] {
                createdSlices[slice.metadata.name!] = try await slices.create(slice)
            }
            let created = createdSlices
            let exportedNames = Set([Self.exportName("app-v4"), Self.exportName("app-v6")])
            let exportedNamesNow: @Sendable () async throws -> Set<String> = {
                Set(try await sliceExports.list().items.compactMap(\.metadata.name))
            }

            try await fleet.runningMemberNet { context in
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))
                // Valid, but the hub has not resolved conflicts yet: nothing is exported.
                try await eventually("the export is valid") {
                    try await exports.get("app").status?.conditions.condition(ServiceExportConditions.valid)?.status == "True"
                }
                try await consistently("no slice is exported while the conflict is unresolved", for: .seconds(1)) {
                    try await sliceExports.list().items.isEmpty
                }

                try await resolveConflict(fleet, "work", "app", conflicted: false)
                try await eventually("the IPv4 and IPv6 slices are exported") { try await exportedNamesNow() == exportedNames }

                let v4 = try await sliceExports.get(Self.exportName("app-v4"))
                let source = try #require(created["app-v4"])
                #expect(v4.spec.addressType == "IPv4")
                #expect(v4.spec.endpoints == Self.v4Endpoints.map { ExportedEndpoint(addresses: $0.addresses, conditions: $0.conditions) })
                #expect(v4.spec.ports == [EndpointPort(name: "http", protocol: "TCP", port: 8080)])
                #expect(v4.spec.ownerServiceReference == OwnerServiceReference(namespace: "work", name: "app"))
                let reference = v4.spec.endpointSliceReference
                #expect(reference.clusterId == "member-1")
                #expect(reference.kind == "EndpointSlice" && reference.apiVersion == "discovery.k8s.io/v1")
                #expect(reference.namespacedName == "work/app-v4")
                #expect(reference.uid == source.metadata.uid)
                #expect(reference.resourceVersion == source.metadata.resourceVersion)
                #expect(reference.generation == source.metadata.generation ?? 0)
                #expect(reference.exportedSince != nil)
                let v6 = try await sliceExports.get(Self.exportName("app-v6"))
                #expect(v6.spec.addressType == "IPv6")
                #expect(v6.spec.endpoints == [ExportedEndpoint(addresses: ["fd00::1"])])

                // The member's EndpointSlices were never written.
                for (name, slice) in created {
                    let now = try await slices.get(name)
                    #expect(now.metadata.resourceVersion == slice.metadata.resourceVersion, "\(name) was written")
                    #expect(now.metadata.annotations == nil)
                }

                // Converged: neither the exports nor the member's objects are written any more.
                let baseline = try await settled("the slice exports, slices and service exports") {
                    [try await resourceVersions(sliceExports), try await resourceVersions(slices), try await resourceVersions(exports)]
                }
                let (exportVersions, sliceVersions, serviceExportVersions) = (baseline[0], baseline[1], baseline[2])
                try await consistently("a converged member writes nothing", for: .seconds(2)) {
                    let exportsNow = try await resourceVersions(sliceExports)
                    let slicesNow = try await resourceVersions(slices)
                    let serviceExportsNow = try await resourceVersions(exports)
                    return exportsNow == exportVersions && slicesNow == sliceVersions && serviceExportsNow == serviceExportVersions
                }

                // An endpoint change follows.
                try await update(slices, "app-v4") { $0.endpoints.append(Endpoint(addresses: ["127.11.0.4"])) }
                try await eventually("the new endpoint is exported") {
                    try await sliceExports.get(Self.exportName("app-v4")).spec.endpoints.map(\.addresses).contains(["127.11.0.4"])
                }

                // Conflicted: withdrawn; resolved again: exported again.
                try await resolveConflict(fleet, "work", "app", conflicted: true)
                try await eventually("the slices of a conflicted export are withdrawn") { try await exportedNamesNow().isEmpty }
                try await resolveConflict(fleet, "work", "app", conflicted: false)
                try await eventually("the slices are exported again") { try await exportedNamesNow() == exportedNames }

                // A deleted slice's export goes promptly, from the delete event. (The reference
                // only re-scans every 5 minutes; 30 s here is a generous bound on a loaded machine.)
                _ = try await slices.delete("app-v4")
                try await eventually("the deleted slice's export is removed", timeout: .seconds(30)) {
                    try await exportedNamesNow() == [Self.exportName("app-v6")]
                }
                // No reconcile of these controllers relies on a timer for it: a linked export is
                // done (no requeue-after), and so is the member side for a slice that is gone.
                let gc = EndpointSliceExportReconciler(
                    context: context, slices: context.memberInformers.informer(for: EndpointSlice.self).store,
                    sliceExports: context.hubInformers.informer(for: EndpointSliceExport.self, namespace: context.hubNamespace).store)
                #expect(try await gc.reconcile(ObjectKey(namespace: Self.hubNamespace, name: Self.exportName("app-v6"))) == .done)
                #expect(try await gc.reconcile(ObjectKey(namespace: Self.hubNamespace, name: Self.exportName("app-v4"))) == .done)
                let sliceReconciler = EndpointSliceReconciler(
                    context: context, slices: context.memberInformers.informer(for: EndpointSlice.self).store,
                    exports: context.memberInformers.informer(for: ServiceExport.self).store,
                    clusterSetExports: context.memberInformers.informer(for: MCSServiceExport.self).store,
                    sliceExports: context.hubInformers.informer(for: EndpointSliceExport.self, namespace: context.hubNamespace).store,
                    created: CreateExpectations())
                #expect(try await sliceReconciler.reconcile(ObjectKey(namespace: "work", name: "app-v4")) == .done)

                // An invalid export withdraws its slices.
                _ = try await services.delete("app")
                try await eventually("the slices of an invalid export are withdrawn") { try await exportedNamesNow().isEmpty }
                _ = try await services.create(makeService("work", "app"))
                try await eventually("valid again: exported again") {
                    try await exportedNamesNow() == [Self.exportName("app-v6")]
                }
            }

            // A slice deleted while the agent is down: its export goes when the agent starts.
            _ = try await slices.delete("app-v6")
            #expect(try await exportedNamesNow() == [Self.exportName("app-v6")])
            try await fleet.runningMemberNet { _ in
                try await eventually("the export of the slice deleted while down is removed") {
                    try await exportedNamesNow().isEmpty
                }
                _ = try await slices.create(Self.slice("app-late", service: "app", endpoints: [Endpoint(addresses: ["127.11.0.5"])]))
                try await eventually("a new slice is exported") { try await exportedNamesNow() == [Self.exportName("app-late")] }

                // Deleting the ServiceExport withdraws every slice.
                _ = try await exports.delete("app")
                try await eventually("the slices of a deleted export are withdrawn") {
                    let names = try await exportedNamesNow()
                    let export = try await getIfPresent(exports, "app")
                    return names.isEmpty && export == nil
                }
            }
        }
    }
}

extension EndpointSliceControllerTests {
    /// A malformed weight keeps the current export (spec §2.1 step 5) and so its slices (the
    /// reference withdraws the slices, cutting the importers' endpoints anyway); weight 0
    /// withdraws both (the reference keeps uploading the slices under a stale Conflict=False).
    @Test func aMalformedWeightKeepsTheSlicesWeightZeroWithdrawsThem() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let exports = member.api(ServiceExport.self, namespace: "work")
            let sliceExports = fleet.hub.client.api(EndpointSliceExport.self, namespace: Self.hubNamespace)
            let name = Self.exportName("app-1")
            _ = try await member.api(Service.self, namespace: "work").create(makeService("work", "app"))
            _ = try await member.api(EndpointSlice.self, namespace: "work").create(
                Self.slice("app-1", service: "app", endpoints: [Endpoint(addresses: ["127.11.0.1"])]))
            try await fleet.runningMemberNet { _ in
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))
                try await resolveConflict(fleet, "work", "app", conflicted: false)
                try await eventually("the slice is exported") { try await getIfPresent(sliceExports, name) != nil }

                try await update(exports, "app") { $0.metadata.annotations = [FleetAnnotations.weight: "x"] }
                try await eventually("the malformed weight is reported") {
                    try await exports.get("app").status?.conditions.condition(ServiceExportConditions.valid)?.reason
                        == ServiceExportConditions.Reason.invalidWeightAnnotation
                }
                try await consistently("the slice stays exported", for: .seconds(1)) {
                    try await getIfPresent(sliceExports, name) != nil
                }

                try await update(exports, "app") { $0.metadata.annotations = [FleetAnnotations.weight: "0"] }
                try await eventually("weight 0 withdraws the slice") { try await getIfPresent(sliceExports, name) == nil }
            }
        }
    }
}
