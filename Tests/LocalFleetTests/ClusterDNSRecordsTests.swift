import FleetAPI
import KubeModel
import KubeRuntime
@testable import LocalFleet
import Testing

// The records a member's DNS answers (the MCS DNS specification for clusterset.local, CoreDNS's
// kubernetes plugin for cluster.local), from caches filled by hand.

struct ClusterDNSRecordsTests {
    static let ns = "shop"

    /// Caches with: a ClusterSetIP import `web` (tcp/42, udp/42, unnamed 8080; IP 127.103.0.7), a
    /// headless import `db` with endpoints in two clusters (one with a hostname, one not ready), a
    /// local ClusterIP Service `web` and a local headless Service `db` with a StatefulSet's
    /// hostnames.
    static func records() -> ClusterDNSRecords {
        let services = InformerStore<Service>()
        let slices = InformerStore<EndpointSlice>()
        let imports = InformerStore<MCSServiceImport>()
        imports.replace(
            all: [
                MCSServiceImport(
                    metadata: ObjectMeta(name: "web", namespace: ns),
                    spec: MCSServiceImportSpec(
                        ports: [
                            MCSServicePort(name: "tcp", protocol: "TCP", port: 42), MCSServicePort(name: "udp", protocol: "UDP", port: 42),
                            MCSServicePort(port: 8080),
                        ], ips: ["127.103.0.7"], type: "ClusterSetIP", ipFamilies: ["IPv4"])),
                MCSServiceImport(
                    metadata: ObjectMeta(name: "db", namespace: ns),
                    spec: MCSServiceImportSpec(ports: [MCSServicePort(name: "sql", protocol: "TCP", port: 5432)], type: "Headless")),
            ], resourceVersion: "1")
        func mcsSlice(_ name: String, service: String, cluster: String, _ endpoints: [Endpoint]) -> EndpointSlice {
            EndpointSlice(
                metadata: ObjectMeta(
                    name: name, namespace: ns,
                    labels: [MCSLabels.serviceName: service, MCSLabels.sourceCluster: cluster, FleetLabels.endpointSliceManagedBy: "x"]),
                endpoints: endpoints)
        }
        let ready = EndpointConditions(ready: true)
        slices.replace(
            all: [
                mcsSlice(
                    "db-1", service: "db", cluster: "member-1",
                    [Endpoint(addresses: ["127.11.0.5"], conditions: ready, hostname: "db-0"), Endpoint(addresses: ["127.11.0.6"], conditions: ready)]),
                mcsSlice(
                    "db-2", service: "db", cluster: "member-2",
                    [Endpoint(addresses: ["127.12.0.9"], conditions: ready), Endpoint(addresses: ["127.12.0.10"], conditions: EndpointConditions(ready: false))]),
                EndpointSlice(
                    metadata: ObjectMeta(name: "db-local", namespace: ns, labels: [FleetLabels.serviceName: "db"]),
                    endpoints: [Endpoint(addresses: ["127.11.0.5"], conditions: ready, hostname: "db-0")]),
            ], resourceVersion: "1")
        services.replace(
            all: [
                Service(
                    metadata: ObjectMeta(name: "web", namespace: ns),
                    spec: ServiceSpec(ports: [ServicePort(name: "http", protocol: "TCP", port: 80)], clusterIP: "127.101.0.4", clusterIPs: ["127.101.0.4"])),
                Service(
                    metadata: ObjectMeta(name: "db", namespace: ns),
                    spec: ServiceSpec(ports: [ServicePort(name: "sql", protocol: "TCP", port: 5432)], clusterIP: "None")),
                Service(metadata: ObjectMeta(name: "ext", namespace: ns), spec: ServiceSpec(type: "ExternalName", externalName: "example.com")),
            ], resourceVersion: "1")
        return ClusterDNSRecords(services: services, slices: slices, imports: imports)
    }

    let records = Self.records()

    @Test func aClusterSetIPServiceHasItsImportsIPs() {
        #expect(records.lookup("web.shop.svc.clusterset.local", type: .a) == .records([.a("127.103.0.7")]))
        #expect(records.lookup("web.shop.svc.clusterset.local", type: .aaaa) == .records([]), "no IPv6: NODATA")
    }

