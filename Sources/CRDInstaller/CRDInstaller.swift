import KubeClient
import KubeModel
import Logging

// Create-or-update of fleet-networking CRDs against an API server, as the reference's
// net-crd-installer does before the managers start, plus two refinements: a CRD that already has
// the desired state is not written again (its resourceVersion stays), and each CRD is waited for
// until it reports Established=True so managers started afterwards find their kinds.

/// Installs fleet-networking CRDs (from files or built in code) into one cluster.
public struct CRDInstaller: Sendable {
    /// The field manager recorded for the installer's writes.
    public static let fieldManager = "net-crd-installer"

    public let client: KubeClient
    public let logger: Logger
    /// How long to wait for each written CRD to become Established; nil does not wait.
    public var establishTimeout: Duration?
    /// Interval between reads while waiting for Established.
    public var establishPollInterval: Duration

    public init(
        client: KubeClient, logger: Logger = Logger(label: "net-crd-installer"),
        establishTimeout: Duration? = .seconds(30), establishPollInterval: Duration = .milliseconds(100)
    ) {
        self.client = client
        self.logger = logger
        self.establishTimeout = establishTimeout
        self.establishPollInterval = establishPollInterval
    }

    /// Installs the CRDs of `crds` that `mode` selects, in order.
    /// - Parameters:
    ///   - e2e: when true the `kubernetes.azure.com/managedby` label is not added.
    /// - Throws: ``CRDInstallerError/noCRDs(mode:directory:)`` when nothing is selected; client
    ///   errors of the writes; ``CRDInstallerError/notEstablished(name:timeout:lastConditions:)``.
    @discardableResult
    public func install(_ crds: [CustomResourceDefinition], mode: InstallMode, e2e: Bool = false) async throws -> [InstallResult] {
        try await install(crds, mode: mode, e2e: e2e, directory: nil)
    }

    /// Loads the CRDs of the fleet-networking group from `directory` and installs those `mode` selects.
    @discardableResult
    public func install(directory: String, mode: InstallMode, e2e: Bool = false) async throws -> [InstallResult] {
        let crds = try CRDLoader.load(directory: directory)
        return try await install(crds, mode: mode, e2e: e2e, directory: directory)
    }

    private func install(
        _ crds: [CustomResourceDefinition], mode: InstallMode, e2e: Bool, directory: String?
    ) async throws -> [InstallResult] {
        let selected = mode.select(crds)
        guard !selected.isEmpty else { throw CRDInstallerError.noCRDs(mode: mode, directory: directory) }
        logger.info("Found \(selected.count) CRDs to install for mode \(mode)")
        var results: [InstallResult] = []
        for crd in selected {
            let desired = try DesiredCRD(crd, e2e: e2e)
            let (action, object) = try await write(desired)
            var result = InstallResult(name: desired.name, action: action, resourceVersion: object.metadata.resourceVersion)
            if !Self.isEstablished(object), let established = try await waitUntilEstablished(desired.name) {
                result.resourceVersion = established
            }
            logger.info("CRD \(result.name) \(result.action.rawValue)", metadata: ["resourceVersion": "\(result.resourceVersion ?? "")"])
            results.append(result)
        }
        return results
    }

    /// Creates the CRD when absent, otherwise replaces it when it differs; re-reads on conflicts.
    private func write(_ desired: DesiredCRD) async throws -> (InstallResult.Action, CustomResourceDefinition) {
        let api = client.api(CustomResourceDefinition.self)
        let attempts = 5
        for attempt in 1...attempts {
            do {
                return try await retryOnConflict {
                    let existing: CustomResourceDefinition
                    do {
                        existing = try await api.get(desired.name)
                    } catch let error as KubeClientError where error.isNotFound {
                        return (.created, try await api.create(desired.newObject, fieldManager: Self.fieldManager))
                    }
                    if try desired.isSatisfied(by: existing) {
                        return (.unchanged, existing)
                    }
                    return (.updated, try await api.replace(desired.merged(into: existing), fieldManager: Self.fieldManager))
                }
            } catch let error as KubeClientError where error.isAlreadyExists && attempt < attempts {
                // Created by someone else between our read and our create: read it again.
                continue
            }
        }
        preconditionFailure("unreachable: the last attempt returns or throws")
    }
}
