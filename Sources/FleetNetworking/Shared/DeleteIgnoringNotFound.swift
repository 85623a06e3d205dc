import KubeClient
import KubeModel

// Deleting an object that may already be gone: cleanup paths run again after partial progress
// and after other controllers, so "not found" means the work is done.

extension ResourceAPI {
    /// Deletes `name`; an object that is already gone is not an error. With `uid`, deletes only
    /// that incarnation of the object (a precondition; a different one is left alone).
    public func deleteIgnoringNotFound(_ name: String, uid: String? = nil) async throws {
        do {
            try await delete(name, preconditions: uid.map { Preconditions(uid: $0) })
        } catch let error as KubeClientError where error.isNotFound {
        } catch let error as KubeClientError where uid != nil && error.isConflict {
            // The precondition failed: a newer object of that name exists, which is not ours to delete.
        }
    }
}
