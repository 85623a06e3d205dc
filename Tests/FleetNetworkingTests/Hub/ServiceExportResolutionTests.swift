import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// hub/internalserviceexport + hub/serviceimport (reference §7.8, §7.9) with the improvements:
// the oldest export wins deterministically, ports compare as a set, conflicts are re-resolved on
// every export change, identity comes from the namespace.

@Suite(.serialized) struct ServiceExportResolutionTests {
    static let web = [Hub.port(80, name: "http", target: 8080)]
    static let other = [Hub.port(81, name: "http", target: 8080)]

    @Test func sameServiceFromTwoClustersResolvesToBothWithoutConflict() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await eventually("the ServiceImport lists both clusters") {
                    let status = try await Hub.serviceImport(fleet)?.status
                    return status?.clusterNames == ["a", "b"] && status?.type == ServiceImportStatus.clusterSetIP
                        && status?.ports == Self.web
                }
                for cluster in ["a", "b"] {
                    try await eventually("\(cluster) has no conflict") {
                        try await Hub.isConflicted(fleet, cluster: cluster) == false
                    }
                    let export = try await Hub.getExport(fleet, cluster: cluster)
                    let condition = try #require(try await Hub.conflict(fleet, cluster: cluster))
                    #expect(condition.reason == ServiceExportConditions.Reason.noConflictFound)
                    #expect(condition.message == "service work/app is exported without conflict")
                    #expect(condition.observedGeneration == export.metadata.generation)
                    #expect(export.metadata.hasFinalizer(FleetFinalizers.internalServiceExportCleanup))
                }
                try await eventually("a SuccessfulUpdateStatus event is recorded") {
                    try await !Hub.events(
                        fleet, namespace: Hub.serviceNamespace, about: "app", reason: HubEventReasons.successfulUpdateStatus
                    ).isEmpty
                }
            }
        }
    }

    /// The reference lets the incumbent (first in cache order) win; here the older export wins,
    /// even when it arrives later: a stamp later than the hub's copy (the ports changed) is the
    /// member's to give. A stamp older than the hub's copy is not: a member cannot take a service
    /// over by claiming an export from long ago.
    @Test func theOlderExportWinsAndTiesGoToTheClusterName() async throws {
        let now = Time.now().secondsSinceEpoch
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: now + 2000)
                try await eventually("a is resolved alone") {
                    try await Hub.serviceImport(fleet)?.status?.clusterNames == ["a"]
                }
                // b is older: it takes over although a was there first.
                try await Hub.export(fleet, cluster: "b", ports: Self.other, since: now + 1000)
                try await eventually("b wins") {
                    let status = try await Hub.serviceImport(fleet)?.status
                    return status?.clusterNames == ["b"] && status?.ports == Self.other
                }
                try await eventually("a is in conflict, b is not") {
                    let a = try await Hub.isConflicted(fleet, cluster: "a")
                    let b = try await Hub.isConflicted(fleet, cluster: "b")
                    return a == true && b == false
                }
                let condition = try #require(try await Hub.conflict(fleet, cluster: "a"))
                #expect(condition.reason == ServiceExportConditions.Reason.conflictFound)
                #expect(condition.message == "service work/app is in conflict with other exported services")

                // A tie on exportedSince goes to the cluster name: c, as old as b, loses to b.
                try await Hub.export(fleet, cluster: "c", ports: Self.web, since: now + 1000)
                try await eventually("c is in conflict") { try await Hub.isConflicted(fleet, cluster: "c") == true }
                #expect(try await Hub.serviceImport(fleet)?.status?.clusterNames == ["b"])
            }
        }
    }

    /// A member with stolen credentials claims an export from 1970 to take over a service
    /// another member exports: its export counts from the hub's copy, so it is in conflict and
    /// the service keeps resolving to the member that exported it first.
    @Test func aMemberClaimingAnAncientExportDoesNotTakeTheServiceOver() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "b", ports: Self.web)
                try await eventually("b is resolved alone") {
                    try await Hub.serviceImport(fleet)?.status?.clusterNames == ["b"]
                }
                try await Hub.export(fleet, cluster: "a", ports: Self.other, since: 1)
                try await eventually("a is in conflict") { try await Hub.isConflicted(fleet, cluster: "a") == true }
                let status = try await Hub.serviceImport(fleet)?.status
                #expect(status?.clusterNames == ["b"])
                #expect(status?.ports == Self.web)
                #expect(try await Hub.isConflicted(fleet, cluster: "b") == false)
            }
        }
    }

    @Test func aTieBetweenNewExportsGoesToTheSmallerClusterName() async throws {
        try await Hub.run { fleet, context in
            // d is created first; with equal exportedSince, c still wins by name. The stamp lies
            // ahead of both creations: the hub counts an export from no earlier than its own
            // record (creationTimestamp, whole seconds), and two creates that straddle a second
            // would otherwise not tie (seen once in CI).
            let since = Int64(Date().timeIntervalSince1970) + 3600
            try await Hub.export(fleet, cluster: "d", ports: Self.other, since: since)
            try await Hub.export(fleet, cluster: "c", ports: Self.web, since: since)
            try await Hub.whileControllersRun(fleet, context) {
                try await eventually("c wins the tie") {
                    let clusters = try await Hub.serviceImport(fleet)?.status?.clusterNames
                    let d = try await Hub.isConflicted(fleet, cluster: "d")
                    let c = try await Hub.isConflicted(fleet, cluster: "c")
                    return clusters == ["c"] && d == true && c == false
                }
            }
        }
    }

    /// The reference compares port lists in order and with targetPort and appProtocol.
    @Test func portsCompareAsASetIgnoringOrderTargetPortAndAppProtocol() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                let first = [Hub.port(80, name: "http", target: 8080), Hub.port(443, name: "https", protocol: "TCP", target: 8443)]
                let second = [
                    Hub.port(443, name: "https", target: 9443, appProtocol: "https"), Hub.port(80, name: "http", protocol: "TCP", target: 9090),
                ]
                try await Hub.export(fleet, cluster: "a", ports: first, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: second, since: 2000)
                try await eventually("both are compatible") {
                    let clusters = try await Hub.serviceImport(fleet)?.status?.clusterNames
                    let a = try await Hub.isConflicted(fleet, cluster: "a")
                    let b = try await Hub.isConflicted(fleet, cluster: "b")
                    return clusters == ["a", "b"] && a == false && b == false
                }
                // The resolved ports are the winner's, verbatim.
                #expect(try await Hub.serviceImport(fleet)?.status?.ports == first)
                // A different protocol is a different port.
                try await Hub.export(fleet, cluster: "c", ports: [Hub.port(80, name: "http", protocol: "UDP"), Hub.port(443, name: "https")], since: 3000)
                try await eventually("c is in conflict") { try await Hub.isConflicted(fleet, cluster: "c") == true }
            }
        }
    }

    /// The reference re-resolves only when all winners have left; here the conflicted export
    /// becomes valid as soon as the incumbent leaves, with no other event.
    @Test func whenTheIncumbentLeavesTheConflictedExportTakesOver() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.other, since: 2000)
                try await eventually("b is in conflict") { try await Hub.isConflicted(fleet, cluster: "b") == true }
                try await Hub.unexport(fleet, cluster: "a")
                try await eventually("a's export is gone") {
                    try await Hub.gone(fleet.hub.client.api(InternalServiceExport.self, namespace: "fleet-member-a"), "work-app")
                }
                try await eventually("b is resolved with its ports") {
                    let status = try await Hub.serviceImport(fleet)?.status
                    let b = try await Hub.isConflicted(fleet, cluster: "b")
                    return status?.clusterNames == ["b"] && status?.ports == Self.other && b == false
                }
            }
        }
    }

    @Test func aConflictedExportThatFixesItsPortsBecomesValid() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.other, since: 2000)
                try await eventually("b is in conflict") { try await Hub.isConflicted(fleet, cluster: "b") == true }
                try await Hub.setPorts(fleet, cluster: "b", ports: [Hub.port(80, name: "http", target: 7000)])
                try await eventually("b joins a") {
                    let clusters = try await Hub.serviceImport(fleet)?.status?.clusterNames
                    let b = try await Hub.isConflicted(fleet, cluster: "b")
                    return clusters == ["a", "b"] && b == false
                }
                // The incumbent changing its ports (and so becoming the newest export) loses. Its new
                // stamp must lie after the hub's record of b (creationTimestamp, whole seconds): a
                // stamp from 1970 counts from a's own creation, which ties with or precedes b's.
                try await Hub.setPorts(fleet, cluster: "a", ports: Self.other, since: Int64(Date().timeIntervalSince1970) + 3600)
                try await eventually("a is in conflict, b alone") {
                    let clusters = try await Hub.serviceImport(fleet)?.status?.clusterNames
                    let a = try await Hub.isConflicted(fleet, cluster: "a")
                    return clusters == ["b"] && a == true
                }
            }
        }
    }

    @Test func theLastExporterLeavingDeletesTheServiceImport() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000)
                try await Hub.export(fleet, cluster: "b", ports: Self.web, since: 2000)
                try await eventually("resolved") { try await Hub.serviceImport(fleet)?.status?.clusterNames == ["a", "b"] }
                try await Hub.unexport(fleet, cluster: "a")
                try await eventually("only b is left") { try await Hub.serviceImport(fleet)?.status?.clusterNames == ["b"] }
                try await Hub.unexport(fleet, cluster: "b")
                try await eventually("the ServiceImport and the exports are gone") {
                    let serviceImport = try await Hub.serviceImport(fleet)
                    let exports = try await fleet.hub.client.api(InternalServiceExport.self).list().items
                    return serviceImport == nil && exports.isEmpty
                }
                #expect(
                    try await !Hub.events(fleet, namespace: Hub.serviceNamespace, about: "app", reason: HubEventReasons.noExportedService)
                        .isEmpty)
            }
        }
    }

    /// The reference trusts `spec.serviceReference.clusterId`; the hub takes the namespace's.
    @Test func theClusterComesFromTheNamespaceNotTheReportedID() async throws {
        try await Hub.run { fleet, context in
            try await Hub.whileControllersRun(fleet, context) {
                try await Hub.export(fleet, cluster: "a", ports: Self.web, since: 1000, reportedCluster: "b")
                try await eventually("the ServiceImport lists a") {
                    try await Hub.serviceImport(fleet)?.status?.clusterNames == ["a"]
                }
                try await eventually("a Warning event says the reported ID is ignored") {
                    let events = try await Hub.events(fleet, namespace: "fleet-member-a", about: "work-app", reason: HubEventReasons.clusterIDMismatch)
                    return events.contains { $0.type == "Warning" }
                }
                // An export outside any member namespace is ignored (and reported).
                var stray = Hub.serviceExport(cluster: "x", ports: Self.other, since: 1)
                stray.metadata.namespace = Hub.serviceNamespace
                _ = try await fleet.hub.client.api(InternalServiceExport.self, namespace: Hub.serviceNamespace).create(stray)
                try await eventually("a Warning event says the stray export is ignored") {
                    try await !Hub.events(fleet, namespace: Hub.serviceNamespace, about: "work-app", reason: HubEventReasons.notInMemberNamespace)
                        .isEmpty
                }
                #expect(try await Hub.serviceImport(fleet)?.status?.clusterNames == ["a"])
                let strayNow = try await fleet.hub.client.api(InternalServiceExport.self, namespace: Hub.serviceNamespace).get("work-app")
                #expect((strayNow.metadata.finalizers ?? []).isEmpty)
            }
        }
    }
}
