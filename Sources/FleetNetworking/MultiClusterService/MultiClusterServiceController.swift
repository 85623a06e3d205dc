import FleetAPI
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import Logging

// The multiclusterservice controller of mcs-controller-manager (reference-controllers §3): a
// MultiClusterService imports the fleet service named by `spec.serviceImport.name` through a
// member ServiceImport it controls, and exposes it through a derived `LoadBalancer` Service
// (no selector) in the fleet system namespace, whose EndpointSlices the member agent imports.
//
// Differences from the reference, all deliberate:
// - Watch-driven: besides the MCS, it watches every ServiceImport (an import owned by another MCS
//   that goes away wakes the MCS waiting for it; the reference polls every 5 s) and the derived
//   Services (labels map them back to their MCS).
// - A ServiceImport that loses all its clusters (a flapping last exporter) does not cost the MCS
//   its derived Service: the Service stays, ports unchanged, and simply gets no endpoints; the MCS
//   reports Valid=Unknown with an empty `status.loadBalancer` and returns to Valid=True with the
//   same Service (and load-balancer IP) when an exporter comes back (§9.4). The derived Service is
//   deleted only when the MCS is deleted or retargeted to another ServiceImport.
// - The internal-LB annotation of the derived Service follows the MCS annotation both ways (§9.6).
// - A derived name taken by a Service that is not this MCS's falls back to a hashed name.
// - Nothing is written (objects, status, events) when nothing changes.
// - On deletion only a ServiceImport this MCS controls is deleted, never another MCS's.

/// Reconciles one MultiClusterService (key: its namespace/name).
public struct MultiClusterServiceReconciler: Reconciler {
    let context: MemberAgentContext
    let multiClusterServices: InformerStore<MultiClusterService>
    let serviceImports: InformerStore<ServiceImport>
    /// Services of the fleet system namespace.
    let fleetSystemServices: InformerStore<Service>
    /// ServiceImports and derived Services created and not yet in the cache.
    let createdImports = CreateExpectations()
    let createdServices = CreateExpectations()
    /// MultiClusterService versions this controller replaced that the cache may still show.
    let written = UpdateExpectations()

    static let validMessage = "found valid service import"
    static let unknownMessage =
        "importing service; if the condition remains for a while, please verify that service has been exported or service has been exported by other multiClusterService"

