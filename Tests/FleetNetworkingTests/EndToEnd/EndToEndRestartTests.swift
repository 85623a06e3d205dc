import FleetAPI
import FleetNetworking
import Foundation
import KubeClient
import KubeModel
import KubeRuntime
import KubeTestSupport
import Testing

// Every controller stops and starts again (a fleet-wide restart, e.g. an upgrade): what changed
// meanwhile is caught up from the initial lists, and a converged fleet is not rewritten by the
// new processes.

@Suite(.serialized) struct EndToEndRestartTests {
    @Test func aRestartedFleetCatchesUpAndRewritesNothing() async throws {
        try await FleetTestbed.run { fleet in
            let ns = E2E.namespace
            let member1 = fleet.member("member-1")
            let member2 = fleet.member("member-2")
            try await fleet.runningEverything { _ in
                try await E2E.exportAndImport(fleet)
            }
            // Converged and stopped. A restart with nothing changed writes nothing.
            let before = try await networkingResourceVersions(fleet)
            try await fleet.runningEverything { _ in
                try await Task.sleep(for: .seconds(4))
            }
            let after = try await networkingResourceVersions(fleet)
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            #expect(changed.isEmpty, "a restarted, converged fleet wrote: \(changed)")

            // While everything is down, member-1's slice goes and member-2's changes.
            try await member1.client.api(EndpointSlice.self, namespace: ns).delete("app-member-1")
            try await update(member2.client.api(EndpointSlice.self, namespace: ns), "app-member-2") { slice in
                slice.endpoints.append(Endpoint(addresses: ["127.12.0.3"], conditions: EndpointConditions(ready: true)))
            }
            try await fleet.runningEverything { _ in
                let derived = try #require(try await E2E.derivedServiceName(member2))
                try await eventually("the restarted fleet catches up", timeout: .seconds(60)) {
                    try await E2E.importedAddresses(member2, derived: derived) == ["127.12.0.1", "127.12.0.2", "127.12.0.3"]
                }
                try await EndToEndTests.assertQuiet(fleet)
            }
        }
    }
}
