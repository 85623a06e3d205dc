import CRDInstaller
import Foundation
import KubeClient
import KubeModel
import Logging
import Testing

@Suite("CRDInstaller against the embedded API server")
struct CRDInstallerTests {
    static func installer(_ client: KubeClient) -> CRDInstaller {
        CRDInstaller(client: client, logger: TLSAPIServer.quiet)
    }

    /// The installed CRDs of the fleet-networking group, by name.
    static func installed(_ client: KubeClient) async throws -> [String: CustomResourceDefinition] {
        let list = try await client.api(CustomResourceDefinition.self).list()
        return Dictionary(uniqueKeysWithValues: list.items.compactMap { crd in
            crd.spec.group == CRDManifests.group ? crd.metadata.name.map { ($0, crd) } : nil
        })
    }

    static func isEstablished(_ crd: CustomResourceDefinition) -> Bool {
        crd.status?.conditions?.contains { $0.type == "Established" && $0.status == "True" } ?? false
    }

    @Test("hub mode installs every CRD of the group, labelled, Established, and nothing of other groups")
    func hubMode() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            try await withAdminClient { client in
                let results = try await Self.installer(client).install(directory: directory, mode: .hub)
                #expect(Set(results.map(\.name)) == CRDManifests.fleetNames)
                #expect(results.allSatisfy { $0.action == .created })
                let crds = try await Self.installed(client)
                #expect(Set(crds.keys) == CRDManifests.fleetNames)
                for crd in crds.values {
                    #expect(crd.metadata.labels?[CRDInstallerConstants.managedLabelKey] == "true")
                    #expect(crd.metadata.labels?[CRDInstallerConstants.azureManagedByLabelKey] == "fleet")
                    #expect(crd.metadata.annotations?["controller-gen.kubebuilder.io/version"] == "v0.16.0")
                    #expect(Self.isEstablished(crd))
                }
                let all = try await client.api(CustomResourceDefinition.self).list()
                #expect(!all.items.contains { $0.spec.group == "example.com" })
            }
        }
    }

    @Test("member mode installs only serviceexports, serviceimports and multiclusterservices; e2e omits managed-by")
    func memberModeE2E() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            try await withAdminClient { client in
                let results = try await Self.installer(client).install(directory: directory, mode: .member, e2e: true)
                #expect(Set(results.map(\.name)) == CRDManifests.memberNames)
                let crds = try await Self.installed(client)
                #expect(Set(crds.keys) == CRDManifests.memberNames)
                for crd in crds.values {
                    #expect(crd.metadata.labels?[CRDInstallerConstants.managedLabelKey] == "true")
                    #expect(crd.metadata.labels?[CRDInstallerConstants.azureManagedByLabelKey] == nil)
                }
                // The kinds are served at once: an instance can be created.
                let exports = client.dynamic(
                    apiVersion: "networking.fleet.azure.com/v1alpha1", plural: "serviceexports", namespaced: true, namespace: "default")
                let created = try await exports.create([
                    "apiVersion": "networking.fleet.azure.com/v1alpha1", "kind": "ServiceExport",
                    "metadata": ["name": "app"], "spec": ["field1": "x"],
                ])
                #expect(created[path: ["metadata", "name"]]?.stringValue == "app")
            }
        }
    }

    @Test("the reference's scenario: another party's label survives a schema update", arguments: [true, false])
    func updatePreservesLabels(e2e: Bool) async throws {
        try await withAdminClient { client in
            let installer = Self.installer(client)
            let api = client.api(CustomResourceDefinition.self)
            let name = "serviceexports.networking.fleet.azure.com"

            // Create the original CRD and verify it.
            let original = try CRDManifests.decoded().filter { $0.metadata.name == name }
            let first = try await installer.install(original, mode: .hub, e2e: e2e)
            #expect(first.map(\.action) == [.created])
            var crd = try await api.get(name)
            #expect(crd.metadata.labels?[CRDInstallerConstants.managedLabelKey] == "true")
            #expect(crd.metadata.labels?[CRDInstallerConstants.azureManagedByLabelKey] == (e2e ? nil : "fleet"))
            #expect(CRDManifests.specProperties(of: crd) == ["field1", "field2", "field3", "field4"])

            // Another party adds a label.
            let randomKey = "random-\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await retryOnConflict {
                var current = try await api.get(name)
                current.metadata.labels = (current.metadata.labels ?? [:]).merging([randomKey: "value"]) { $1 }
                return try await api.replace(current)
            }

            // The installer runs with a schema that gained a field.
            let updated = try CRDManifests.decoded(newField: true).filter { $0.metadata.name == name }
            let second = try await installer.install(updated, mode: .hub, e2e: e2e)
            #expect(second.map(\.action) == [.updated])
            crd = try await api.get(name)
            #expect(crd.metadata.labels?[randomKey] == "value")
            #expect(crd.metadata.labels?[CRDInstallerConstants.managedLabelKey] == "true")
            #expect(crd.metadata.labels?[CRDInstallerConstants.azureManagedByLabelKey] == (e2e ? nil : "fleet"))
            #expect(CRDManifests.specProperties(of: crd) == ["field1", "field2", "field3", "field4", "newField"])
            #expect(Self.isEstablished(crd))

            // Delete it, as the reference's last step does.
            try await api.delete(name)
        }
    }

    @Test("a second run writes nothing: every CRD unchanged, resourceVersions kept")
    func idempotent() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            try await withAdminClient { client in
                let installer = Self.installer(client)
                let first = try await installer.install(directory: directory, mode: .hub)
                let before = try await Self.installed(client).mapValues(\.metadata.resourceVersion)
                let second = try await installer.install(directory: directory, mode: .hub)
                #expect(second.allSatisfy { $0.action == .unchanged })
                #expect(Dictionary(uniqueKeysWithValues: second.map { ($0.name, $0.resourceVersion) })
                    == Dictionary(uniqueKeysWithValues: first.map { ($0.name, $0.resourceVersion) }))
                let after = try await Self.installed(client).mapValues(\.metadata.resourceVersion)
                #expect(after == before)
                // Dropping the installer's label makes the next run write it back.
                let name = "serviceimports.networking.fleet.azure.com"
                let api = client.api(CustomResourceDefinition.self)
                _ = try await retryOnConflict {
                    var current = try await api.get(name)
                    current.metadata.labels?[CRDInstallerConstants.managedLabelKey] = nil
                    return try await api.replace(current)
                }
                let third = try await installer.install(directory: directory, mode: .hub)
                #expect(third.filter { $0.action != .unchanged }.map(\.name) == [name])
                let relabelled = try await api.get(name)
                #expect(relabelled.metadata.labels?[CRDInstallerConstants.managedLabelKey] == "true")
            }
        }
    }

    @Test("no CRD of the group found is an error naming the directory and mode")
    func emptyDirectory() async throws {
        try await withTemporaryDirectory { directory in
            try write(CRDManifests.yaml(plural: "widgets", kind: "Widget", group: "example.com"), to: "\(directory)/widgets.yaml")
            try await withAdminClient { client in
                let error = await #expect(throws: CRDInstallerError.self) {
                    try await Self.installer(client).install(directory: directory, mode: .hub)
                }
                #expect(error?.description == "no CRDs found for mode hub in directory \(directory)")
                await #expect(throws: CRDInstallerError.noCRDs(mode: .member, directory: nil)) {
                    try await Self.installer(client).install([], mode: .member)
                }
                let installed = try await Self.installed(client)
                #expect(installed.isEmpty)
            }
        }
    }

    @Test("a malformed file stops the installer before any write, naming the file")
    func malformedFile() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            let path = "\(directory)/zz-broken.yaml"
            try write("spec: [1, 2\n", to: path)
            try await withAdminClient { client in
                let error = await #expect(throws: CRDInstallerError.self) {
                    try await Self.installer(client).install(directory: directory, mode: .hub)
                }
                #expect(error?.description.contains(path) == true)
                let installed = try await Self.installed(client)
                #expect(installed.isEmpty)
            }
        }
    }
}