    private func mcsAPI(_ namespace: String) -> ResourceAPI<MultiClusterService> {
        context.member.api(MultiClusterService.self, namespace: namespace)
    }
    private var serviceAPI: ResourceAPI<Service> { context.member.api(Service.self, namespace: context.fleetSystemNamespace) }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var mcs = multiClusterServices.get(key) else {
            // Gone (its finalizer was removed by someone else, or cleanup already ran): no derived
            // Service may outlive it. The ServiceImport goes with it by owner reference.
            for service in derivedServices(of: key) { try await deleteService(named: service.metadata.name ?? "") }
            return .done
        }
        // The cache still shows a version this controller replaced: the event of its write comes.
        guard !written.isSuperseded(key, mcs.metadata) else { return .done }
        if mcs.metadata.isDeleting {
            return try await handleDelete(mcs, key: key)
        }
        return try await handleUpdate(mcs, key: key)
    }

    // MARK: Update

    private func handleUpdate(_ original: MultiClusterService, key: ObjectKey) async throws -> ReconcileResult {
        var mcs = original
        let importName = mcs.spec.serviceImport?.name ?? ""
        let labels = mcs.metadata.labels ?? [:]
        var derivedName = labels[FleetLabels.derivedService]

        // Retargeted: the old import and the derived Service go (the new import may resolve to
        // different ports and clusters; the reference deletes both as well).
        if let previous = labels[FleetLabels.serviceImport], previous != importName {
            try await deleteImportIfControlled(namespace: key.namespace, name: previous, by: mcs)
            for service in derivedServices(of: key) { try await deleteService(named: service.metadata.name ?? "") }
            derivedName = nil
        }

        // The finalizer and the labels before anything is created (one write), so the objects
        // can always be found from the MCS and are cleaned up with it.
        var desiredLabels = labels
        desiredLabels[FleetLabels.serviceImport] = importName.isEmpty ? nil : importName
        desiredLabels[FleetLabels.derivedService] = derivedName
        let finalizerAdded = mcs.metadata.addFinalizer(FleetFinalizers.serviceResourcesCleanup)
        if desiredLabels != labels || finalizerAdded {
            mcs.metadata.labels = desiredLabels.isEmpty ? nil : desiredLabels
            mcs = try await written.write(over: mcs) { [mcs] in try await mcsAPI(key.namespace).replace(mcs) }
        }
        guard !importName.isEmpty else {
            try await writeStatus(of: mcs, valid: false, loadBalancer: LoadBalancerStatus())
            return .done
        }

        // The member ServiceImport, controlled by this MCS.
        let importKey = ObjectKey(namespace: key.namespace, name: importName)
        let serviceImport: ServiceImport?
        switch try await ensureImport(importKey, controlledBy: mcs) {
        case .owned(let owned):
            serviceImport = owned
        case .pending:
            // Just created or adopted; its add/update event brings us back.
            return .done
        case .foreign:
            // Imported by another MCS: nothing to serve. Its deletion (a ServiceImport event)
            // wakes this MCS up to take over.
            if let name = mcs.metadata.labels?[FleetLabels.derivedService] {
                try await deleteDerivedService(named: name, of: key)
                mcs.metadata.labels?[FleetLabels.derivedService] = nil
                mcs = try await written.write(over: mcs) { [mcs] in try await mcsAPI(key.namespace).replace(mcs) }
            }
            for service in derivedServices(of: key) { try await deleteService(named: service.metadata.name ?? "") }
            try await writeStatus(of: mcs, valid: false, loadBalancer: LoadBalancerStatus())
            return .done
        }

        let clusters = serviceImport?.status?.clusters ?? []
        guard !clusters.isEmpty else {
            // No exporter (yet, or for the moment): keep any derived Service as it is, so its
            // load balancer survives until an exporter returns.
            try await writeStatus(of: mcs, valid: false, loadBalancer: LoadBalancerStatus())
            return .done
        }

        // The derived Service: the label's name if set, else the derived name, else (taken by a
        // Service that is not ours) a hashed one. The label is written first.
        guard let name = chooseDerivedName(for: mcs, key: key) else {
            context.memberEvents.emit(
                .warning, reason: MultiClusterServiceEvents.derivedServiceNameTaken,
                message: "the names for the derived service of \(key) in \(context.fleetSystemNamespace) are taken by other services",
                about: mcs)
            return .requeueWithBackoff
        }
        if mcs.metadata.labels?[FleetLabels.derivedService] != name {
            mcs.metadata.labels = (mcs.metadata.labels ?? [:]).merging([FleetLabels.derivedService: name]) { $1 }
            mcs = try await written.write(over: mcs) { [mcs] in try await mcsAPI(key.namespace).replace(mcs) }
        }
        let ports = (serviceImport?.status?.ports ?? []).map(\.servicePort)
        let service = try await ensureDerivedService(named: name, for: mcs, key: key, ports: ports)
        try await writeStatus(of: mcs, valid: true, loadBalancer: service.status?.loadBalancer ?? LoadBalancerStatus())
        return .done
    }

    private enum ImportState {
        case owned(ServiceImport)
        case pending
        case foreign
    }

    /// Makes sure `key` exists and is controlled by `mcs` (creating or adopting it).
    private func ensureImport(_ key: ObjectKey, controlledBy mcs: MultiClusterService) async throws -> ImportState {
        let api = context.member.api(ServiceImport.self, namespace: key.namespace)
        let owner = Self.ownerReference(of: mcs)
        guard var existing = serviceImports.get(key) else {
            // Its event brings this MCS back (AlreadyExists: the cache is behind).
            guard !createdImports.isPending(key) else { return .pending }
            try await api.createUnlessPresent(
                ServiceImport(metadata: ObjectMeta(name: key.name, namespace: key.namespace, ownerReferences: [owner])))
            createdImports.expectCreated(key)
            return .pending
        }
        if let controller = existing.metadata.ownerReferences?.first(where: { $0.controller == true }) {
            if controller.uid == mcs.metadata.uid {
                // Ours but going away (deleted by someone): wait for it to go, keeping the derived
                // Service; its deletion event brings us back to recreate it.
                return existing.metadata.isDeleting ? .pending : .owned(existing)
            }
            return .foreign
        }
        if existing.metadata.isDeleting { return .pending }
        // Not controlled by anyone (e.g. created by hand): adopt it, as the reference's
        // CreateOrUpdate with a controller reference does.
        existing.metadata.ownerReferences = (existing.metadata.ownerReferences ?? []) + [owner]
        _ = try await api.replace(existing)
        return .pending
    }

    static func ownerReference(of mcs: MultiClusterService) -> OwnerReference {
        OwnerReference(
            apiVersion: MultiClusterService.apiVersion, kind: MultiClusterService.kind, name: mcs.metadata.name ?? "",
            uid: mcs.metadata.uid ?? "", controller: true, blockOwnerDeletion: true)
    }

    /// The derived Service's name: the MCS's label if that Service is free or ours, else the
    /// derived name, else a hashed fallback; nil when all are taken.
    private func chooseDerivedName(for mcs: MultiClusterService, key: ObjectKey) -> String? {
        var candidates: [String] = []
        if let label = mcs.metadata.labels?[FleetLabels.derivedService], !label.isEmpty { candidates.append(label) }
        candidates.append(DerivedNames.derivedServiceName(namespace: key.namespace, name: key.name))
        candidates.append(Self.fallbackDerivedServiceName(namespace: key.namespace, name: key.name))
        return candidates.first { name in
            guard let existing = fleetSystemServices.get(namespace: context.fleetSystemNamespace, name: name) else { return true }
            return Self.isDerived(existing, of: key)
        }
    }

    /// The name used when the derived name is taken: `<ns>-<name>` cut short, plus a hash that
    /// the derived name never carries (`fb` marks the fallback), so the two never coincide.
    public static func fallbackDerivedServiceName(namespace: String, name: String) -> String {
        let hash = DerivedNames.hexHash("fallback:\(namespace)/\(name)")
        var prefix = String("\(namespace)-\(name)".replacingOccurrences(of: ".", with: "-").prefix(DerivedNames.labelLength - hash.count - 4))
        while prefix.hasSuffix("-") { prefix.removeLast() }
        if prefix.first.map({ $0.isASCII && $0.isLetter }) != true { prefix = "x" + prefix.dropLast() }
        return "\(prefix)-fb\(hash)"
    }

    static func isDerived(_ service: Service, of key: ObjectKey) -> Bool {
        service.metadata.labels?[FleetLabels.multiClusterServiceName] == key.name
            && service.metadata.labels?[FleetLabels.multiClusterServiceNamespace] == key.namespace
    }

    /// Services in the fleet system namespace labelled as derived from `key`.
    private func derivedServices(of key: ObjectKey) -> [Service] {
        fleetSystemServices.list(namespace: context.fleetSystemNamespace).filter { Self.isDerived($0, of: key) }
    }

    /// Creates or updates the derived Service; returns it as cached or written.
    private func ensureDerivedService(named name: String, for mcs: MultiClusterService, key: ObjectKey, ports: [ServicePort]) async throws -> Service {
        let existing = fleetSystemServices.get(namespace: context.fleetSystemNamespace, name: name)
        let desired = Self.desiredService(
            name: name, namespace: context.fleetSystemNamespace, key: key, ports: ports,
            internalLoadBalancer: Self.wantsInternalLoadBalancer(mcs), existing: existing)
        if let existing, existing == desired { return existing }
        let written: Service
        if existing == nil {
            // AlreadyExists (ours, not cached yet) is thrown: the retry finds it in the cache.
            let serviceKey = ObjectKey(namespace: context.fleetSystemNamespace, name: name)
            if createdServices.isPending(serviceKey) { return desired }
            written = try await serviceAPI.create(desired)
            createdServices.expectCreated(serviceKey)
        } else {
            written = try await serviceAPI.replace(desired)
        }
        return written
    }

    /// The derived Service as it should be, starting from `existing` so that fields others own
    /// (cluster IP, node ports, status, annotations of other tools) are kept.
    static func desiredService(
        name: String, namespace: String, key: ObjectKey, ports: [ServicePort], internalLoadBalancer: Bool, existing: Service?
    ) -> Service {
        var service = existing ?? Service(metadata: ObjectMeta(name: name, namespace: namespace), spec: ServiceSpec())
        let ownLabels = [FleetLabels.multiClusterServiceName: key.name, FleetLabels.multiClusterServiceNamespace: key.namespace]
        if ownLabels.contains(where: { service.metadata.labels?[$0.key] != $0.value }) {
            service.metadata.labels = (service.metadata.labels ?? [:]).merging(ownLabels) { $1 }
        }
        let internalValue: String? = internalLoadBalancer ? "true" : nil
        if service.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternal] != internalValue {
            var annotations = service.metadata.annotations ?? [:]
            annotations[FleetAnnotations.azureLoadBalancerInternal] = internalValue
            service.metadata.annotations = annotations.isEmpty ? nil : annotations
        }
        var spec = service.spec ?? ServiceSpec()
        if spec.type != "LoadBalancer" { spec.type = "LoadBalancer" }
        if spec.selector?.isEmpty == false { spec.selector = nil }
        let current = spec.ports ?? []
        if !samePorts(current, ports) {
            // Keep the node ports already allocated to the same (port, protocol).
            spec.ports = ports.map { port in
                var port = port
                port.nodePort = current.first { $0.port == port.port && ($0.protocol ?? "TCP") == (port.protocol ?? "TCP") }?.nodePort
                return port
            }
        }
        service.spec = spec
        return service
    }

    /// Equal ports as a server would store them (protocol defaults to TCP, targetPort to port;
    /// node ports are the server's).
    static func samePorts(_ current: [ServicePort], _ desired: [ServicePort]) -> Bool {
        guard current.count == desired.count else { return false }
        return zip(current, desired).allSatisfy { have, want in
            (have.name ?? "") == (want.name ?? "") && (have.protocol ?? "TCP") == (want.protocol ?? "TCP")
                && (have.appProtocol ?? "") == (want.appProtocol ?? "") && have.port == want.port
                && (have.targetPort ?? .int(have.port)) == (want.targetPort ?? .int(want.port))
        }
    }

    /// Whether the MCS asks for an internal load balancer (Go's `strconv.ParseBool` true values).
    static func wantsInternalLoadBalancer(_ mcs: MultiClusterService) -> Bool {
        guard let value = mcs.metadata.annotations?[FleetAnnotations.azureLoadBalancerInternalMCS] else { return false }
        return ["1", "t", "T", "TRUE", "true", "True"].contains(value)
    }

    // MARK: Status

    /// Writes the Valid condition and load balancer when they differ from the stored ones.
    private func writeStatus(of mcs: MultiClusterService, valid: Bool, loadBalancer: LoadBalancerStatus) async throws {
        var status = mcs.status ?? MultiClusterServiceStatus()
        let condition = Condition.make(
            type: MultiClusterServiceConditions.valid, status: valid ? ConditionStatus.true : ConditionStatus.unknown,
            reason: valid ? MultiClusterServiceConditions.Reason.foundServiceImport : MultiClusterServiceConditions.Reason.unknownServiceImport,
            message: valid ? Self.validMessage : Self.unknownMessage, observedGeneration: mcs.metadata.generation, at: context.now())
        let wasValid = status.conditions?.condition(ofType: MultiClusterServiceConditions.valid)?.status == ConditionStatus.true
        var changed = status.conditions.setEquivalent(condition)
        let balancer = Self.normalized(loadBalancer)
        if status.loadBalancer.map(Self.normalized) != balancer {
            status.loadBalancer = balancer
            changed = true
        }
        guard changed else { return }
        var updated = mcs
        updated.status = status
        _ = try await written.write(over: mcs) { try await mcsAPI(mcs.metadata.namespace ?? "").replaceStatus(updated) }
        if valid, !wasValid {
            context.memberEvents.emit(
                .normal, reason: MultiClusterServiceEvents.foundValidService,
                message: "found valid service import \(mcs.metadata.namespace ?? "")/\(mcs.spec.serviceImport?.name ?? "")",
                about: updated)
        }
        context.memberEvents.emit(
            .normal, reason: MultiClusterServiceEvents.successfulUpdateStatus,
            message: valid ? "updated the status: found valid service import" : "updated the status: service import is not ready",
            about: updated)
    }

    static func normalized(_ status: LoadBalancerStatus) -> LoadBalancerStatus {
        var status = status
        if status.ingress?.isEmpty == true { status.ingress = nil }
        return status
    }

    // MARK: Delete

    private func handleDelete(_ original: MultiClusterService, key: ObjectKey) async throws -> ReconcileResult {
        guard original.metadata.hasFinalizer(FleetFinalizers.serviceResourcesCleanup) else { return .done }
        var mcs = original
        if let name = mcs.metadata.labels?[FleetLabels.derivedService] {
            try await deleteDerivedService(named: name, of: key)
        }
        for service in derivedServices(of: key) { try await deleteService(named: service.metadata.name ?? "") }
        var importNames = Set<String>()
        if let name = mcs.metadata.labels?[FleetLabels.serviceImport] { importNames.insert(name) }
        if let name = mcs.spec.serviceImport?.name { importNames.insert(name) }
        for name in importNames.sorted() {
            try await deleteImportIfControlled(namespace: key.namespace, name: name, by: mcs)
        }
        context.memberEvents.emit(
            .normal, reason: MultiClusterServiceEvents.unimportedService,
            message: "unimported the service: deleted its service import and derived service", about: mcs)
        mcs.metadata.removeFinalizer(FleetFinalizers.serviceResourcesCleanup)
        do {
            _ = try await written.write(over: original) { [mcs] in try await mcsAPI(key.namespace).replace(mcs) }
        } catch let error as KubeClientError where error.isNotFound {}
        return .done
    }

    /// Deletes the Service `name` of the fleet system namespace if it is derived from `key` (or
    /// not cached: a Service the cache has not seen yet was created by us under the MCS's label).
    private func deleteDerivedService(named name: String, of key: ObjectKey) async throws {
        if let existing = fleetSystemServices.get(namespace: context.fleetSystemNamespace, name: name),
            !Self.isDerived(existing, of: key)
        {
            return
        }
        try await deleteService(named: name)
    }

    private func deleteService(named name: String) async throws {
        guard !name.isEmpty else { return }
        do {
            _ = try await serviceAPI.delete(name)
        } catch let error as KubeClientError where error.isNotFound {}
    }

    private func deleteImportIfControlled(namespace: String, name: String, by mcs: MultiClusterService) async throws {
        guard let existing = serviceImports.get(namespace: namespace, name: name),
            existing.metadata.ownerReferences?.contains(where: { $0.controller == true && $0.uid == mcs.metadata.uid }) == true,
            !existing.metadata.isDeleting
        else { return }
        do {
            _ = try await context.member.api(ServiceImport.self, namespace: namespace).delete(name)
        } catch let error as KubeClientError where error.isNotFound {}
    }
}

