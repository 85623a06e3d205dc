import FleetAPI
import KubeModel

// One object of every fleet kind with every optional field populated, so that a field the Swift
// type writes but the schema does not declare (and the server would prune) shows up in a test.

enum Samples {
    static let time = Time(secondsSinceEpoch: 1_700_000_000)

    static func condition(_ type: String) -> Condition {
        Condition(type: type, status: "True", observedGeneration: 1, lastTransitionTime: time, reason: "Sample", message: "sample")
    }

    static func meta(_ name: String, namespaced: Bool = true) -> ObjectMeta {
        ObjectMeta(name: name, namespace: namespaced ? FleetServer.namespace : nil)
    }

    static let reference = ExportedObjectReference(
        clusterId: "member-1", apiVersion: "v1", kind: "Service", namespace: "work", name: "app",
        resourceVersion: "7", generation: 3, uid: "0b7c3e5e-1111-2222-3333-444455556666", exportedSince: time)

    static let ports = [
        FleetServicePort(name: "http", protocol: "TCP", appProtocol: "http", port: 80, targetPort: .string("web")),
        FleetServicePort(name: "dns", protocol: "UDP", appProtocol: "dns", port: 53, targetPort: .int(5353)),
    ]

    static let serviceImportStatus = ServiceImportStatus(
        ips: ["10.0.0.10"], type: "ClusterSetIP", sessionAffinity: "ClientIP",
        sessionAffinityConfig: SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 300)),
        ports: ports, clusters: [ClusterStatus(cluster: "member-1"), ClusterStatus(cluster: "member-2")])

    static let endpointSliceSpec = EndpointSliceExportSpec(
        addressType: "IPv4",
        endpoints: [
            ExportedEndpoint(
                addresses: ["10.1.0.1", "10.1.0.2"],
                conditions: EndpointConditions(ready: true, serving: true, terminating: false), hostname: "web-0",
                zone: "zone-a")
        ],
        ports: [EndpointPort(name: "http", protocol: "TCP", port: 8080, appProtocol: "http")],
        endpointSliceReference: reference, ownerServiceReference: OwnerServiceReference(namespace: "work", name: "app"))

    static let clusterSetExport = ClusterSetExport(
        serviceExportCreationTimestamp: time, type: "ClusterSetIP", sessionAffinity: "ClientIP",
        sessionAffinityConfig: SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10)), internalTrafficPolicy: "Cluster",
        trafficDistribution: "PreferClose", ipFamilies: ["IPv4", "IPv6"], exportedLabels: ["tier": "web"],
        exportedAnnotations: ["team": "blue"])

    static let mcsImportSpec = MCSServiceImportSpec(
        ports: [MCSServicePort(name: "tcp", protocol: "TCP", appProtocol: "http", port: 42)], ips: ["10.96.0.10", "fd00::10"],
        type: "ClusterSetIP", sessionAffinity: "ClientIP",
        sessionAffinityConfig: SessionAffinityConfig(clientIP: ClientIPConfig(timeoutSeconds: 10)), ipFamilies: ["IPv4", "IPv6"],
        internalTrafficPolicy: "Cluster", trafficDistribution: "PreferClose")

    static let monitorConfig = MonitorConfig(
        customHeaders: [MonitorConfigCustomHeader(name: "Host", value: "app.example.com")], intervalInSeconds: 30,
        path: "/healthz", port: 8443, protocol: "HTTPS", timeoutInSeconds: 10, toleratedNumberOfFailures: 4)

    static let profileStatus = TrafficManagerProfileStatus(
        dnsName: "work-profile.trafficmanager.net",
        resourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/trafficManagerProfiles/p",
        conditions: [condition("Programmed")])

    static let backendStatus = TrafficManagerBackendStatus(
        endpoints: [
            TrafficManagerEndpointStatus(
                name: "endpoint-1", resourceID: "/subscriptions/s/endpoints/e1", weight: 50,
                target: "app.member-1.example.com", from: FromCluster(cluster: "member-1", weight: 2))
        ],
        conditions: [condition("Accepted")])

    static let clusterStatus = MemberClusterStatus(
        conditions: [condition("Joined")],
        properties: ["kubernetes-fleet.io/node-count": PropertyValue(value: "3", observationTime: time)],
        resourceUsage: ResourceUsage(
            capacity: ["cpu": .string("4"), "pods": .int(110)], allocatable: ["memory": .string("16Gi")],
            available: ["cpu": .string("1500m")], observationTime: time),
        agentStatus: [
            AgentStatus(type: AgentTypes.serviceExportImportAgent, conditions: [condition("Joined")], lastReceivedHeartbeat: time)
        ])

    static let serviceExport = ServiceExport(
        metadata: meta("svcexport-beta"), status: ServiceExportStatus(conditions: [condition("Valid"), condition("Conflict")]))
    static let serviceExportV1Alpha1 = ServiceExportV1Alpha1(
        metadata: meta("svcexport-alpha"), status: ServiceExportStatus(conditions: [condition("Valid")]))
    static let serviceImport = ServiceImport(metadata: meta("svcimport"), status: serviceImportStatus)
    static let internalServiceExport = InternalServiceExport(
        metadata: meta("internal-export"),
        spec: InternalServiceExportSpec(
            ports: ports, serviceReference: reference, type: "LoadBalancer", isDNSLabelConfigured: true,
            isInternalLoadBalancer: false,
            publicIPResourceID: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/ip",
            weight: 5, clusterSetExport: clusterSetExport),
        status: InternalServiceExportStatus(conditions: [condition("Conflict")]))
    static let internalServiceImport = InternalServiceImport(
        metadata: meta("internal-import"), spec: InternalServiceImportSpec(serviceImportReference: reference),
        status: serviceImportStatus)
    static let endpointSliceExport = EndpointSliceExport(metadata: meta("slice-export"), spec: endpointSliceSpec)
    static let endpointSliceImport = EndpointSliceImport(metadata: meta("slice-import"), spec: endpointSliceSpec)
    static let multiClusterService = MultiClusterService(
        metadata: meta("mcs"), spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app")),
        status: MultiClusterServiceStatus(
            loadBalancer: LoadBalancerStatus(ingress: [
                LoadBalancerIngress(
                    ip: "20.1.2.3", hostname: "lb.example.com", ipMode: "VIP",
                    ports: [PortStatus(port: 80, protocol: "TCP", error: "NoError")])
            ]),
            conditions: [condition("Valid")]))
    static let trafficManagerProfile = TrafficManagerProfile(
        metadata: meta("profile-beta"), spec: TrafficManagerProfileSpec(resourceGroup: "rg", monitorConfig: monitorConfig),
        status: profileStatus)
    static let trafficManagerProfileV1Alpha1 = TrafficManagerProfileV1Alpha1(
        metadata: meta("profile-alpha"), spec: TrafficManagerProfileSpec(resourceGroup: "rg", monitorConfig: monitorConfig),
        status: profileStatus)
    static let trafficManagerBackend = TrafficManagerBackend(
        metadata: meta("backend-beta"),
        spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: "profile"), backend: LocalObjectName(name: "app"), weight: 10),
        status: backendStatus)
    static let trafficManagerBackendV1Alpha1 = TrafficManagerBackendV1Alpha1(
        metadata: meta("backend-alpha"),
        spec: TrafficManagerBackendSpec(profile: LocalObjectName(name: "profile"), backend: LocalObjectName(name: "app"), weight: 10),
        status: backendStatus)
    static let memberCluster = MemberCluster(
        metadata: meta("member-1", namespaced: false),
        spec: MemberClusterSpec(
            identity: Subject(kind: "ServiceAccount", apiGroup: "", name: "member-agent", namespace: "fleet-system"),
            heartbeatPeriodSeconds: 30, taints: [Taint(key: "maintenance", value: "true", effect: "NoSchedule")]),
        status: clusterStatus)
    static let internalMemberCluster = InternalMemberCluster(
        metadata: meta("member-1"),
        spec: InternalMemberClusterSpec(state: InternalMemberClusterSpec.join, heartbeatPeriodSeconds: 30),
        status: clusterStatus)
    static let mcsServiceExport = MCSServiceExport(
        metadata: meta("mcs-export"),
        spec: MCSServiceExportSpec(exportedLabels: ["tier": "web"], exportedAnnotations: ["team": "blue"]),
        status: MCSServiceExportStatus(conditions: [condition("Valid"), condition("Ready"), condition("Conflict")]))
    static let mcsServiceImport = MCSServiceImport(
        metadata: meta("mcs-import"), spec: mcsImportSpec,
        status: MCSServiceImportStatus(clusters: [ClusterStatus(cluster: "member-1")], conditions: [condition("Ready")]))
    static let clusterSetImport = ClusterSetImport(
        metadata: meta("clusterset-import"),
        spec: ClusterSetImportSpec(
            service: OwnerServiceReference(namespace: "work", name: "app"), serviceImport: mcsImportSpec,
            clusters: [ClusterStatus(cluster: "member-1"), ClusterStatus(cluster: "member-2")],
            portClusters: [PortClusters(name: "tcp", clusters: ["member-1"])], labels: ["tier": "web"],
            annotations: ["team": "blue"]))
}
