import KubeClient
import KubeModel

// Creating an object the controller's cache does not show yet. A reconcile that runs again right
// after its own create (its other writes wake it) misses the new object in the cache and tries
// again; the server answers AlreadyExists. For a kind the controller watches, that object's watch
// event brings the key back with the object cached, so there is nothing to retry now. At scale
// these retries were a third of the InternalServiceExport creates.

extension ResourceAPI {
    /// Creates `object`; AlreadyExists is not an error. Use only for kinds whose events requeue
    /// the calling controller's key.
    public func createUnlessPresent(_ object: K) async throws {
        do {
            _ = try await create(object)
        } catch let error as KubeClientError where error.isAlreadyExists {
        }
    }
}