/// Builds the multiclusterservice controller.
public enum MultiClusterServiceController {
    public static let name = "multiclusterservice"

    /// The controller over `context`'s member caches: MultiClusterServices (all namespaces),
    /// ServiceImports (all namespaces) and the Services of the fleet system namespace.
    public static func make(_ context: MemberAgentContext) -> Controller<MultiClusterServiceReconciler> {
        let informers = context.memberInformers
        let mcsInformer = informers.informer(for: MultiClusterService.self)
        let mcsStore = mcsInformer.store
        let importInformer = informers.informer(for: ServiceImport.self)
        let serviceInformer = informers.informer(for: Service.self, namespace: context.fleetSystemNamespace)
        let reconciler = MultiClusterServiceReconciler(
            context: context, multiClusterServices: mcsStore, serviceImports: importInformer.store,
            fleetSystemServices: serviceInformer.store)
        reconciler.createdImports.observe(importInformer)
        reconciler.createdServices.observe(serviceInformer)
        reconciler.written.observe(mcsInformer)
        return ControllerBuilder(name: name)
            .for(MultiClusterService.self, in: informers)
            .watches(ServiceImport.self, in: informers) { serviceImport in
                importKeys(serviceImport, multiClusterServices: mcsStore)
            }
            .watches(Service.self, in: informers, namespace: context.fleetSystemNamespace) { service in
                guard let name = service.metadata.labels?[FleetLabels.multiClusterServiceName],
                    let namespace = service.metadata.labels?[FleetLabels.multiClusterServiceNamespace]
                else { return [] }
                return [ObjectKey(namespace: namespace, name: name)]
            }
            .logger(context.logger)
            .build(reconciler: reconciler)
    }

    /// The controller as the managers run it.
    public static func runnable(_ context: MemberAgentContext) -> ControllerRunnable {
        ControllerRunnable(make(context))
    }

    /// The MCSs a ServiceImport change concerns: its controlling MCS, and every MCS of the
    /// namespace asking for an import of that name (one waiting for another MCS to let go).
    static func importKeys(_ serviceImport: ServiceImport, multiClusterServices: InformerStore<MultiClusterService>) -> [ObjectKey] {
        let namespace = serviceImport.metadata.namespace ?? ""
        var keys = Set<ObjectKey>()
        if let owner = serviceImport.metadata.ownerReferences?.first(where: { $0.controller == true }),
            owner.kind == MultiClusterService.kind
        {
            keys.insert(ObjectKey(namespace: namespace, name: owner.name))
        }
        for mcs in multiClusterServices.list(namespace: namespace)
        where mcs.spec.serviceImport?.name == serviceImport.metadata.name
            || mcs.metadata.labels?[FleetLabels.serviceImport] == serviceImport.metadata.name
        {
            keys.insert(ObjectKey(mcs))
        }
        return keys.sorted()
    }
}
