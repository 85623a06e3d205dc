import Foundation
import KubeServer
import LocalFleet
import Logging
import ServiceLifecycle
import Testing

// `fleetnet up`'s clusters, checked the way a user checks them: kubectl with the written
// kubeconfig, one context per cluster.

@Suite struct LocalClustersTests {
    static let kubectl: String? = ["/usr/local/bin/kubectl", "/usr/bin/kubectl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    } ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/kubectl" }.first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test(.enabled(if: LocalClustersTests.kubectl != nil, "kubectl is not installed"))
    func kubeconfigHasAWorkingContextPerCluster() async throws {
        let kubectl = try #require(Self.kubectl)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let clusters = try LocalClusters(memberCount: 1, logger: logger)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = ServiceGroup(configuration: .init(services: clusters.servers.map { .init(service: $0.server) }, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let kubeconfig = directory.appendingPathComponent("kubeconfig")
            try await clusters.writeKubeconfig(to: kubeconfig)
            let attributes = try FileManager.default.attributesOfItem(atPath: kubeconfig.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            for context in ["hub", "member-1"] {
                let output = try run(
                    kubectl, ["--kubeconfig", kubeconfig.path, "--context", context,
                              "--cache-dir", directory.appendingPathComponent("cache-\(context)").path,
                              "get", "namespaces", "-o", "name"])
                #expect(output.status == 0, "\(output.stderr)")
                #expect(output.stdout.contains("namespace/default"), "\(output.stdout)")
                #expect(output.stderr.isEmpty, "\(output.stderr)")
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
