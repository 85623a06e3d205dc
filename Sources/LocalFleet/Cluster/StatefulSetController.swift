import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// kube-controller-manager's StatefulSet controller, reduced to what a local fleet needs: Pods
// `<set>-<ordinal>` for ordinals 0..<replicas, each with `hostname` = its name and `subdomain` =
// `spec.serviceName` (so the governing headless Service gives each Pod a DNS name, and its
// EndpointSlice carries the hostname), labels `statefulset.kubernetes.io/pod-name` and
// `apps.kubernetes.io/pod-index`. With `OrderedReady` (the default) ordinal n is created only
// once every lower ordinal is Ready, and scaling down removes the highest ordinal first;
// `Parallel` creates and deletes at once. Pods are controlled by the StatefulSet (the API
// server's garbage collector removes them with it). Template updates are not rolled out.

struct StatefulSetReconciler: Reconciler {
    let statefulSets: InformerStore<StatefulSet>
    let pods: InformerStore<Pod>
    let client: KubeClient
    /// The member's one node: its Pods are created bound to it.
    let nodeName: String?

    static let podNameLabel = "statefulset.kubernetes.io/pod-name"
    static let podIndexLabel = "apps.kubernetes.io/pod-index"

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let statefulSet = statefulSets.get(key), !statefulSet.metadata.isDeleting,
            let uid = statefulSet.metadata.uid, let spec = statefulSet.spec
        else { return .done }
        let podAPI = client.api(Pod.self, namespace: key.namespace)
        let owned = Dictionary(
            pods.list(namespace: key.namespace)
                .filter { pod in pod.metadata.ownerReferences?.contains { $0.uid == uid && $0.controller == true } == true }
                .map { ($0.metadata.name ?? "", $0) },
            uniquingKeysWith: { first, _ in first })
        let desired = Int(max(0, spec.replicas ?? 1))
        let parallel = spec.podManagementPolicy == "Parallel"

        // Scale down, highest ordinal first.
        let extra = owned.values.compactMap { pod -> (Int, Pod)? in
            guard let ordinal = Self.ordinal(of: pod.metadata.name ?? "", in: key.name), ordinal >= desired else { return nil }
            return (ordinal, pod)
        }.sorted { $0.0 > $1.0 }
        for (_, pod) in parallel ? extra : Array(extra.prefix(1)) where !pod.metadata.isDeleting {
            try await podAPI.deleteIgnoringNotFound(pod.metadata.name ?? "", uid: pod.metadata.uid)
        }

        // Scale up, in order.
        for ordinal in 0..<desired {
            let name = "\(key.name)-\(ordinal)"
            if let pod = owned[name] {
                if !parallel && (!pod.isReady || pod.metadata.isDeleting) { break }
                continue
            }
            _ = try await podAPI.create(makePod(statefulSet, name: name, ordinal: ordinal, template: spec.template))
            // The new Pod's events bring this key back for the next ordinal.
            if !parallel { break }
        }

        let current = owned.values.filter { pod in
            !pod.metadata.isDeleting && Self.ordinal(of: pod.metadata.name ?? "", in: key.name).map { $0 < desired } == true
        }
        let ready = Int32(current.filter(\.isReady).count)
        var status = statefulSet.status ?? StatefulSetStatus()
        let before = status
        status.observedGeneration = statefulSet.metadata.generation
        status.replicas = Int32(current.count)
        status.currentReplicas = Int32(current.count)
        status.updatedReplicas = Int32(current.count)
        status.readyReplicas = ready
        status.availableReplicas = ready
        guard status != before else { return .done }
        var updated = statefulSet
        updated.status = status
        _ = try await client.api(StatefulSet.self, namespace: key.namespace).replaceStatus(updated)
        return .done
    }

    /// The ordinal of Pod `name` of StatefulSet `set`, if it is one of its Pods' names.
    static func ordinal(of name: String, in set: String) -> Int? {
        guard name.hasPrefix(set + "-") else { return nil }
        let suffix = name.dropFirst(set.count + 1)
        guard !suffix.isEmpty, suffix.allSatisfy({ ("0"..."9").contains($0) }), suffix == "0" || !suffix.hasPrefix("0") else { return nil }
        return Int(suffix)
    }

    private func makePod(_ statefulSet: StatefulSet, name: String, ordinal: Int, template: PodTemplateSpec) -> Pod {
        var labels = template.metadata?.labels ?? [:]
        labels[Self.podNameLabel] = name
        labels[Self.podIndexLabel] = String(ordinal)
        var spec = template.spec ?? PodSpec()
        spec.hostname = name
        spec.subdomain = statefulSet.spec?.serviceName
        if spec.nodeName == nil { spec.nodeName = nodeName }
        return Pod(
            metadata: ObjectMeta(
                name: name, namespace: statefulSet.metadata.namespace, labels: labels, annotations: template.metadata?.annotations,
                ownerReferences: [OwnerReference(owner: statefulSet, isController: true, blocksOwnerDeletion: true)]),
            spec: spec)
    }
}

enum StatefulSetController {
    static func make(
        logger: Logger, client: KubeClient, informers: SharedInformers, nodeName: String? = nil
    ) -> Controller<StatefulSetReconciler> {
        ControllerBuilder(name: "statefulset")
            .logger(logger)
            .for(StatefulSet.self, in: informers)
            .owns(Pod.self, in: informers)
            .build(reconciler: StatefulSetReconciler(
                statefulSets: informers.informer(for: StatefulSet.self).store,
                pods: informers.informer(for: Pod.self).store, client: client, nodeName: nodeName))
    }
}
