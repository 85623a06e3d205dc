import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// member/clusterset-import (ours), hub side: materialises the hub's ClusterSetImports as
// `multicluster.x-k8s.io` ServiceImports in this member, keyed by the service `<ns>/<name>`.
//   - A ServiceImport exists exactly while the member's hub namespace holds the service's
//     ClusterSetImport and the service's namespace exists here (KEP-1645: every cluster where the
//     namespace exists imports, exporters included; creating namespaces is not ours to do).
//   - Its spec is the hub's resolution; for a ClusterSetIP import, `ips` and `ipFamilies` are those
//     of the derived Service — a ClusterIP Service without selector named as mcs-api names it
//     (`derived-<hash>`, annotation `multicluster.kubernetes.io/derived-service`), owned by the
//     import, whose cluster IPs stay the import's for its whole life. Imported EndpointSlices
//     carry its name as `kubernetes.io/service-name`, so kube-proxy serves the ClusterSetIP.
//   - Metadata: the exported labels and annotations (oldest export's), plus our annotation
//     `networking.fleet.azure.com/imported-from-fleet`; only ServiceImports carrying it are ever
//     changed or deleted here. Status: `clusters`, and `Ready` (Pending until the ClusterSetIP).
// Watches: ClusterSetImports (own hub namespace), Namespaces, ServiceImports, and Services owned
// by a ServiceImport (a deleted or edited derived Service is repaired at once).

struct ClusterSetImportReconciler: Reconciler {
    let context: MemberAgentContext
    let clusterSetImports: InformerStore<ClusterSetImport>
    let namespaces: InformerStore<Namespace>
    let imports: InformerStore<MCSServiceImport>
    let services: InformerStore<Service>
    let memo = WarningMemo()

    static let name = "member-clusterset-import"

