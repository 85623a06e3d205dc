import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeTestSupport
import Testing

// Fault suite: every connection to the hub — watches, requests, the member agents' and the hub
// controllers' — is reset (TCP RST) every 2 seconds while changes flow: endpoints added and
// removed on both members, a service exported and unexported over and over. Afterwards the fleet
// must reach exactly the state a run of the same changes without resets reaches.
//
// The suite runs the resets for 12 s; FAULT_SOAK_SECONDS=<n> runs them for n seconds.

@Suite(.serialized) struct ConnectionResetFaultTests {
    static let namespace = E2E.namespace

    static var soakSeconds: Int { ProcessInfo.processInfo.environment["FAULT_SOAK_SECONDS"].flatMap(Int.init) ?? 12 }

    struct Outcome: Sendable {
        var snapshot: FleetSnapshot
        var converged: Duration
        var resets: Int
        var rounds: Int
    }

    /// The changes of round `round`, the same in every run: member-1 and member-2 each add an
    /// endpoint and drop the one of three rounds before; `flap` is exported on even rounds and
    /// unexported on odd ones.
    static func change(_ fleet: FleetTestbed, round: Int) async throws {
        for (index, member) in fleet.members.enumerated() {
            let slices = member.client.api(EndpointSlice.self, namespace: namespace)
            try await update(slices, "app-\(member.name)") { slice in
                slice.endpoints.append(
                    Endpoint(addresses: ["127.\(11 + index).2.\(round % 250)"], conditions: EndpointConditions(ready: true, serving: true, terminating: false)))
                slice.endpoints.removeAll { $0.addresses == ["127.\(11 + index).2.\((round + 247) % 250)"] }
            }
        }
        let exports = fleet.member("member-1").client.api(ServiceExport.self, namespace: namespace)
        if round % 2 == 0 {
            // The previous round's unexport may still be finishing (the agent's finalizer).
            try await eventually("flap is exported again", timeout: .seconds(30)) {
                do {
                    _ = try await exports.create(E2E.serviceExport("flap"))
                    return true
                } catch let error as KubeClientError where error.isAlreadyExists {
                    // Ours from a try whose answer a reset cut off, or the old one still going.
                    return try await exports.get("flap").metadata.deletionTimestamp == nil
                }
            }
        } else {
            try await exports.delete("flap")
        }
    }

    /// Makes rounds of changes for `duration` (ending on an even count), or exactly `rounds`.
    static func run(resetting: Bool, duration: Duration, rounds: Int? = nil) async throws -> Outcome {
        try await FleetTestbed.run(restartable: resetting ? ["hub"] : []) { fleet in
            try await fleet.runningEverything(heartbeatPeriodSeconds: 5) { _ in
                try await E2E.exportAndImport(fleet)
                let member1 = fleet.member("member-1")
                _ = try await member1.client.api(Service.self, namespace: namespace).create(makeService(namespace, "flap"))
                _ = try await member1.client.api(EndpointSlice.self, namespace: namespace)
                    .create(E2E.slice("flap-member-1", service: "flap", addresses: ["127.11.3.1"]))
                let proxy = fleet.restartable["hub"]?.proxy
                let resetter = Task {
                    var resets = 0
                    while !Task.isCancelled, let proxy {
                        try? await Task.sleep(for: .seconds(2))
                        await proxy.resetAll()
                        resets += 1
                    }
                    return resets
                }
                let start = ContinuousClock.now
                var round = 0
                func more() -> Bool {
                    if let rounds { return round < rounds }
                    return ContinuousClock.now - start < duration || round % 2 == 1
                }
                while more() {
                    try await change(fleet, round: round)
                    round += 1
                    // Changes flow while connections break; the run without resets needs no pace.
                    if resetting { try await Task.sleep(for: .milliseconds(250)) }
                }
                resetter.cancel()
                let resets = await resetter.value
                let stopped = ContinuousClock.now
                let member2 = fleet.member("member-2")
                let derived = try #require(try await E2E.derivedServiceName(member2))
                let last = round - 1
                let expected = Set(
                    (0..<2).flatMap { index in
                        ["127.\(11 + index).0.1", "127.\(11 + index).0.2"]
                            + (max(0, last - 2)...last).map { "127.\(11 + index).2.\($0 % 250)" }
                    })
                let hubImports = fleet.hub.client.api(ServiceImport.self, namespace: namespace)
                try await eventually("the fleet converges on the last round's state", timeout: .seconds(60)) {
                    let imported = try await E2E.importedAddresses(member2, derived: derived)
                    let flap = try await getIfPresent(hubImports, "flap")
                    return imported == expected && flap == nil
                }
                let converged = ContinuousClock.now - stopped
                let snapshot = try await settled("the fleet's networking objects", stableFor: .seconds(2), timeout: .seconds(60)) {
                    try await FleetSnapshot.take(fleet)
                }
                return Outcome(snapshot: snapshot, converged: converged, resets: resets, rounds: round)
            }
        }
    }

    @Test func connectionsResetEveryTwoSecondsWhileChangesFlowLeaveTheFleetAsWithoutResets() async throws {
        let faulty = try await Self.run(resetting: true, duration: .seconds(Self.soakSeconds))
        #expect(faulty.resets >= Self.soakSeconds / 2 - 1, "\(faulty.resets) resets")
        #expect(faulty.rounds >= 8, "\(faulty.rounds) rounds of changes")
        let clean = try await Self.run(resetting: false, duration: .zero, rounds: faulty.rounds)
        let differences = faulty.snapshot.differences(from: clean.snapshot)
        #expect(
            differences.isEmpty,
            "after the resets the fleet differs from a run without them:\n\(differences.prefix(10).joined(separator: "\n"))")
        #expect(faulty.converged < .seconds(30), "converged \(faulty.converged) after the resets stopped")
        FaultFigures.record(
            "every hub connection reset every 2 s for \(Self.soakSeconds) s (\(faulty.resets) resets, \(faulty.rounds) rounds of changes)",
            converged: faulty.converged, faultFree: clean.converged)
    }
}
