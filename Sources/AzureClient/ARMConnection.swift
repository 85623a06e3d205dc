import Logging
import Synchronization

/// An `ARMClient` made when first needed: the managers start before the cloud's endpoints are
/// known (a custom cloud's come from its metadata endpoint), and a controller whose reconcile
/// cannot get a client fails that reconcile and is retried with backoff, like any other error.
public final class ARMConnection: Sendable {
    private let resolve: @Sendable () async throws -> ARMClient
    private let resolved = Mutex<ARMClient?>(nil)

    /// A client that is already made.
    public init(_ client: ARMClient) {
        resolve = { client }
        resolved.withLock { $0 = client }
    }

    /// A client made by `resolve` on first use (again after a failure).
    public init(resolve: @escaping @Sendable () async throws -> ARMClient) {
        self.resolve = resolve
    }

    public func client() async throws -> ARMClient {
        if let client = resolved.withLock({ $0 }) { return client }
        let client = try await resolve()
        resolved.withLock { $0 = client }
        return client
    }
}

extension ARMConnection {
    /// The connection a manager makes from its cloud config: the cloud's endpoints and the
    /// credential are resolved on first use (a custom cloud's metadata endpoint may not answer yet).
    public convenience init(cloud: AzureCloudConfig, userAgent: String, logger: Logger) {
        self.init {
            let (configuration, credential) = try await AzureConnection.make(cloud, userAgent: userAgent)
            return ARMClient(configuration: configuration, credential: credential, logger: logger)
        }
    }
}
