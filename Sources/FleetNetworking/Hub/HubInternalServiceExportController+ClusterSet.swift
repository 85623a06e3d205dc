import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime

// Step 5 of hub/internalserviceexport: hands a service governed by the MCS API to every member.
// Each member's agent can read only its `fleet-member-<cluster>` namespace, so the resolution is
// written there as a ClusterSetImport, named like the service's InternalServiceExport. Members are
// the hub namespaces `fleet-member-*` (watched, so a member that joins gets every import at once).
// The member decides whether the service's namespace exists there.

extension HubInternalServiceExportController {
    /// Makes every member's ClusterSetImport of `service` say `resolution` (none when nil).
    func syncClusterSetImports(of service: ObjectKey, resolution: ClusterSetResolution?) async throws {
        let existing = caches.clusterSetImports.byIndex(HubCaches.byService, value: service.description)
        guard let resolution, !resolution.clusters.isEmpty else {
            for clusterSetImport in existing where !clusterSetImport.metadata.isDeleting {
                try await context.hub.api(ClusterSetImport.self, namespace: clusterSetImport.metadata.namespace ?? "")
                    .deleteIgnoringNotFound(clusterSetImport.metadata.name ?? "", uid: clusterSetImport.metadata.uid)
            }
            return
        }
        let name = DerivedNames.hubObjectName(namespace: service.namespace, name: service.name)
        let desired = ClusterSetImportSpec(
            service: OwnerServiceReference(namespace: service.namespace, name: service.name),
            serviceImport: resolution.serviceImport,
            clusters: resolution.clusters.map { ClusterStatus(cluster: $0) },
            portClusters: resolution.portClusters, labels: resolution.labels, annotations: resolution.annotations)
        let memberNamespaces = caches.memberNamespaces()
        for namespace in memberNamespaces {
            let api = context.hub.api(ClusterSetImport.self, namespace: namespace)
            guard var current = caches.clusterSetImports.get(namespace: namespace, name: name) else {
                // ClusterSetImports are watched: the new object's event brings this key back.
                try await api.createUnlessPresent(
                    ClusterSetImport(metadata: ObjectMeta(name: name, namespace: namespace), spec: desired))
                continue
            }
            guard !current.metadata.isDeleting, current.spec != desired else { continue }
            current.spec = desired
            _ = try await api.replace(current)
        }
        // Copies under another name, or in namespaces that are no member's any more.
        for clusterSetImport in existing where !clusterSetImport.metadata.isDeleting {
            let namespace = clusterSetImport.metadata.namespace ?? ""
            guard clusterSetImport.metadata.name != name || !memberNamespaces.contains(namespace) else { continue }
            try await context.hub.api(ClusterSetImport.self, namespace: namespace)
                .deleteIgnoringNotFound(clusterSetImport.metadata.name ?? "", uid: clusterSetImport.metadata.uid)
        }
    }
}
