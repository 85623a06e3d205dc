import CRDInstaller
import Foundation
import KubeClient
import KubeModel
import Testing

@Suite(
    "net-crd-installer executable",
    .enabled(
        if: InstallerProcess.executablePath != nil,
        "net-crd-installer is not built next to the tests (run `swift build --build-tests`)"))
struct NetCRDInstallerCommandTests {
    /// The built executable (the suite runs only when there is one).
    static func executable() throws -> String {
        try #require(InstallerProcess.executablePath)
    }

    @Test("an unknown --mode fails with the reference's message")
    func badMode() async throws {
        let executable = try Self.executable()
        try await withTemporaryDirectory { directory in
            for arguments in [["--mode=bogus"], []] {
                let outcome = try await InstallerProcess.run(executable, arguments, workDirectory: directory)
                #expect(outcome.status != 0)
                #expect(outcome.standardError.contains("--mode flag must be either 'hub' or 'member'"))
            }
        }
    }

    @Test("member mode against a server from a kubeconfig installs the member CRDs (klog flags accepted)")
    func memberMode() async throws {
        let executable = try Self.executable()
        try await withTemporaryDirectory { directory in
            let crdDirectory = "\(directory)/crds"
            try FileManager.default.createDirectory(atPath: crdDirectory, withIntermediateDirectories: true)
            try CRDManifests.writeAll(to: crdDirectory)
            let kubeconfig = "\(directory)/kubeconfig"
            try await TLSAPIServer.with { server in
                try server.writeKubeconfig(to: kubeconfig)
                let arguments = [
                    "--mode=member", "--crd-dir", crdDirectory, "--kubeconfig", kubeconfig, "--e2e-test=false", "--v=2", "--add_dir_header",
                ]
                let outcome = try await InstallerProcess.run(executable, arguments, workDirectory: directory)
                #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
                let crds = try await server.withClient { client in
                    try await client.api(CustomResourceDefinition.self).list().items
                }
                let names = Set(crds.filter { $0.spec.group == CRDManifests.group }.compactMap(\.metadata.name))
                #expect(names == CRDManifests.memberNames)
                #expect(crds.allSatisfy { $0.spec.group != CRDManifests.group
                    || $0.metadata.labels?[CRDInstallerConstants.azureManagedByLabelKey] == "fleet" })
                let log = outcome.standardOutput + outcome.standardError
                for name in CRDManifests.memberNames { #expect(log.contains(name)) }

                // Again, with Go's spelling of boolean flags (e2e mode asks for fewer labels): nothing changes.
                let again = try await InstallerProcess.run(
                    executable,
                    ["--mode=member", "--crd-dir=\(crdDirectory)", "--kubeconfig=\(kubeconfig)", "--e2e-test=true", "--add_dir_header=false"],
                    workDirectory: directory)
                #expect(again.status == 0, "stderr: \(again.standardError)")
                #expect((again.standardOutput + again.standardError).contains("unchanged"))
            }
        }
    }

    @Test("a directory without CRDs of the group exits non-zero with a clear message")
    func emptyDirectory() async throws {
        let executable = try Self.executable()
        try await withTemporaryDirectory { directory in
            let crdDirectory = "\(directory)/crds"
            try FileManager.default.createDirectory(atPath: crdDirectory, withIntermediateDirectories: true)
            let kubeconfig = "\(directory)/kubeconfig"
            try await TLSAPIServer.with { server in
                try server.writeKubeconfig(to: kubeconfig)
                let outcome = try await InstallerProcess.run(
                    executable, ["--mode=hub", "--crd-dir", crdDirectory, "--kubeconfig", kubeconfig], workDirectory: directory)
                #expect(outcome.status != 0)
                #expect(outcome.standardError.contains("no CRDs found for mode hub in directory \(crdDirectory)"))
            }
        }
    }
}
