import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// hub/internalserviceimport (reference §7.10): one importer claims the hub ServiceImport; the
// choice among waiting importers is deterministic (oldest, then cluster) and a backup takes over
// when the claimer withdraws.

@Suite(.serialized) struct ServiceImportClaimTests {
    static let web = [Hub.port(80, name: "http", target: 8080)]

    @Test func anImporterClaimsAResolvedServiceImportAndMirrorsItsStatus() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.claim(fleet, cluster: "c")
                try await consistently("no claim on a service nobody exports", for: .seconds(1)) {
                    let serviceImport = try await Hub.serviceImport(fleet)
                    let claim = try await Hub.getClaim(fleet, cluster: "c")
                    return serviceImport == nil && (claim.metadata.finalizers ?? []).isEmpty
                }
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await eventually("c claims the ServiceImport") {
                    try await Hub.inUseBy(fleet) == Hub.inUseJSON("c")
                }
                let serviceImport = try #require(try await Hub.serviceImport(fleet))
                #expect(serviceImport.metadata.hasFinalizer(FleetFinalizers.serviceImportCleanup))
                #expect(serviceImport.metadata.annotations?[FleetAnnotations.serviceInUseBy] == "{\"MemberClusters\":{\"fleet-member-c\":\"c\"}}")
                try await eventually("c's import mirrors the ServiceImport's status") {
                    let claim = try await Hub.getClaim(fleet, cluster: "c")
                    return claim.status?.clusterNames == ["a"] && claim.status?.ports == Self.web
                        && claim.metadata.hasFinalizer(FleetFinalizers.internalServiceImportCleanup)
                }
                // Status changes follow.
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await eventually("c's import lists both exporters") {
                    try await Hub.getClaim(fleet, cluster: "c").status?.clusterNames == ["a", "b"]
                }
                // A second importer is ignored while c holds the claim.
                try await Hub.claim(fleet, cluster: "d")
                try await consistently("d stays a backup", for: .seconds(1)) {
                    let claim = try await Hub.getClaim(fleet, cluster: "d")
                    let inUse = try await Hub.inUseBy(fleet)
                    return inUse == Hub.inUseJSON("c") && (claim.status == nil || claim.status == ServiceImportStatus())
                }
            }
        }
    }

    /// The reference gives the claim to whichever importer is reconciled first; here the oldest
    /// waiting importer gets it even when another sorts first by name.
    @Test func theOldestWaitingImporterClaimsAndABackupTakesOverWhenItLeaves() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.claim(fleet, cluster: "d")
                // Creation times have a resolution of one second.
                try await Task.sleep(for: .milliseconds(1100))
                try await Hub.claim(fleet, cluster: "c")
                try await Hub.claim(fleet, cluster: "b")
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await eventually("d, the oldest importer, claims") { try await Hub.inUseBy(fleet) == Hub.inUseJSON("d") }
                try await consistently("the claim stays with d", for: .seconds(1)) { try await Hub.inUseBy(fleet) == Hub.inUseJSON("d") }

                // d withdraws: the older backup takes over; b and c were created one after the other,
                // usually in the same second (a tie: b by name), else c is older.
                let b = try await Hub.getClaim(fleet, cluster: "b")
                let c = try await Hub.getClaim(fleet, cluster: "c")
                let (next, other) =
                    (c.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0)) < (b.metadata.creationTimestamp ?? Time(secondsSinceEpoch: 0))
                    ? ("c", "b") : ("b", "c")
                try await Hub.unclaim(fleet, cluster: "d")
                try await eventually("d's import is gone and \(next) claims") {
                    let gone = try await Hub.gone(fleet.hub.client.api(InternalServiceImport.self, namespace: "fleet-member-d"), "work-app")
                    let inUse = try await Hub.inUseBy(fleet)
                    return gone && inUse == Hub.inUseJSON(next)
                }
                try await eventually("\(next) mirrors the status, \(other) stays empty") {
                    let claimer = try await Hub.getClaim(fleet, cluster: next)
                    let backup = try await Hub.getClaim(fleet, cluster: other)
                    return claimer.status?.clusterNames == ["a"] && (backup.status == nil || backup.status == ServiceImportStatus())
                }
            }
        }
    }

    @Test func theLastExporterLeavingWithdrawsTheClaimAndDeletesTheServiceImport() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.claim(fleet, cluster: "c")
                try await eventually("c holds a fulfilled claim") {
                    try await Hub.getClaim(fleet, cluster: "c").status?.clusterNames == ["a"]
                }
                try await Hub.unexport(fleet, cluster: "a")
                try await eventually("the ServiceImport is gone and c's import is cleared") {
                    let claim = try await Hub.getClaim(fleet, cluster: "c")
                    let serviceImport = try await Hub.serviceImport(fleet)
                    return serviceImport == nil
                        && (claim.status == nil || claim.status == ServiceImportStatus())
                        && (claim.metadata.finalizers ?? []).isEmpty
                }
                // Exporting again brings the ServiceImport and the claim back.
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 3000)
                try await eventually("c claims the new ServiceImport") {
                    let inUse = try await Hub.inUseBy(fleet)
                    let claim = try await Hub.getClaim(fleet, cluster: "c")
                    return inUse == Hub.inUseJSON("c") && claim.status?.clusterNames == ["b"]
                }
            }
        }
    }

    @Test func aStaleOrMalformedClaimIsReplaced() async throws {
        try await Hub.run { fleet, context in
            try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
            // A claim by a cluster that has no import (e.g. written before a crash), and a backup.
            var serviceImport = ServiceImport(metadata: ObjectMeta(name: "app", namespace: Hub.serviceNamespace))
            serviceImport.metadata.annotations = [FleetAnnotations.serviceInUseBy: Hub.inUseJSON("d")]
            serviceImport.metadata.finalizers = [FleetFinalizers.serviceImportCleanup]
            _ = try await fleet.hub.client.api(ServiceImport.self, namespace: Hub.serviceNamespace).create(serviceImport)
            try await Hub.claim(fleet, cluster: "c")
            try await Hub.whileControllersRun(fleet, context) {
                try await eventually("c takes the stale claim over") { try await Hub.inUseBy(fleet) == Hub.inUseJSON("c") }
                try await Hub.unclaim(fleet, cluster: "c")
                try await eventually("no claim is left") {
                    let serviceImport = try await Hub.serviceImport(fleet)
                    return serviceImport != nil && serviceImport?.metadata.annotations?[FleetAnnotations.serviceInUseBy] == nil
                        && (serviceImport?.metadata.finalizers ?? []).isEmpty
                }

                // A malformed claim counts as none and is rewritten by the next claimer.
                try await Hub.export(fleet, cluster: "a", service: "db", ports: Self.web, since: 1000)
                try await eventually("db is resolved") {
                    try await Hub.serviceImport(fleet, service: "db")?.status?.clusterNames == ["a"]
                }
                let serviceImports = fleet.hub.client.api(ServiceImport.self, namespace: Hub.serviceNamespace)
                _ = try await retryOnConflict {
                    var db = try await serviceImports.get("db")
                    db.metadata.annotations = [FleetAnnotations.serviceInUseBy: "{not json"]
                    return try await serviceImports.replace(db)
                }
                try await Hub.claim(fleet, cluster: "b", service: "db")
                try await eventually("b claims db") {
                    try await Hub.inUseBy(fleet, service: "db") == Hub.inUseJSON("b")
                }
            }
        }
    }
}
