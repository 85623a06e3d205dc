import FleetAPI
@testable import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// member/serviceimport, member/internalserviceimport and member/endpointsliceimport (reference
// tests §7.3–§7.6, adapted): a member ServiceImport becomes an InternalServiceImport whose hub
// status comes back; EndpointSliceImports become EndpointSlices of the derived Service in
// fleet-system — imported as soon as the MultiClusterService and derived Service appear (no
// polling) — and are updated and removed with them; a converged member writes nothing.

@Suite struct ImportControllersTests {
    /// The import-latency count line for member-2 → member-1.
    static func importLatencyCount(firstImport: Bool, _ count: Int) -> String {
        "fleet_networking_endpointslice_export_import_duration_milliseconds_count{origin_cluster_id=\"member-2\",destination_cluster_id=\"member-1\",is_first_import=\"\(firstImport)\"} \(count)"
    }

    static let hubNamespace = FleetNamespaces.member("member-1")

    @Test func serviceImportBecomesAnInternalServiceImportWhoseStatusComesBack() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let imports = member.api(ServiceImport.self, namespace: "work")
            let internalImports = fleet.hub.client.api(InternalServiceImport.self, namespace: Self.hubNamespace)
            let internalName = DerivedNames.hubObjectName(namespace: "work", name: "app")

            try await fleet.runningMemberNet { _ in
                let created = try await imports.create(ServiceImport(metadata: ObjectMeta(name: "app", namespace: "work")))
                try await eventually("the import request is on the hub") { try await getIfPresent(internalImports, internalName) != nil }
                let serviceImport = try await imports.get("app")
                #expect(serviceImport.metadata.finalizers == [FleetFinalizers.serviceImportCleanup])
                let reference = try await internalImports.get(internalName).spec.serviceImportReference
                #expect(reference.clusterId == "member-1")
                #expect(reference.kind == "ServiceImport" && reference.apiVersion == "networking.fleet.azure.com/v1alpha1")
                #expect(reference.namespacedName == "work/app")
                #expect(reference.uid == created.metadata.uid)
                #expect(reference.exportedSince == created.metadata.creationTimestamp)

                // The hub fulfils the import: its status is copied to the member ServiceImport.
                let status = ServiceImportStatus(
                    type: ServiceImportStatus.clusterSetIP,
                    ports: [FleetServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .int(8080))],
                    clusters: [ClusterStatus(cluster: "member-2")])
                try await update(internalImports, internalName, status: true) { $0.status = status }
                try await eventually("the hub status is copied") { try await imports.get("app").status == status }

                // Converged: no more writes on either side.
                let baseline = try await settled("the import and its hub object") {
                    [try await imports.get("app").metadata.resourceVersion, try await internalImports.get(internalName).metadata.resourceVersion]
                }
                let (importVersion, internalVersion) = (baseline[0], baseline[1])
                try await consistently("nothing is written", for: .seconds(2)) {
                    let importNow = try await imports.get("app").metadata.resourceVersion
                    let internalNow = try await internalImports.get(internalName).metadata.resourceVersion
                    return importNow == importVersion && internalNow == internalVersion
                }

                // Deleted: the request is withdrawn, then the finalizer released.
                _ = try await imports.delete("app")
                try await eventually("the import request is withdrawn") {
                    let internalImport = try await getIfPresent(internalImports, internalName)
                    let serviceImport = try await getIfPresent(imports, "app")
                    return internalImport == nil && serviceImport == nil
                }

