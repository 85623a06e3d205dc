import FleetAPI
import Foundation
import KubeClient
import KubeModel
import Testing

/// The reference tutorial's manifests and the committed CRDs work with the real kubectl against
/// the embedded API server. Skipped, with the reason printed, when kubectl is not installed.
@Suite(.enabled(if: Kubectl.executable != nil, "kubectl is not on PATH"))
struct KubectlTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let serviceExportManifest = """
        apiVersion: networking.fleet.azure.com/v1alpha1
        kind: ServiceExport
        metadata:
          name: app
          namespace: work

        """

    static let multiClusterServiceManifest = """
        apiVersion: networking.fleet.azure.com/v1alpha1
        kind: MultiClusterService
        metadata:
          name: app
          namespace: work
        spec:
          serviceImport:
            name: app

        """

    /// Runs `body` with kubectl bound to a fresh server (the suite runs only where kubectl is).
    static func withKubectl(
        installCRDs: Bool = true, _ body: @Sendable (FleetServer, Kubectl) async throws -> Void
    ) async throws {
        try await FleetServer.with(installCRDs: installCRDs) { server in
            let kubectl = try #require(try Kubectl(server: server))
            defer { kubectl.cleanUp() }
            try await body(server, kubectl)
        }
    }

    @Test func theTutorialManifestsApplyAndPrintTheirColumns() async throws {
        try await Self.withKubectl { server, kubectl in
            for (file, contents) in [("export.yaml", Self.serviceExportManifest), ("mcs.yaml", Self.multiClusterServiceManifest)] {
                let applied = try await kubectl.run(["apply", "-f", try kubectl.manifest(file, contents)])
                #expect(applied.succeeded, "\(applied)")
            }
            #expect(try await kubectl.run(["apply", "-f", try kubectl.manifest("export.yaml", Self.serviceExportManifest)]).stdout
                .contains("serviceexport.networking.fleet.azure.com/app unchanged"))

            // Status as the controllers would write it, so the columns show values.
            let now = Time(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
            let exports = server.api(ServiceExportV1Alpha1.self)
            var export = try await exports.get("app")
            export.status = ServiceExportStatus(conditions: [
                Condition(type: "Valid", status: "True", lastTransitionTime: now, reason: "ServiceIsValid", message: "service work/app is valid for export"),
                Condition(type: "Conflict", status: "False", lastTransitionTime: now, reason: "NoConflictFound", message: "service work/app is exported without conflict"),
            ])
            _ = try await exports.replaceStatus(export)
            let services = server.api(MultiClusterService.self)
            var service = try await services.get("app")
            service.status = MultiClusterServiceStatus(
                loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: "20.1.2.3")]),
                conditions: [Condition(type: "Valid", status: "True", lastTransitionTime: now, reason: "FoundServiceImport", message: "found valid service import")])
            _ = try await services.replaceStatus(service)

            let exportTable = try await kubectl.run(["get", "svcexport", "-n", "work"])
            #expect(exportTable.succeeded, "\(exportTable)")
            #expect(exportTable.rows.first == ["NAME", "IS-VALID", "IS-CONFLICTED", "AGE"], "\(exportTable)")
            #expect(exportTable.rows.dropFirst().first.map { Array($0.prefix(3)) } == ["app", "True", "False"], "\(exportTable)")

            let serviceTable = try await kubectl.run(["get", "mcs", "-n", "work"])
            #expect(serviceTable.succeeded, "\(serviceTable)")
            #expect(serviceTable.rows.first == ["NAME", "SERVICE-IMPORT", "EXTERNAL-IP", "IS-VALID", "AGE"], "\(serviceTable)")
            #expect(serviceTable.rows.dropFirst().first.map { Array($0.prefix(4)) } == ["app", "app", "20.1.2.3", "True"], "\(serviceTable)")

            let category = try await kubectl.run(["get", "fleet-networking", "-n", "work", "-o", "name"])
            #expect(category.succeeded, "\(category)")
            #expect(category.stdout.contains("serviceexport.networking.fleet.azure.com/app"), "\(category)")
            #expect(category.stdout.contains("multiclusterservice.networking.fleet.azure.com/app"), "\(category)")

            // The MCS API served beside the fleet's: the tutorial's short names keep showing the
            // fleet kinds; the bare plural and mcs-api's `svcex` show the MCS kind (docs/api.md).
            _ = try await server.api(MCSServiceExport.self).create(
                MCSServiceExport(metadata: ObjectMeta(name: "standard", namespace: "work")))
            let shortName = try await kubectl.run(["get", "svcexport", "-n", "work", "-o", "name"])
            #expect(shortName.stdout.split(separator: "\n") == ["serviceexport.networking.fleet.azure.com/app"], "\(shortName)")
            for name in ["serviceexports", "svcex", "serviceexports.multicluster.x-k8s.io"] {
                let standard = try await kubectl.run(["get", name, "-n", "work", "-o", "name"])
                #expect(standard.stdout.split(separator: "\n") == ["serviceexport.multicluster.x-k8s.io/standard"], "\(standard)")
            }

            let explain = try await kubectl.run(["explain", "serviceexports.status", "--api-version=networking.fleet.azure.com/v1beta1"])
            #expect(explain.succeeded, "\(explain)")
            #expect(explain.stdout.contains("ServiceExportStatus contains the current status of an export."), "\(explain)")
            #expect(explain.stdout.contains("conditions"), "\(explain)")
        }
    }

    @Test func anInvalidManifestIsRejectedWithTheRuleMessage() async throws {
        try await Self.withKubectl { _, kubectl in
            let manifest = Self.multiClusterServiceManifest.replacingOccurrences(of: "name: app\n", with: "name: App\n")
            let result = try await kubectl.run(["apply", "-f", try kubectl.manifest("bad.yaml", manifest)])
            #expect(!result.succeeded, "\(result)")
            #expect(result.stderr.contains("spec.serviceImport.name in body should match"), "\(result)")
        }
    }

    @Test func theCommittedCRDsApplyOnAFreshServer() async throws {
        try await Self.withKubectl(installCRDs: false) { server, kubectl in
            for directory in [GeneratedFiles.networkingDirectory, GeneratedFiles.fleetCoreDirectory] {
                let path = Self.repositoryRoot.appendingPathComponent(directory).path
                let applied = try await kubectl.run(["apply", "-f", path])
                #expect(applied.succeeded, "\(applied)")
            }
            let crds = try await server.client.api(CustomResourceDefinition.self).list()
            let names = Set(crds.items.compactMap(\.metadata.name))
            for definition in FleetCRDs.networking + FleetCRDs.fleetCore {
                #expect(names.contains(definition.name), "\(definition.name) was not created")
            }
            // The CRDs kubectl created serve their kinds.
            try await server.waitUntilEstablished(FleetCRDs.networking + FleetCRDs.fleetCore)
            let applied = try await kubectl.run(["apply", "-f", try kubectl.manifest("export.yaml", Self.serviceExportManifest)])
            #expect(applied.succeeded, "\(applied)")
            let listed = try await kubectl.run(["get", "serviceexports.v1alpha1.networking.fleet.azure.com", "-n", "work", "-o", "name"])
            #expect(listed.stdout.contains("serviceexport.networking.fleet.azure.com/app"), "\(listed)")
        }
    }
}