    @Test("bare-name SRV: one record per named port, identical ones once (conformance spec 23)")
    func bareNameSRVOfAClusterSetIPService() {
        #expect(
            records.lookup("web.shop.svc.clusterset.local", type: .srv)
                == .records([.srv(priority: 0, weight: 50, port: 42, target: "web.shop.svc.clusterset.local.")]))
    }

    @Test func srvPerNamedPortAndProtocol() {
        #expect(
            records.lookup("_udp._udp.web.shop.svc.clusterset.local", type: .srv)
                == .records([.srv(priority: 0, weight: 50, port: 42, target: "web.shop.svc.clusterset.local.")]))
        #expect(records.lookup("_tcp._udp.web.shop.svc.clusterset.local", type: .srv) == .nameError)
    }

    @Test("a headless service answers the ready endpoints of every cluster (spec 25)")
    func headlessAddresses() {
        #expect(
            records.lookup("db.shop.svc.clusterset.local", type: .a)
                == .records([.a("127.11.0.6"), .a("127.11.0.5"), .a("127.12.0.9")]), "by cluster, then by name")
    }

    @Test("per-endpoint names: the hostname, else the dashed IP, under the source cluster (spec 26, 27)")
    func headlessEndpointNames() {
        #expect(records.lookup("db-0.member-1.db.shop.svc.clusterset.local", type: .a) == .records([.a("127.11.0.5")]))
        #expect(records.lookup("127-12-0-9.member-2.db.shop.svc.clusterset.local", type: .a) == .records([.a("127.12.0.9")]))
        #expect(records.lookup("db-0.member-2.db.shop.svc.clusterset.local", type: .a) == .nameError)
        #expect(records.lookup("127-12-0-10.member-2.db.shop.svc.clusterset.local", type: .a) == .nameError, "not ready")
        #expect(
            records.lookup("db.shop.svc.clusterset.local", type: .srv)
                == .records([
                    .srv(priority: 0, weight: 50, port: 5432, target: "127-11-0-6.member-1.db.shop.svc.clusterset.local."),
                    .srv(priority: 0, weight: 50, port: 5432, target: "db-0.member-1.db.shop.svc.clusterset.local."),
                    .srv(priority: 0, weight: 50, port: 5432, target: "127-12-0-9.member-2.db.shop.svc.clusterset.local."),
                ]))
    }

    @Test("names nobody exports do not exist; <clusterid>.<svc> is reserved (spec 16)")
    func unexportedNamesDoNotExist() {
        #expect(records.lookup("nothing.shop.svc.clusterset.local", type: .a) == .nameError)
        #expect(records.lookup("member-1.db.shop.svc.clusterset.local", type: .a) == .nameError)
        #expect(records.lookup("a.b.c.db.shop.svc.clusterset.local", type: .a) == .nameError)
        #expect(records.lookup("web.other.svc.clusterset.local", type: .a) == .nameError)
        #expect(records.lookup("example.com", type: .a) == .notAuthoritative)
    }

    @Test func dnsVersionRecords() {
        #expect(records.lookup("dns-version.clusterset.local", type: .txt) == .records([.txt("1.0.0")]))
        #expect(records.lookup("dns-version.cluster.local", type: .txt) == .records([.txt("1.1.0")]))
    }

    @Test("cluster.local answers local Services only (spec 24)")
    func clusterLocal() {
        #expect(records.lookup("web.shop.svc.cluster.local", type: .a) == .records([.a("127.101.0.4")]))
        #expect(records.lookup("db.shop.svc.cluster.local", type: .a) == .records([.a("127.11.0.5")]), "imported slices are not local endpoints")
        #expect(records.lookup("db-0.db.shop.svc.cluster.local", type: .a) == .records([.a("127.11.0.5")]))
        #expect(
            records.lookup("_http._tcp.web.shop.svc.cluster.local", type: .srv)
                == .records([.srv(priority: 0, weight: 50, port: 80, target: "web.shop.svc.cluster.local.")]))
        #expect(records.lookup("ext.shop.svc.cluster.local", type: .a) == .records([.cname("example.com.")]))
        #expect(records.lookup("missing.shop.svc.cluster.local", type: .a) == .nameError)
    }
}
