import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

@testable import FleetNetworking

// The multiclusterservice controller against a member on an embedded API server (reference
// §7.7, plus the improvements: the derived Service survives an exporter flap, no writes without
// change, the internal-LB annotation follows the MCS both ways, a taken derived name falls back).

@Suite(.serialized) struct MultiClusterServiceControllerTests {
    static let namespace = "work"

    /// Runs the controller for member-1 while `body` runs.
    static func withController(_ body: @Sendable (FleetTestbed, KubeClient) async throws -> Void) async throws {
        try await FleetTestbed.run(members: ["member-1"]) { fleet in
            let member = fleet.member("member-1")
            try await fleet.createNamespace(namespace, in: member)
            let context = fleet.memberContext("member-1")
            let controller = MultiClusterServiceController.make(context)
            try await fleet.whileRunning([context.memberInformers.run, controller.run]) {
                try await body(fleet, member.client)
            }
        }
    }

    static func mcs(_ name: String, importing serviceImport: String, annotations: [String: String]? = nil) -> MultiClusterService {
        MultiClusterService(
            metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
            spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: serviceImport)))
    }

    static func valid(_ mcs: MultiClusterService?) -> Condition? {
        mcs?.status?.conditions?.condition(ofType: MultiClusterServiceConditions.valid)
    }

    static func get(_ client: KubeClient, _ name: String) async throws -> MultiClusterService? {
        do {
            return try await client.api(MultiClusterService.self, namespace: namespace).get(name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    static func getImport(_ client: KubeClient, _ name: String) async throws -> ServiceImport? {
        do {
            return try await client.api(ServiceImport.self, namespace: namespace).get(name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    static func getService(_ client: KubeClient, _ name: String) async throws -> Service? {
        do {
            return try await client.api(Service.self, namespace: FleetNamespaces.fleetSystem).get(name)
        } catch let error as KubeClientError where error.isNotFound {
            return nil
        }
    }

    static func derivedServices(_ client: KubeClient) async throws -> [Service] {
        try await client.api(Service.self, namespace: FleetNamespaces.fleetSystem).list(
            labelSelector: FleetLabels.multiClusterServiceName
        ).items
    }

    static let ports = [
        FleetServicePort(name: "http", protocol: "TCP", port: 80, targetPort: 8080),
        FleetServicePort(name: "https", protocol: "TCP", port: 443, targetPort: 8443),
    ]

    /// Sets the member ServiceImport's status as the member agent would copy it from the hub.
    static func setImportStatus(_ client: KubeClient, _ name: String, clusters: [String], ports: [FleetServicePort] = ports) async throws {
        try await update(client.api(ServiceImport.self, namespace: namespace), name, status: true) { serviceImport in
            serviceImport.status =
                clusters.isEmpty
                ? ServiceImportStatus()
                : ServiceImportStatus(type: ServiceImportStatus.clusterSetIP, ports: ports, clusters: clusters.map(ClusterStatus.init))
        }
    }

    /// Gives a Service a load balancer IP, as a cloud provider would.
    static func setLoadBalancerIP(_ client: KubeClient, _ name: String, ip: String) async throws {
        try await update(client.api(Service.self, namespace: FleetNamespaces.fleetSystem), name, status: true) { service in
            service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: ip)]))
        }
    }

    /// Creates `name` importing `serviceImport`, makes the import valid and the derived Service
    /// get `ip`; returns the derived Service's name.
    static func makeValid(_ client: KubeClient, _ name: String, importing serviceImport: String, ip: String) async throws -> String {
        _ = try await client.api(MultiClusterService.self, namespace: namespace).create(mcs(name, importing: serviceImport))
        try await eventually("the ServiceImport \(serviceImport) exists") { try await getImport(client, serviceImport) != nil }
        try await setImportStatus(client, serviceImport, clusters: ["member-1", "member-2"])
        let derived = "\(namespace)-\(name)"
        try await eventually("the derived Service exists") { try await getService(client, derived) != nil }
        try await setLoadBalancerIP(client, derived, ip: ip)
        try await eventually("the MCS is valid with the load balancer IP") {
            let mcs = try await get(client, name)
            return valid(mcs)?.status == "True" && mcs?.status?.loadBalancer?.ingress?.first?.ip == ip
        }
        return derived
    }

    // MARK: Reference behaviour (§7.7)

    @Test func createsServiceImportAndDerivedServiceThenRetargetsAndCleansUp() async throws {
        try await Self.withController { _, client in
            let created = try await client.api(MultiClusterService.self, namespace: Self.namespace).create(Self.mcs("mcs-1", importing: "svc"))

            try await eventually("label, finalizer, Unknown condition and owned ServiceImport") {
                let mcs = try await Self.get(client, "mcs-1")
                let serviceImport = try await Self.getImport(client, "svc")
                let owner = serviceImport?.metadata.ownerReferences?.first
                return mcs?.metadata.labels?[FleetLabels.serviceImport] == "svc"
                    && mcs?.metadata.finalizers?.contains(FleetFinalizers.serviceResourcesCleanup) == true
                    && Self.valid(mcs)?.status == "Unknown"
                    && Self.valid(mcs)?.reason == MultiClusterServiceConditions.Reason.unknownServiceImport
                    && Self.valid(mcs)?.message == MultiClusterServiceReconciler.unknownMessage
                    && owner?.uid == created.metadata.uid && owner?.kind == "MultiClusterService"
                    && owner?.controller == true && owner?.blockOwnerDeletion == true
            }
            try await consistently("no derived Service while the import has no clusters", for: .seconds(2)) {
                let mcs = try await Self.get(client, "mcs-1")
                let services = try await Self.derivedServices(client)
                return mcs?.metadata.labels?[FleetLabels.derivedService] == nil && services.isEmpty
            }

            try await Self.setImportStatus(client, "svc", clusters: ["member-1", "member-2"])
            try await eventually("Valid=True and a derived LoadBalancer Service") {
                let mcs = try await Self.get(client, "mcs-1")
                guard let service = try await Self.getService(client, "work-mcs-1") else { return false }
                return Self.valid(mcs)?.status == "True"
                    && Self.valid(mcs)?.reason == MultiClusterServiceConditions.Reason.foundServiceImport
                    && Self.valid(mcs)?.message == "found valid service import"
                    && mcs?.metadata.labels?[FleetLabels.derivedService] == "work-mcs-1"
                    && service.spec?.type == "LoadBalancer" && service.spec?.selector == nil
                    && service.spec?.ports?.map(\.port) == [80, 443]
                    && service.spec?.ports?.map(\.name) == ["http", "https"]
                    && service.spec?.ports?.map(\.targetPort) == [.int(8080), .int(8443)]
                    && service.metadata.labels?[FleetLabels.multiClusterServiceName] == "mcs-1"
                    && service.metadata.labels?[FleetLabels.multiClusterServiceNamespace] == Self.namespace
            }

            try await Self.setLoadBalancerIP(client, "work-mcs-1", ip: "10.0.0.7")
            try await eventually("the load balancer status is copied to the MCS") {
                try await Self.get(client, "mcs-1")?.status?.loadBalancer?.ingress?.first?.ip == "10.0.0.7"
            }

            // Retarget to an import nobody exports.
            try await update(client.api(MultiClusterService.self, namespace: Self.namespace), "mcs-1") { mcs in
                mcs.spec.serviceImport = LocalObjectName(name: "unknown")
            }
            try await eventually("old import and derived Service gone, new import created, Unknown again") {
                let mcs = try await Self.get(client, "mcs-1")
                let oldImport = try await Self.getImport(client, "svc")
                let newImport = try await Self.getImport(client, "unknown")
                let service = try await Self.getService(client, "work-mcs-1")
                return oldImport == nil && newImport != nil && service == nil
                    && mcs?.metadata.labels?[FleetLabels.serviceImport] == "unknown"
                    && mcs?.metadata.labels?[FleetLabels.derivedService] == nil
                    && Self.valid(mcs)?.status == "Unknown"
                    && mcs?.status?.loadBalancer?.ingress == nil
            }

            _ = try await client.api(MultiClusterService.self, namespace: Self.namespace).delete("mcs-1")
            try await eventually("MCS, ServiceImports and derived Services gone") {
                let mcs = try await Self.get(client, "mcs-1")
                let imports = try await client.api(ServiceImport.self, namespace: Self.namespace).list().items
                let services = try await Self.derivedServices(client)
                return mcs == nil && imports.isEmpty && services.isEmpty
            }
        }
    }

    @Test func serviceImportOwnedByAnotherMCSIsTakenOverWhenReleased() async throws {
        try await Self.withController { _, client in
            let mcsAPI = client.api(MultiClusterService.self, namespace: Self.namespace)
            let first = try await mcsAPI.create(Self.mcs("first", importing: "shared"))
            try await eventually("the first MCS owns the import") {
                try await Self.getImport(client, "shared")?.metadata.ownerReferences?.first?.uid == first.metadata.uid
            }
            let second = try await mcsAPI.create(Self.mcs("second", importing: "shared"))
            try await Self.setImportStatus(client, "shared", clusters: ["member-2"])
            try await eventually("the first is valid, the second Unknown without derived Service") {
                let one = try await Self.get(client, "first")
                let two = try await Self.get(client, "second")
                return Self.valid(one)?.status == "True" && Self.valid(two)?.status == "Unknown"
                    && two?.metadata.labels?[FleetLabels.serviceImport] == "shared"
                    && two?.metadata.labels?[FleetLabels.derivedService] == nil
            }
            try await consistently("the second stays without a derived Service", for: .seconds(1)) {
                let service = try await Self.getService(client, "work-second")
                let owner = try await Self.getImport(client, "shared")?.metadata.ownerReferences?.first
                return service == nil && owner?.uid == first.metadata.uid
            }

            // Releasing the import wakes the second MCS through the ServiceImport watch (the
            // reference polls every 5 s).
            _ = try await mcsAPI.delete("first")
            try await eventually("the import is recreated for the second MCS") {
                let owner = try await Self.getImport(client, "shared")?.metadata.ownerReferences?.first
                return owner?.uid == second.metadata.uid && owner?.controller == true && owner?.blockOwnerDeletion == true
            }
            try await eventually("the first MCS's derived Service is gone") { try await Self.getService(client, "work-first") == nil }
        }
    }

    // MARK: Improvements

    /// §9.4: the reference deletes the derived Service (and so the load balancer IP) as soon as the
    /// import loses its last cluster.
    @Test func derivedServiceSurvivesAnExporterFlapAndKeepsItsLoadBalancer() async throws {
        try await Self.withController { _, client in
            let derived = try await Self.makeValid(client, "flappy", importing: "web", ip: "10.0.0.9")
            let before = try #require(try await Self.getService(client, derived))

            try await Self.setImportStatus(client, "web", clusters: [])
            try await eventually("the MCS is Unknown with an empty load balancer status") {
                let mcs = try await Self.get(client, "flappy")
                return Self.valid(mcs)?.status == "Unknown"
                    && Self.valid(mcs)?.reason == MultiClusterServiceConditions.Reason.unknownServiceImport
                    && mcs?.status?.loadBalancer?.ingress == nil
            }
            try await consistently("the derived Service stays, unchanged", for: .seconds(2)) {
                let service = try await Self.getService(client, derived)
                let mcs = try await Self.get(client, "flappy")
                return service?.metadata.uid == before.metadata.uid && service?.spec?.ports == before.spec?.ports
                    && mcs?.metadata.labels?[FleetLabels.derivedService] == derived
            }

            try await Self.setImportStatus(client, "web", clusters: ["member-2"])
            try await eventually("valid again with the same Service and load balancer IP") {
                let mcs = try await Self.get(client, "flappy")
                let service = try await Self.getService(client, derived)
                return Self.valid(mcs)?.status == "True" && mcs?.status?.loadBalancer?.ingress?.first?.ip == "10.0.0.9"
                    && service?.metadata.uid == before.metadata.uid
            }
        }
    }

    /// A deleted ServiceImport is recreated once it is gone; meanwhile the derived Service stays.
    @Test func deletedServiceImportIsRecreatedAndTheDerivedServiceKept() async throws {
        try await Self.withController { _, client in
            let derived = try await Self.makeValid(client, "keeper", importing: "kept", ip: "10.0.0.4")
            let service = try #require(try await Self.getService(client, derived))
            let importAPI = client.api(ServiceImport.self, namespace: Self.namespace)
            var serviceImport = try await importAPI.get("kept")
            let oldUID = serviceImport.metadata.uid
            serviceImport.metadata.finalizers = ["example.com/hold"]
            serviceImport = try await importAPI.replace(serviceImport)
            _ = try await importAPI.delete("kept")
            try await consistently("the derived Service stays while the import is deleting", for: .seconds(1)) {
                try await Self.getService(client, derived)?.metadata.uid == service.metadata.uid
            }
            serviceImport = try await importAPI.get("kept")
            serviceImport.metadata.finalizers = nil
            _ = try await importAPI.replace(serviceImport)
            let mcsUID = try await Self.get(client, "keeper")?.metadata.uid
            try await eventually("a new import owned by the MCS") {
                let fresh = try await Self.getImport(client, "kept")
                return fresh != nil && fresh?.metadata.uid != oldUID && fresh?.metadata.ownerReferences?.first?.uid == mcsUID
            }
            try await Self.setImportStatus(client, "kept", clusters: ["member-2"])
            try await eventually("valid again on the same Service") {
                let mcs = try await Self.get(client, "keeper")
                let current = try await Self.getService(client, derived)
                return Self.valid(mcs)?.status == "True" && current?.metadata.uid == service.metadata.uid
                    && mcs?.status?.loadBalancer?.ingress?.first?.ip == "10.0.0.4"
            }
        }
    }

    /// No object, status or event is written when a reconcile finds nothing to change.
    @Test func reconcilesWithoutChangeWriteNothing() async throws {
        try await Self.withController { _, client in
            let derived = try await Self.makeValid(client, "quiet", importing: "api", ip: "10.0.0.3")
            let events = client.api(Event.self, namespace: Self.namespace)
            // Until the controller's own writes (and events) have stopped.
            _ = try await settled("the MCS, its derived service and the events") {
                [
                    try await client.api(MultiClusterService.self, namespace: Self.namespace).get("quiet").metadata.resourceVersion,
                    try await client.api(Service.self, namespace: FleetNamespaces.fleetSystem).get(derived).metadata.resourceVersion,
                    "\(try await events.list().items.reduce(0) { $0 + Int($1.count ?? 1) })",
                ]
            }

            // Changes the controller must look at but that change nothing it manages.
            let mcsAPI = client.api(MultiClusterService.self, namespace: Self.namespace)
            var mcs = try await mcsAPI.get("quiet")
            mcs.metadata.annotations = ["example.com/touched": "1"]
            let touched = try await mcsAPI.replace(mcs)
            let serviceAPI = client.api(Service.self, namespace: FleetNamespaces.fleetSystem)
            var service = try await serviceAPI.get(derived)
            service.metadata.annotations = (service.metadata.annotations ?? [:]).merging(["example.com/touched": "1"]) { $1 }
            let touchedService = try await serviceAPI.replace(service)
            let importAPI = client.api(ServiceImport.self, namespace: Self.namespace)
            var serviceImport = try await importAPI.get("api")
            serviceImport.metadata.annotations = ["example.com/touched": "1"]
            let touchedImport = try await importAPI.replace(serviceImport)
            let eventCount = try await events.list().items.reduce(0) { $0 + Int($1.count ?? 1) }

            try await consistently("nothing is written", for: .seconds(2)) {
                let mcsVersion = try await mcsAPI.get("quiet").metadata.resourceVersion
                let serviceVersion = try await serviceAPI.get(derived).metadata.resourceVersion
                let importVersion = try await importAPI.get("api").metadata.resourceVersion
                let count = try await events.list().items.reduce(0) { $0 + Int($1.count ?? 1) }
                return mcsVersion == touched.metadata.resourceVersion
                    && serviceVersion == touchedService.metadata.resourceVersion
                    && importVersion == touchedImport.metadata.resourceVersion && count == eventCount
            }
        }
    }

    /// §9.6: the reference adds the internal-LB annotation but never removes it.
    @Test func internalLoadBalancerAnnotationFollowsTheMCSBothWays() async throws {
        try await Self.withController { _, client in
            let mcsAPI = client.api(MultiClusterService.self, namespace: Self.namespace)
            _ = try await mcsAPI.create(
                Self.mcs("internal", importing: "db", annotations: [FleetAnnotations.azureLoadBalancerInternalMCS: "true"]))
            try await eventually("the import exists") { try await Self.getImport(client, "db") != nil }
            try await Self.setImportStatus(client, "db", clusters: ["member-2"])
            try await eventually("the derived Service asks for an internal load balancer") {
                try await Self.getService(client, "work-internal")?.metadata.annotations
                    == [FleetAnnotations.azureLoadBalancerInternal: "true"]
            }
            try await update(mcsAPI, "internal") { $0.metadata.annotations = nil }
            try await eventually("the annotation is removed") {
                let service = try await Self.getService(client, "work-internal")
                return service != nil && service?.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] == nil
            }
            try await update(mcsAPI, "internal") { $0.metadata.annotations = [FleetAnnotations.azureLoadBalancerInternalMCS: "1"] }
            try await eventually("and added back") {
                try await Self.getService(client, "work-internal")?.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] == "true"
            }
        }
    }

    @Test func takenDerivedNameFallsBackToAHashedName() async throws {
        try await Self.withController { fleet, client in
            // A Service of another MCS (which exists: Services of MCSs that are gone are
            // collected) already holds the derived name.
            try await fleet.createNamespace("elsewhere", in: fleet.member("member-1"))
            _ = try await client.api(MultiClusterService.self, namespace: "elsewhere").create(
                MultiClusterService(
                    metadata: ObjectMeta(name: "other", namespace: "elsewhere"),
                    spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "nothing"))))
            // Once the controller has seen that MCS, the Service below is its, not an orphan.
            try await eventually("the controller has seen the other MCS") {
                Self.valid(try await client.api(MultiClusterService.self, namespace: "elsewhere").get("other")) != nil
            }
            let squatter = Service(
                metadata: ObjectMeta(
                    name: "work-taken", namespace: FleetNamespaces.fleetSystem,
                    labels: [FleetLabels.multiClusterServiceName: "other", FleetLabels.multiClusterServiceNamespace: "elsewhere"]),
                spec: ServiceSpec(ports: [ServicePort(port: 1)], type: "LoadBalancer"))
            let created = try await client.api(Service.self, namespace: FleetNamespaces.fleetSystem).create(squatter)
            _ = try await client.api(MultiClusterService.self, namespace: Self.namespace).create(Self.mcs("taken", importing: "cache"))
            try await eventually("the import exists") { try await Self.getImport(client, "cache") != nil }
            try await Self.setImportStatus(client, "cache", clusters: ["member-2"])
            let fallback = MultiClusterServiceReconciler.fallbackDerivedServiceName(namespace: Self.namespace, name: "taken")
            try await eventually("the MCS uses the fallback name") {
                let mcs = try await Self.get(client, "taken")
                let service = try await Self.getService(client, fallback)
                return mcs?.metadata.labels?[FleetLabels.derivedService] == fallback && Self.valid(mcs)?.status == "True"
                    && service?.metadata.labels?[FleetLabels.multiClusterServiceName] == "taken"
            }
            let after = try #require(try await Self.getService(client, "work-taken"))
            #expect(after.metadata.resourceVersion == created.metadata.resourceVersion)
            #expect(fallback.count <= 63 && fallback != "work-taken")
        }
    }

    @Test func fallbackNamesAreValidServiceNames() {
        let long = String(repeating: "a", count: 63)
        for (namespace, name) in [("work", "x"), ("1ns", "svc"), (long, long), ("team-a", "web.v2")] {
            let fallback = MultiClusterServiceReconciler.fallbackDerivedServiceName(namespace: namespace, name: name)
            #expect(fallback.count <= 63)
            #expect(fallback.first?.isLetter == true)
            #expect(fallback.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" })
            #expect(fallback != DerivedNames.derivedServiceName(namespace: namespace, name: name))
        }
    }
}