    static func make(_ context: MemberAgentContext) -> ControllerRunnable {
        let hubNamespace = context.hubNamespace
        let clusterSetImports = MemberIndexes.clusterSetImports(
            context.hubInformers.informer(for: ClusterSetImport.self, namespace: hubNamespace).store)
        let reconciler = ClusterSetImportReconciler(
            context: context, clusterSetImports: clusterSetImports,
            namespaces: context.memberInformers.informer(for: Namespace.self).store,
            imports: context.memberInformers.informer(for: MCSServiceImport.self).store,
            services: context.memberInformers.informer(for: Service.self).store)
        let controller = ControllerBuilder(name: name)
            .for(MCSServiceImport.self, in: context.memberInformers)
            .watches(ClusterSetImport.self, in: context.hubInformers, namespace: hubNamespace) { clusterSetImport in
                [ObjectKey(namespace: clusterSetImport.spec.service.namespace, name: clusterSetImport.spec.service.name)]
            }
            .watches(Namespace.self, in: context.memberInformers) { namespace in
                let name = namespace.metadata.name ?? ""
                return clusterSetImports.list().filter { $0.spec.service.namespace == name }.map {
                    ObjectKey(namespace: name, name: $0.spec.service.name)
                }
            }
            .watches(Service.self, in: context.memberInformers) { service in
                guard let owner = service.metadata.ownerReferences?.first(where: Self.isImportOwner) else { return [] }
                return [ObjectKey(namespace: service.metadata.namespace ?? "", name: owner.name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
        return ControllerRunnable(controller)
    }

    static func isImportOwner(_ reference: OwnerReference) -> Bool {
        reference.kind == MCSServiceImport.kind && reference.apiVersion.hasPrefix(MCSGroup.name + "/")
    }

    private var importAPI: ResourceAPI<MCSServiceImport> { context.member.api(MCSServiceImport.self) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let existing = imports.get(key)
        if let existing, existing.metadata.annotations?[MCSAnnotations.importedFrom] == nil {
            // Someone else's ServiceImport (only this controller should write them): left alone.
            if memo.isNew(existing.metadata, reason: MCSServiceImportEvents.notManaged) {
                context.memberEvents.emit(
                    .warning, reason: MCSServiceImportEvents.notManaged,
                    message: "ServiceImport \(key) was not written by fleet networking; it is left as it is and the fleet's import of \(key) waits until it is deleted",
                    about: existing)
            }
            return .done
        }
        let clusterSetImport = clusterSetImports.byIndex(MemberIndexes.clusterSetImportsByService, value: key.description)
            .first { !$0.metadata.isDeleting }
        guard let clusterSetImport, let namespace = namespaces.get(name: key.namespace), !namespace.metadata.isDeleting
        else {
            // Not imported (any more): the derived Service and imported slices go with it (owners).
            if let existing, !existing.metadata.isDeleting {
                try await context.member.api(MCSServiceImport.self, namespace: key.namespace)
                    .deleteIgnoringNotFound(key.name, uid: existing.metadata.uid)
            }
            return .done
        }
        if existing?.metadata.isDeleting == true { return .done }  // its deletion event brings this key back

        var serviceImport = try await ensureImport(existing, key: key, from: clusterSetImport)
        let derived = try await ensureDerivedService(for: serviceImport, key: key)

        // The ClusterSetIP and families of this member: the derived Service's.
        var spec = clusterSetImport.spec.serviceImport
        if let derived {
            spec.ips = derived.spec?.clusterIPs.map { Array($0.prefix(2)) } ?? derived.spec?.clusterIP.map { [$0] }
            spec.ipFamilies = derived.spec?.ipFamilies ?? spec.ipFamilies
        } else if spec.type == MCSServiceImportType.clusterSetIP {
            spec.ips = serviceImport.spec.ips
        }
        if spec.ips?.isEmpty == true { spec.ips = nil }
        var metadata = desiredMetadata(of: serviceImport.metadata, from: clusterSetImport, derived: derived)
        if serviceImport.spec != spec || serviceImport.metadata != metadata {
            serviceImport.spec = spec
            metadata.resourceVersion = serviceImport.metadata.resourceVersion
            serviceImport.metadata = metadata
            serviceImport = try await importAPI.replace(serviceImport)
        }

        let isReady = spec.type == MCSServiceImportType.headless || !(spec.ips ?? []).isEmpty
        var conditions = serviceImport.status?.conditions
        conditions.setEquivalent(
            .make(
                type: MCSServiceImportConditions.ready, status: isReady ? ConditionStatus.true : ConditionStatus.unknown,
                reason: isReady ? MCSServiceImportConditions.Reason.ready : MCSServiceImportConditions.Reason.pending,
                message: isReady ? "The import is ready." : "The ClusterSetIP is being allocated.",
                observedGeneration: serviceImport.metadata.generation, at: context.now()))
        let status = MCSServiceImportStatus(clusters: clusterSetImport.spec.clusters, conditions: conditions)
        if serviceImport.status != status {
            serviceImport.status = status
            _ = try await importAPI.replaceStatus(serviceImport)
        }
        return .done
    }

    /// The import as it exists, creating it (with the hub's spec and metadata) when missing.
    private func ensureImport(_ existing: MCSServiceImport?, key: ObjectKey, from clusterSetImport: ClusterSetImport) async throws
        -> MCSServiceImport
    {
        if let existing { return existing }
        let metadata = desiredMetadata(
            of: ObjectMeta(name: key.name, namespace: key.namespace), from: clusterSetImport, derived: nil)
        return try await importAPI.create(MCSServiceImport(metadata: metadata, spec: clusterSetImport.spec.serviceImport))
    }

    /// The derived Service of a ClusterSetIP import (nil for a headless one), created or repaired.
    private func ensureDerivedService(for serviceImport: MCSServiceImport, key: ObjectKey) async throws -> Service? {
        let name = DerivedNames.clusterSetDerivedServiceName(namespace: key.namespace, name: key.name)
        let api = context.member.api(Service.self, namespace: key.namespace)
        let current = services.get(namespace: key.namespace, name: name)
        guard serviceImport.spec.type == MCSServiceImportType.clusterSetIP else {
            if let current, current.metadata.ownerReferences?.contains(where: { $0.uid == serviceImport.metadata.uid }) == true {
                try await api.deleteIgnoringNotFound(name, uid: current.metadata.uid)
            }
            return nil
        }
        let owner = OwnerReference(owner: serviceImport, isController: true, blocksOwnerDeletion: false)
        let ports = serviceImport.spec.ports.map {
            ServicePort(name: $0.name, protocol: $0.effectiveProtocol, appProtocol: $0.appProtocol, port: $0.port)
        }
        let affinity = serviceImport.spec.sessionAffinity ?? "None"
        let affinityConfig = affinity == "ClientIP" ? serviceImport.spec.sessionAffinityConfig : nil
        guard var service = current else {
            let families = serviceImport.spec.ipFamilies ?? []
            let created = try await api.create(
                Service(
                    metadata: ObjectMeta(name: name, namespace: key.namespace, ownerReferences: [owner]),
                    spec: ServiceSpec(
                        ports: ports, type: "ClusterIP", sessionAffinity: affinity,
                        ipFamilyPolicy: families.count > 1 ? "PreferDualStack" : nil, sessionAffinityConfig: affinityConfig)))
            return created
        }
        if service.metadata.isDeleting { return nil }  // its deletion event brings this key back
        guard service.metadata.ownerReferences?.contains(where: { $0.uid == serviceImport.metadata.uid }) == true else {
            // A Service of that name not made for this import (or for an earlier one).
            if service.metadata.ownerReferences?.contains(where: Self.isImportOwner) == true {
                try await api.deleteIgnoringNotFound(name, uid: service.metadata.uid)
            } else if memo.isNew(service.metadata, reason: MCSServiceImportEvents.derivedServiceNameTaken) {
                context.memberEvents.emit(
                    .warning, reason: MCSServiceImportEvents.derivedServiceNameTaken,
                    message: "Service \(key.namespace)/\(name), the ClusterSetIP Service of ServiceImport \(key), is not owned by it; the import has no ClusterSetIP until it is deleted",
                    about: serviceImport)
            }
            return nil
        }
        let servedPorts = (service.spec?.ports ?? []).map {
            ServicePort(name: $0.name, protocol: $0.protocol ?? "TCP", appProtocol: $0.appProtocol, port: $0.port)
        }
        if servedPorts != ports || service.spec?.sessionAffinity != affinity || service.spec?.sessionAffinityConfig != affinityConfig
            || service.spec?.selector != nil
        {
            service.spec?.ports = ports
            service.spec?.selector = nil
            service.spec?.sessionAffinity = affinity
            service.spec?.sessionAffinityConfig = affinityConfig
            service = try await api.replace(service)
        }
        return service
    }

    /// The import's metadata: the exported labels and annotations, our annotations, the rest kept.
    private func desiredMetadata(of current: ObjectMeta, from clusterSetImport: ClusterSetImport, derived: Service?) -> ObjectMeta {
        var metadata = current
        let labels = clusterSetImport.spec.labels ?? [:]
        metadata.labels = labels.isEmpty ? nil : labels
        var annotations = clusterSetImport.spec.annotations ?? [:]
        annotations[MCSAnnotations.importedFrom] = clusterSetImport.spec.service.namespacedName
        if let derived { annotations[MCSAnnotations.derivedService] = derived.metadata.name }
        metadata.annotations = annotations
        return metadata
    }
}
