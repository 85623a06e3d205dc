import ARMServer
import AzureClient
import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// The member side of Traffic Manager (traffic-manager spec §5): member/serviceexport finds the
// Azure public IP of an exported LoadBalancer Service on the ARM-compatible server and reports it
// in the InternalServiceExport — across pages of the list, in the Service's annotated resource
// group, with the DNS-label rules; not for internal or ClusterIP Services; without holding the
// export back when Azure refuses or the public IP is not there yet; and without listing again
// while nothing about the address changes.

@Suite struct PublicIPLookupTests {
    static let hubNamespace = FleetNamespaces.member("member-1")
    static let nodeGroup = "node-rg"

    static func pipID(_ group: String, _ name: String) -> String {
        "/subscriptions/\(ARMFixture.subscription)/resourceGroups/\(group)/providers/Microsoft.Network/publicIPAddresses/\(name)"
    }

    /// A member with member-net's controllers and public IP lookups as `member-app` (a role in
    /// node-rg and lb-rg, none in secret-rg), while `body` runs.
    static func run(
        _ body: @Sendable (FleetTestbed, ARMServer, ResourceAPI<Service>, ResourceAPI<ServiceExport>, ResourceAPI<InternalServiceExport>) async throws ->
            Void
    ) async throws {
        try await ARMFixture.run(
            groups: [nodeGroup, "lb-rg", "secret-rg"], clientID: "member-app", granted: [nodeGroup, "lb-rg"],
            userAgent: PublicIPLookup.userAgent
        ) { server, arm in
            let lookup = PublicIPLookup(
                arm: ARMConnection(arm), subscription: ARMFixture.subscription, defaultResourceGroup: nodeGroup,
                retryAfter: .milliseconds(300))
            try await FleetTestbed.run(members: ["member-1"]) { fleet in
                let member = fleet.member("member-1").client
                try await fleet.createNamespace("work", in: fleet.member("member-1"))
                try await fleet.runningMemberNet(publicIPs: lookup) { _ in
                    try await body(
                        fleet, server, member.api(Service.self, namespace: "work"), member.api(ServiceExport.self, namespace: "work"),
                        fleet.hub.client.api(InternalServiceExport.self, namespace: hubNamespace))
                }
            }
        }
    }

