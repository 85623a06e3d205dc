import KubeClient
import KubeModel

// Waiting for the API server to serve a written CRD: apiextensions sets Established=True once
// the kind's names are accepted and its endpoints exist.

extension CRDInstaller {
    static func isEstablished(_ crd: CustomResourceDefinition) -> Bool {
        crd.status?.conditions?.contains { $0.type == "Established" && $0.status == "True" } ?? false
    }

    /// Polls the CRD until it is Established; returns its resourceVersion then. Returns nil at
    /// once when `establishTimeout` is nil.
    func waitUntilEstablished(_ name: String) async throws -> String? {
        guard let timeout = establishTimeout else { return nil }
        let api = client.api(CustomResourceDefinition.self)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: CustomResourceDefinition?
        while true {
            let current = try await api.get(name)
            if Self.isEstablished(current) { return current.metadata.resourceVersion }
            last = current
            if clock.now >= deadline { break }
            try await clock.sleep(for: establishPollInterval)
        }
        let conditions = (last?.status?.conditions ?? []).map { "\($0.type)=\($0.status)" }.joined(separator: ",")
        throw CRDInstallerError.notEstablished(name: name, timeout: timeout, lastConditions: conditions.isEmpty ? "none" : conditions)
    }
}
