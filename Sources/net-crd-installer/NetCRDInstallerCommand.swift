import ArgumentParser
import CRDInstaller
import Foundation
import KubeClient
import Logging

/// `net-crd-installer`: installs the fleet-networking CRDs into the cluster it runs against
/// (an init container of the hub and member charts).
@main
struct NetCRDInstallerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net-crd-installer",
        abstract: "Create or update the networking.fleet.azure.com CRDs of a hub or member cluster.")

    @Option(help: "Mode to run in: 'hub' or 'member' (required).")
    var mode: String = ""

    @Flag(name: .customLong("e2e-test"), help: "Running as part of E2E tests: do not add the kubernetes.azure.com/managedby label.")
    var e2eTest = false

    @Option(name: .customLong("crd-dir"), help: "Directory holding the CRD manifests.")
    var crdDirectory: String = CRDInstallerConstants.defaultCRDDirectory

    @Option(help: "Path to a kubeconfig; otherwise KUBECONFIG, in-cluster configuration, or ~/.kube/config.")
    var kubeconfig: String?

    @Option(name: .customLong("establish-timeout"), help: "Seconds to wait for each CRD to become Established (0: do not wait).")
    var establishTimeoutSeconds: Int = 30

    @Option(name: .customLong("v"), help: "klog verbosity (accepted for compatibility; 2 or more logs at debug level).")
    var verbosity: Int = 0

    @Flag(name: .customLong("add_dir_header"), help: "klog flag, accepted for compatibility and ignored.")
    var addDirHeader = false

    static func main() async {
        do {
            var command = try parseAsRoot(GoBooleanFlags.normalized(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    func run() async throws {
        guard let installMode = InstallMode(rawValue: mode) else {
            fail("--mode flag must be either 'hub' or 'member'")
        }
        var logger = Logger(label: "net-crd-installer")
        logger.logLevel = verbosity >= 2 ? .debug : .info
        logger.info("Starting network CRD installer in \(installMode) mode")
        logger.info("E2E test mode: \(e2eTest)")

        let client: KubeClient
        do {
            client = try KubeClient(configuration: try ClientConfiguration.automatic(kubeconfigPath: kubeconfig), logger: logger)
        } catch {
            fail("Failed to create Kubernetes client: \(error)")
        }
        let installer = CRDInstaller(
            client: client, logger: logger,
            establishTimeout: establishTimeoutSeconds > 0 ? .seconds(establishTimeoutSeconds) : nil)
        do {
            try await installer.install(directory: crdDirectory, mode: installMode, e2e: e2eTest)
        } catch {
            try? await client.shutdown()
            fail("Failed to install CRDs: \(error)")
        }
        try? await client.shutdown()
        logger.info("Successfully installed \(installMode) CRDs")
    }

    /// Writes `message` on standard error and exits with status 1, as klog.Fatal does.
    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(1)
    }
}