    /// A LoadBalancer Service with ingress `ip` (the cloud provider's part, written here).
    static func loadBalancer(
        _ services: ResourceAPI<Service>, _ name: String, ip: String?, annotations: [String: String]? = nil
    ) async throws {
        var service = try await services.create(makeService("work", name, type: "LoadBalancer", annotations: annotations))
        if let ip {
            service.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: ip)]))
            _ = try await services.replaceStatus(service)
        }
    }

    static func listRequests(_ server: ARMServer) -> Int {
        server.store.requests.filter { $0.path.lowercased().hasSuffix("/publicipaddresses") }.count
    }

    @Test func anExternalLoadBalancerReportsItsPublicIPFoundAcrossPages() async throws {
        try await Self.run { fleet, server, services, exports, internalExports in
            // 60 other public IPs first: the match is on the second page (50 per page).
            for index in 0..<60 {
                server.store.putPublicIP(.init(name: "other-\(index)", ipAddress: "10.9.0.\(index)"), group: Self.nodeGroup, subscription: ARMFixture.subscription)
            }
            server.store.putPublicIP(.init(name: "pip-app", ipAddress: "127.201.0.5", dnsLabel: "app-one"), group: Self.nodeGroup, subscription: ARMFixture.subscription)
            try await Self.loadBalancer(services, "app", ip: "127.201.0.5")
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "app", namespace: "work")))
            try await eventually("the export reports its public IP") {
                let spec = try await getIfPresent(internalExports, "work-app")?.spec
                return spec?.publicIPResourceID == Self.pipID(Self.nodeGroup, "pip-app") && spec?.isDNSLabelConfigured == true
            }
            #expect(try await internalExports.get("work-app").spec?.isInternalLoadBalancer == false)
            #expect(Self.listRequests(server) == 2, "one list of two pages")

            // The hub's verdicts reconcile the export again; the answer is remembered.
            let lists = Self.listRequests(server)
            try await resolveConflict(fleet, "work", "app", conflicted: false)
            try await eventually("the verdict is copied") {
                try await exports.get("app").status?.conditions.condition(ServiceExportConditions.conflict)?.status == "False"
            }
            #expect(Self.listRequests(server) == lists, "no new list while the address is unchanged")

            // A Service whose address arrives after the export: the public IP is added to the
            // export without making it younger (the hub's conflict order is by age).
            server.store.putPublicIP(.init(name: "pip-late", ipAddress: "127.201.0.6"), group: Self.nodeGroup, subscription: ARMFixture.subscription)
            try await Self.loadBalancer(services, "late", ip: nil)
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "late", namespace: "work")))
            try await eventually("the export without an address is uploaded") { try await getIfPresent(internalExports, "work-late") != nil }
            let before = try await internalExports.get("work-late").spec
            #expect(before?.publicIPResourceID == nil)
            _ = try await update(services, "late", status: true) {
                $0.status = ServiceStatus(loadBalancer: LoadBalancerStatus(ingress: [LoadBalancerIngress(ip: "127.201.0.6")]))
            }
            try await eventually("the late address's public IP is reported, without a DNS label") {
                let spec = try await internalExports.get("work-late").spec
                return spec?.publicIPResourceID == Self.pipID(Self.nodeGroup, "pip-late") && spec?.isDNSLabelConfigured == false
            }
            #expect(try await internalExports.get("work-late").spec?.serviceReference.exportedSince == before?.serviceReference.exportedSince)

            // An internal load balancer and a ClusterIP Service are exported without a lookup.
            let listsBefore = Self.listRequests(server)
            try await Self.loadBalancer(
                services, "internal", ip: "127.201.0.5", annotations: [FleetAnnotations.azureLoadBalancerInternal: "true"])
            _ = try await services.create(makeService("work", "plain"))
            for name in ["internal", "plain"] {
                _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: name, namespace: "work")))
            }
            try await eventually("both are exported") {
                let internalLB = try await getIfPresent(internalExports, "work-internal")
                let plain = try await getIfPresent(internalExports, "work-plain")
                return internalLB != nil && plain != nil
            }
            #expect(try await internalExports.get("work-internal").spec?.isInternalLoadBalancer == true)
            #expect(try await internalExports.get("work-internal").spec?.publicIPResourceID == nil)
            #expect(try await internalExports.get("work-plain").spec?.publicIPResourceID == nil)
            #expect(Self.listRequests(server) == listsBefore)
        }
    }

    @Test func dnsLabelRulesResourceGroupsAndRefusalsDoNotHoldTheExportBack() async throws {
        try await Self.run { fleet, server, services, exports, internalExports in
            // The label is asked for and not there yet: exported without a public IP, then found
            // once the cloud provider adds the label. The resource group annotation is trimmed.
            server.store.putPublicIP(.init(name: "pip-web", ipAddress: "127.201.0.7"), group: "lb-rg", subscription: ARMFixture.subscription)
            try await Self.loadBalancer(
                services, "web", ip: "127.201.0.7",
                annotations: [FleetAnnotations.azureDNSLabelName: "web", FleetAnnotations.azureLoadBalancerResourceGroup: " lb-rg "])
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "web", namespace: "work")))
            try await eventually("exported while the label is pending") { try await getIfPresent(internalExports, "work-web") != nil }
            #expect(try await internalExports.get("work-web").spec?.publicIPResourceID == nil)
            #expect(try await exports.get("web").status?.conditions.condition(ServiceExportConditions.valid)?.status == "True")
            server.store.putPublicIP(.init(name: "pip-web", ipAddress: "127.201.0.7", dnsLabel: "web"), group: "lb-rg", subscription: ARMFixture.subscription)
            try await eventually("the label is seen") {
                let spec = try await internalExports.get("work-web").spec
                return spec?.publicIPResourceID == Self.pipID("lb-rg", "pip-web") && spec?.isDNSLabelConfigured == true
            }

            // An empty annotation: the cloud provider removes the label, so it is not configured.
            _ = try await update(services, "web") { $0.metadata.annotations?[FleetAnnotations.azureDNSLabelName] = "" }
            try await eventually("an empty label annotation reports no label") {
                try await internalExports.get("work-web").spec?.isDNSLabelConfigured == false
            }

            // A resource group the member's identity cannot read (403): exported all the same,
            // and the public IP is reported once a role is granted.
            server.store.putPublicIP(.init(name: "pip-db", ipAddress: "127.201.0.8", dnsLabel: "db"), group: "secret-rg", subscription: ARMFixture.subscription)
            try await Self.loadBalancer(services, "db", ip: "127.201.0.8", annotations: [FleetAnnotations.azureLoadBalancerResourceGroup: "secret-rg"])
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "db", namespace: "work")))
            try await eventually("exported despite the refusal") { try await getIfPresent(internalExports, "work-db") != nil }
            #expect(server.store.requests.contains { $0.status == 403 })
            #expect(try await internalExports.get("work-db").spec?.publicIPResourceID == nil)
            server.identities.grant("member-app", group: "secret-rg", subscription: ARMFixture.subscription)
            try await eventually("the public IP is reported after the grant") {
                try await internalExports.get("work-db").spec?.publicIPResourceID == Self.pipID("secret-rg", "pip-db")
            }

            // No public IP has the address yet: looked up again later, not only on a Service change.
            try await Self.loadBalancer(services, "cache", ip: "127.201.0.9")
            _ = try await exports.create(ServiceExport(metadata: ObjectMeta(name: "cache", namespace: "work")))
            try await eventually("exported without a public IP") { try await getIfPresent(internalExports, "work-cache") != nil }
            server.store.putPublicIP(.init(name: "pip-cache", ipAddress: "127.201.0.9", dnsLabel: "cache"), group: Self.nodeGroup, subscription: ARMFixture.subscription)
            try await eventually("the public IP made later is found") {
                try await internalExports.get("work-cache").spec?.publicIPResourceID == Self.pipID(Self.nodeGroup, "pip-cache")
            }
        }
    }
}