                // A request whose ServiceImport does not exist is removed by the hub side.
                _ = try await internalImports.create(
                    InternalServiceImport(
                        metadata: ObjectMeta(name: "work-gone", namespace: Self.hubNamespace),
                        spec: InternalServiceImportSpec(
                            serviceImportReference: ExportedObjectReference(
                                clusterId: "member-1", kind: "ServiceImport", namespace: "work", name: "gone", resourceVersion: "1",
                                generation: 0, uid: "1"))))
                try await eventually("the dangling request is deleted") { try await getIfPresent(internalImports, "work-gone") == nil }
            }
        }
    }

    static func sliceImport(_ name: String, endpoints: [ExportedEndpoint], generation: Int64) -> EndpointSliceImport {
        EndpointSliceImport(
            metadata: ObjectMeta(name: name, namespace: hubNamespace),
            spec: EndpointSliceExportSpec(
                addressType: "IPv4", endpoints: endpoints, ports: [EndpointPort(name: "http", protocol: "TCP", port: 8080)],
                endpointSliceReference: ExportedObjectReference(
                    clusterId: "member-2", apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", namespace: "work",
                    name: "app-abc", resourceVersion: "7", generation: generation, uid: "uid-1", exportedSince: Time.now()),
                ownerServiceReference: OwnerServiceReference(namespace: "work", name: "app")))
    }

    @Test func endpointSliceImportsBecomeSlicesOfTheDerivedServiceAsSoonAsItExists() async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1").client
            try await fleet.createNamespace("work", in: fleet.member("member-1"))
            let sliceImports = fleet.hub.client.api(EndpointSliceImport.self, namespace: Self.hubNamespace)
            let importedSlices = member.api(EndpointSlice.self, namespace: FleetNamespaces.fleetSystem)
            let multiClusterServices = member.api(MultiClusterService.self, namespace: "work")
            let systemServices = member.api(Service.self, namespace: FleetNamespaces.fleetSystem)
            let name = DerivedNames.endpointSliceExportName(cluster: "member-2", namespace: "work", name: "app-abc")
            let derivedName = DerivedNames.derivedServiceName(namespace: "work", name: "web")
            let endpoints = [
                ExportedEndpoint(addresses: ["127.12.0.1"], conditions: EndpointConditions(ready: true, serving: true, terminating: false)),
                ExportedEndpoint(addresses: ["127.12.0.2"], conditions: EndpointConditions(ready: false, serving: true, terminating: true)),
            ]

            try await fleet.runningMemberNet { context in
                // The hub hands out the slice before the MultiClusterService exists.
                _ = try await sliceImports.create(Self.sliceImport(name, endpoints: endpoints, generation: 1))
                try await consistently("nothing is imported without a MultiClusterService", for: .seconds(1)) {
                    try await importedSlices.list().items.isEmpty
                }
                // The MultiClusterService (as mcs-controller-manager labels it), still without its derived Service.
                _ = try await multiClusterServices.create(
                    MultiClusterService(
                        metadata: ObjectMeta(
                            name: "web", namespace: "work",
                            labels: [FleetLabels.serviceImport: "app", FleetLabels.derivedService: derivedName]),
                        spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))))
                try await consistently("nothing is imported without the derived Service", for: .seconds(1)) {
                    try await importedSlices.list().items.isEmpty
                }
                // Waiting for them is not a timed retry (the reference polls every 2 s): the
                // reconcile is done, and the MultiClusterService and Service watches bring it back.
                let reconciler = EndpointSliceImportReconciler(
                    context: context,
                    sliceImports: context.hubInformers.informer(for: EndpointSliceImport.self, namespace: Self.hubNamespace).store,
                    multiClusterServices: context.memberInformers.informer(for: MultiClusterService.self).store,
                    services: context.memberInformers.informer(for: Service.self, namespace: FleetNamespaces.fleetSystem).store,
                    importedSlices: context.memberInformers.informer(for: EndpointSlice.self, namespace: FleetNamespaces.fleetSystem).store,
                    created: CreateExpectations())
                #expect(try await reconciler.reconcile(ObjectKey(namespace: Self.hubNamespace, name: name)) == .done)
                // The derived Service appears: the slice is imported from that event (no timer).
                _ = try await systemServices.create(
                    Service(
                        metadata: ObjectMeta(
                            name: derivedName, namespace: FleetNamespaces.fleetSystem,
                            labels: [FleetLabels.multiClusterServiceName: "web", FleetLabels.multiClusterServiceNamespace: "work"]),
                        spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80)], type: "LoadBalancer")))
                try await eventually("the slice is imported") { try await getIfPresent(importedSlices, name) != nil }
                let slice = try await importedSlices.get(name)
                #expect(
                    slice.metadata.labels == [
                        FleetLabels.serviceName: derivedName,
                        FleetLabels.endpointSliceManagedBy: FleetLabels.endpointSliceImportManager,
                    ])
                #expect(slice.addressType == "IPv4")
                #expect(slice.endpoints == endpoints.map { Endpoint(addresses: $0.addresses, conditions: $0.conditions) })
                #expect(slice.ports == [EndpointPort(name: "http", protocol: "TCP", port: 8080)])
                // Guarded by the finalizer; the latency is observed with no further hub write (the
                // reference records the generation in an annotation).
                try await eventually("the import is guarded and its latency recorded") {
                    try await sliceImports.get(name).metadata.finalizers == [FleetFinalizers.endpointSliceImportCleanup]
                        && fleet.registry.emitToString().contains(Self.importLatencyCount(firstImport: true, 1))
                }
                #expect(try await sliceImports.get(name).metadata.annotations?[FleetAnnotations.lastObservedGeneration] == nil)

                // Converged: nothing is written any more.
                let baseline = try await settled("the imported slices, slice imports, derived services and MCSs") {
                    [
                        try await resourceVersions(importedSlices), try await resourceVersions(sliceImports),
                        try await resourceVersions(systemServices), try await resourceVersions(multiClusterServices),
                    ]
                }
                let (sliceVersions, importVersions, serviceVersions, mcsVersions) = (baseline[0], baseline[1], baseline[2], baseline[3])
                try await consistently("a converged member writes nothing", for: .seconds(3)) {
                    let slicesNow = try await resourceVersions(importedSlices)
                    let importsNow = try await resourceVersions(sliceImports)
                    let servicesNow = try await resourceVersions(systemServices)
                    let mcsNow = try await resourceVersions(multiClusterServices)
                    return slicesNow == sliceVersions && importsNow == importVersions && servicesNow == serviceVersions
                        && mcsNow == mcsVersions
                }

                // The hub updates the import: the slice follows; the latency is observed again.
                try await update(sliceImports, name) { sliceImport in
                    sliceImport.spec.endpoints.append(ExportedEndpoint(addresses: ["127.12.0.3"]))
                    sliceImport.spec.endpointSliceReference.generation = 2
                }
                try await eventually("the slice is updated") {
                    try await importedSlices.get(name).endpoints.map(\.addresses).contains(["127.12.0.3"])
                }
                try await eventually("the new generation is observed") {
                    fleet.registry.emitToString().contains(Self.importLatencyCount(firstImport: false, 1))
                }

                // Someone deletes the imported slice: it is restored from its delete event.
                _ = try await importedSlices.delete(name)
                try await eventually("the imported slice is restored") {
                    try await getIfPresent(importedSlices, name)?.endpoints.count == 3
                }
                // A repair imports no new generation: not measured.
                #expect(fleet.registry.emitToString().contains(Self.importLatencyCount(firstImport: true, 1)))

                // The MultiClusterService goes: its slices would only be stale, so they go too;
                // it comes back: so do they.
                _ = try await multiClusterServices.delete("web")
                try await eventually("the slice of a removed MultiClusterService is removed") {
                    try await getIfPresent(importedSlices, name) == nil
                }
                _ = try await multiClusterServices.create(
                    MultiClusterService(
                        metadata: ObjectMeta(
                            name: "web", namespace: "work",
                            labels: [FleetLabels.serviceImport: "app", FleetLabels.derivedService: derivedName]),
                        spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))))
                try await eventually("the slice is imported again") { try await getIfPresent(importedSlices, name) != nil }

                // The hub withdraws the import: the slice is removed and the finalizer released.
                _ = try await sliceImports.delete(name)
                try await eventually("the slice and the import are gone") {
                    let slice = try await getIfPresent(importedSlices, name)
                    let sliceImport = try await getIfPresent(sliceImports, name)
                    return slice == nil && sliceImport == nil
                }
            }
        }
    }
}
