import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// What kube-controller-manager's deployment and replica-set controllers do, reduced to what a local
// fleet needs: a Deployment keeps `replicas` Pods of its template (label `pod-template-hash`
// marks the template they were made from; a changed template replaces them), and its status
// counts them. Pods are controlled by the Deployment, so the API server's garbage collector
// removes them with it.

struct DeploymentReconciler: Reconciler {
    let deployments: InformerStore<Deployment>
    let pods: InformerStore<Pod>
    let client: KubeClient
    /// The member's one node: its Pods are created bound to it.
    let nodeName: String?

    static let templateHashLabel = "pod-template-hash"

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let deployment = deployments.get(key), !deployment.metadata.isDeleting,
            let uid = deployment.metadata.uid, let spec = deployment.spec
        else { return .done }
        let hash = Self.templateHash(spec.template)
        let owned = pods.list(namespace: key.namespace).filter { pod in
            pod.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } == true
                && !pod.metadata.isDeleting
        }
        let podAPI = client.api(Pod.self, namespace: key.namespace)
        // Pods of an older template go first (the Recreate strategy).
        let (current, outdated) = (
            owned.filter { $0.metadata.labels?[Self.templateHashLabel] == hash },
            owned.filter { $0.metadata.labels?[Self.templateHashLabel] != hash }
        )
        for pod in outdated { try await delete(pod, with: podAPI) }
        let desired = Int(spec.replicas ?? 1)
        if current.count < desired {
            for _ in current.count..<desired {
                _ = try await podAPI.create(makePod(deployment, uid: uid, hash: hash, template: spec.template))
            }
        } else if current.count > desired {
            let newestFirst = current.sorted {
                ($0.metadata.creationTimestamp?.secondsSinceEpoch ?? 0, $0.metadata.name ?? "")
                    > ($1.metadata.creationTimestamp?.secondsSinceEpoch ?? 0, $1.metadata.name ?? "")
            }
            for pod in newestFirst.prefix(current.count - desired) { try await delete(pod, with: podAPI) }
        }
        let kept = current.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.prefix(desired)
        let ready = Int32(kept.filter(\.isReady).count)
        var status = deployment.status ?? DeploymentStatus()
        let before = status
        status.observedGeneration = deployment.metadata.generation
        // Counts what the cache showed; the Pod events of this round's writes bring the next update.
        status.replicas = Int32(current.count)
        status.updatedReplicas = status.replicas
        status.readyReplicas = ready
        status.availableReplicas = ready
        status.unavailableReplicas = Int32(desired) - ready > 0 ? Int32(desired) - ready : nil
        let available = ready >= Int32(desired)
        let condition = DeploymentCondition(
            type: "Available", status: available ? "True" : "False",
            lastUpdateTime: before.conditions?.first { $0.type == "Available" }?.lastUpdateTime ?? Time(Date()),
            lastTransitionTime: before.conditions?.first { $0.type == "Available" && $0.status == (available ? "True" : "False") }?.lastTransitionTime ?? Time(Date()),
            reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            message: available ? "Deployment has minimum availability." : "Deployment does not have minimum availability.")
        // Progressing, as the real controller reports a finished rollout (kubectl describe, and
        // `rollout status` checks it for a timed-out rollout).
        let replicaSet = "\(deployment.metadata.name ?? "")-\(hash)"
        let progressing = DeploymentCondition(
            type: "Progressing", status: "True",
            lastUpdateTime: before.conditions?.first { $0.type == "Progressing" }?.lastUpdateTime ?? Time(Date()),
            lastTransitionTime: before.conditions?.first { $0.type == "Progressing" }?.lastTransitionTime ?? Time(Date()),
            reason: available ? "NewReplicaSetAvailable" : "ReplicaSetUpdated",
            message: available
                ? "ReplicaSet \"\(replicaSet)\" has successfully progressed." : "ReplicaSet \"\(replicaSet)\" is progressing.")
        status.conditions = [condition, progressing]
        guard status != before else { return .done }
        var updated = deployment
        updated.status = status
        _ = try await client.api(Deployment.self, namespace: key.namespace).replaceStatus(updated)
        return .done
    }

    private func delete(_ pod: Pod, with api: ResourceAPI<Pod>) async throws {
        do {
            try await api.delete(pod.metadata.name ?? "")
        } catch let error as KubeClientError where error.isNotFound {}
    }

    private func makePod(_ deployment: Deployment, uid: String, hash: String, template: PodTemplateSpec) -> Pod {
        let name = deployment.metadata.name ?? "deployment"
        var labels = template.metadata?.labels ?? [:]
        labels[Self.templateHashLabel] = hash
        let suffix = String((0..<5).map { _ in "bcdfghjklmnpqrstvwxz2456789".randomElement()! })
        return Pod(
            metadata: ObjectMeta(
                name: "\(name)-\(hash)-\(suffix)", namespace: deployment.metadata.namespace, labels: labels,
                annotations: template.metadata?.annotations,
                ownerReferences: [OwnerReference(owner: deployment, isController: true, blocksOwnerDeletion: true)]),
            spec: template.spec.map { spec in
                var spec = spec
                if spec.nodeName == nil { spec.nodeName = nodeName }
                return spec
            })
    }

    /// A short, stable hash of the pod template (as the real controller's `pod-template-hash`).
    static func templateHash(_ template: PodTemplateSpec) -> String {
        let bytes = (try? JSONValue(encoding: template).serialized()) ?? []
        return String(DerivedNames.hexHash(String(decoding: bytes, as: UTF8.self)).prefix(10))
    }
}

extension Pod {
    /// Whether the Pod's Ready condition is True.
    var isReady: Bool { status?.conditions?.contains { $0.type == "Ready" && $0.status == "True" } == true }
}

enum DeploymentController {
    static func make(
        logger: Logger, client: KubeClient, informers: SharedInformers, nodeName: String? = nil
    ) -> Controller<DeploymentReconciler> {
        ControllerBuilder(name: "deployment")
            .logger(logger)
            .for(Deployment.self, in: informers)
            .owns(Pod.self, in: informers)
            .build(reconciler: DeploymentReconciler(
                deployments: informers.informer(for: Deployment.self).store,
                pods: informers.informer(for: Pod.self).store, client: client, nodeName: nodeName))
    }
}
