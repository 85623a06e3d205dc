import CRDInstaller
import FleetAPI
import Foundation
import KubeModel
import Testing

@Suite("CRDLoader")
struct CRDLoaderTests {
    @Test("loads only CRDs of the fleet-networking group, files in name order")
    func loadsGroupOnly() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            try write("not a manifest", to: "\(directory)/README.md")
            let crds = try CRDLoader.load(directory: directory)
            #expect(crds.map(\.spec.names.plural) == ["internalserviceexports", "multiclusterservices", "serviceexports", "serviceimports"])
            #expect(crds.allSatisfy { $0.spec.group == "networking.fleet.azure.com" })
            let all = try CRDLoader.load(directory: directory, groups: nil)
            #expect(all.contains { $0.spec.group == "example.com" })
        }
    }

    @Test("reads multi-document YAML, .yml and JSON files, and sub-directories")
    func multiDocumentAndJSON() async throws {
        try await withTemporaryDirectory { directory in
            let both = CRDManifests.yaml(plural: "serviceexports", kind: "ServiceExport") + "---\n"
                + CRDManifests.yaml(plural: "serviceimports", kind: "ServiceImport") + "---\n"
            try write(both, to: "\(directory)/a.yml")
            let json = try JSONValue(encoding: try CRDLoader.load(file: "\(directory)/a.yml")[0])
            try FileManager.default.createDirectory(atPath: "\(directory)/sub", withIntermediateDirectories: true)
            var renamed = json
            renamed[path: ["metadata", "name"]] = "multiclusterservices.networking.fleet.azure.com"
            renamed[path: ["spec", "names", "plural"]] = "multiclusterservices"
            renamed[path: ["spec", "names", "kind"]] = "MultiClusterService"
            try write(renamed.jsonString, to: "\(directory)/sub/b.json")
            let crds = try CRDLoader.load(directory: directory)
            #expect(crds.map(\.spec.names.plural) == ["serviceexports", "serviceimports", "multiclusterservices"])
            #expect(CRDManifests.specProperties(of: crds[2]) == ["field1", "field2", "field3", "field4"])
        }
    }

    @Test("a file that is not YAML names the file")
    func malformedFile() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            let path = "\(directory)/broken.yaml"
            try write("apiVersion: apiextensions.k8s.io/v1\nkind: [unclosed\n  spec: {\n", to: path)
            let error = #expect(throws: CRDInstallerError.self) { try CRDLoader.load(directory: directory) }
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("a document of another kind names the file")
    func otherKind() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/namespace.yaml"
            try write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n", to: path)
            let error = #expect(throws: CRDInstallerError.self) { try CRDLoader.load(directory: directory) }
            #expect(error?.description.contains(path) == true)
            #expect(error?.description.contains("Namespace") == true)
        }
    }

    @Test("a missing directory is an error naming it")
    func missingDirectory() throws {
        let path = NSTemporaryDirectory() + "crd-installer-missing-" + UUID().uuidString
        let error = #expect(throws: CRDInstallerError.self) { try CRDLoader.load(directory: path) }
        #expect(error?.description.contains(path) == true)
    }

    @Test("mode selection: hub takes the whole group, member only the three member kinds")
    func selection() async throws {
        try await withTemporaryDirectory { directory in
            try CRDManifests.writeAll(to: directory)
            let crds = try CRDLoader.load(directory: directory, groups: nil)
            #expect(crds.count == CRDManifests.fleetKinds.count + 1)
            #expect(Set(InstallMode.hub.select(crds).compactMap(\.metadata.name)) == CRDManifests.fleetNames)
            #expect(Set(InstallMode.member.select(crds).compactMap(\.metadata.name)) == CRDManifests.memberNames)
        }
    }

    @Test("the committed config/crd/bases: a hub gets every fleet kind and no MCS kind, a member its three fleet kinds and the MCS API")
    func committedManifests() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let crds = try CRDLoader.load(directory: root.appendingPathComponent("config/crd/bases").path)
        let hub = Set(InstallMode.hub.select(crds).compactMap(\.metadata.name))
        let member = Set(InstallMode.member.select(crds).compactMap(\.metadata.name))
        #expect(hub == Set(FleetCRDs.hub.map(\.name)))
        #expect(member == Set(FleetCRDs.member.map(\.name)))
        #expect(member.isSuperset(of: ["serviceexports.multicluster.x-k8s.io", "serviceimports.multicluster.x-k8s.io"]))
        #expect(hub.allSatisfy { $0.hasSuffix(".networking.fleet.azure.com") })
        let mcs = try #require(crds.first { $0.metadata.name == "serviceimports.multicluster.x-k8s.io" })
        #expect(mcs.metadata.labels?["multicluster.x-k8s.io/release-version"] == "v0.5.0")
        #expect(mcs.spec.versions.map(\.name) == ["v1alpha1", "v1beta1"])
        #expect(mcs.spec.versions.filter(\.storage).map(\.name) == ["v1beta1"])
        #expect(mcs.spec.names.shortNames == ["svcim"])
    }
}
