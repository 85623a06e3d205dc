import FleetAPI
import KubeModel
import Testing

@testable import FleetNetworking

// The resolution rule on its own (no server): who wins, and which port lists are compatible.

@Suite struct ExportResolutionTests {
    static func candidate(_ cluster: String, since: Int64?, created: Int64 = 0, ports: [FleetServicePort]) -> ServiceExportCandidate {
        var export = Hub.serviceExport(cluster: cluster, ports: ports, since: since)
        export.metadata.creationTimestamp = Time(secondsSinceEpoch: created)
        return ServiceExportCandidate(export: export, cluster: cluster)
    }

    @Test func theOldestWinsFallingBackToCreationThenClusterName() {
        let p80 = [FleetServicePort(port: 80)]
        let p81 = [FleetServicePort(port: 81)]
        // exportedSince beats creation time.
        var resolution = ExportResolution([
            Self.candidate("a", since: 300, created: 1, ports: p80), Self.candidate("b", since: 200, created: 2, ports: p81),
        ])
        #expect(resolution.winner?.cluster == "b")
        #expect(resolution.ports == p81)
        // Without exportedSince, the creation time counts.
        resolution = ExportResolution([
            Self.candidate("a", since: nil, created: 50, ports: p80), Self.candidate("b", since: 100, created: 1, ports: p81),
        ])
        #expect(resolution.winner?.cluster == "a")
        // A tie goes to the cluster name, whatever the input order.
        let tie = [Self.candidate("z", since: 7, ports: p80), Self.candidate("m", since: 7, ports: p81)]
        #expect(ExportResolution(tie).winner?.cluster == "m")
        #expect(ExportResolution(tie.reversed()).winner?.cluster == "m")
        #expect(ExportResolution(tie).clusters(of: tie) == ["m"])
    }

    /// `exportedSince` is the member's word; the hub's creation of its copy is the hub's. A member
    /// claiming an export older than the hub's copy (stolen credentials, or a clock behind) is
    /// taken to have exported when the hub first saw it, so it cannot take over a service another
    /// member exported first. Later stamps (ports changed since) still count.
    @Test func aMemberCannotClaimAnExportOlderThanTheHubsRecordOfIt() {
        let p80 = [FleetServicePort(port: 80)]
        let p81 = [FleetServicePort(port: 81)]
        let honest = Self.candidate("b", since: 100, created: 101, ports: p80)
        let hostile = Self.candidate("a", since: 1, created: 500, ports: p81)
        #expect(ExportResolution([hostile, honest]).winner?.cluster == "b")
        #expect(hostile.since == Time(secondsSinceEpoch: 500))
        #expect(honest.since == Time(secondsSinceEpoch: 101))
        // A stamp after the hub's record is the member's to give.
        #expect(Self.candidate("c", since: 900, created: 500, ports: p80).since == Time(secondsSinceEpoch: 900))
        // Through the MCS API as well.
        var mcs = Self.candidate("d", since: nil, created: 500, ports: p80)
        mcs = ServiceExportCandidate(
            export: {
                var export = mcs.export
                export.spec?.clusterSetExport = ClusterSetExport(serviceExportCreationTimestamp: Time(secondsSinceEpoch: 3), type: MCSServiceImportType.clusterSetIP)
                return export
            }(), cluster: "d")
        #expect(mcs.exportStart == Time(secondsSinceEpoch: 500))
    }

    /// Stamps have whole seconds: an export that changes its ports in the second another was
    /// stamped ties with it. The one still exposing the served ports wins the tie, whatever the
    /// cluster names; without served ports (nothing resolved) the name decides.
    @Test func aTieGoesToTheExportStillServingTheResolvedPorts() {
        let p80 = [FleetServicePort(name: "http", port: 80, targetPort: .int(8080))]
        let p81 = [FleetServicePort(name: "http", port: 81)]
        let tie = [Self.candidate("a", since: 7, ports: p81), Self.candidate("b", since: 7, ports: p80)]
        #expect(ExportResolution(tie, served: [FleetServicePort(name: "http", protocol: "TCP", port: 80)]).winner?.cluster == "b")
        #expect(ExportResolution(tie.reversed(), served: p80).clusters(of: tie) == ["b"])
        #expect(ExportResolution(tie).winner?.cluster == "a")
        // Age still comes first.
        let older = [Self.candidate("a", since: 6, ports: p81), Self.candidate("b", since: 7, ports: p80)]
        #expect(ExportResolution(older, served: p80).winner?.cluster == "a")
    }

    @Test func portsAreASetKeyedByNameProtocolAndPort() {
        let base = [
            FleetServicePort(name: "http", protocol: nil, port: 80, targetPort: .int(8080)),
            FleetServicePort(name: "dns", protocol: "UDP", port: 53),
        ]
        let reordered = [
            FleetServicePort(name: "dns", protocol: "UDP", appProtocol: "dns", port: 53, targetPort: .int(5353)),
            FleetServicePort(name: "http", protocol: "TCP", port: 80, targetPort: .string("web")),
        ]
        let renamed = [FleetServicePort(name: "web", port: 80), FleetServicePort(name: "dns", protocol: "UDP", port: 53)]
        let otherProtocol = [FleetServicePort(name: "http", port: 80), FleetServicePort(name: "dns", protocol: "TCP", port: 53)]
        let candidates = [
            Self.candidate("a", since: 1, ports: base), Self.candidate("b", since: 2, ports: reordered),
            Self.candidate("c", since: 3, ports: renamed), Self.candidate("d", since: 4, ports: otherProtocol),
            Self.candidate("e", since: 5, ports: Array(base.prefix(1))),
        ]
        let resolution = ExportResolution(candidates)
        #expect(resolution.clusters(of: candidates) == ["a", "b"])
        #expect(resolution.ports == base)
    }
}
