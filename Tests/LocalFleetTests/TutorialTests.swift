import Foundation
import FleetAPI
import FleetNetworking
import KubeClient
import KubeModel
import LocalFleet
import Logging
import Synchronization
import Testing

/// The whole local fleet of `fleetnet up` / `fleetnet demo`, in-process: the getting-started
/// tutorial holds at every step (real HTTP through member-2's load balancer reaches pods of both
/// members), the members' agents work through their confined hub identities, and a user's
/// kubectl sees the reference's columns.
@Suite struct TutorialTests {
    @Test func theTutorialHoldsOnALocalFleet() async throws {
        let logger: Logger = {
            var logger = Logger(label: "tutorial-test")
            logger.logLevel = .critical
            return logger
        }()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 2, directory: directory), logger: logger)
        let steps = Mutex<[Tutorial.Step]>([])
        try await session.run { endpoints in
            var tutorial = Tutorial(endpoints: endpoints)
            tutorial.stepTimeout = .seconds(60)
            let held = await tutorial.run { step in steps.withLock { $0.append(step) } }
            #expect(held, "\(steps.withLock { $0.map { "\($0.held) \($0.title): \($0.observed)" } })")
            #expect(steps.withLock { $0.count } == 7)

            // `fleetnet status` sees the same fleet.
            let status = try await FleetStatus.gather(
                hub: endpoints.clients["hub"]!, members: endpoints.clients.filter { $0.key != "hub" })
            #expect(status.rows.map(\.service) == ["work/app"])
            #expect(status.rows.first?.exportedBy == ["member-1", "member-2"])
            #expect(status.rows.first?.importedBy == ["member-2"])
            #expect(status.rows.first?.endpoints == ["member-1": 2, "member-2": 2])
            #expect(status.rows.first?.conflicts.isEmpty == true)
            #expect(status.rows.first?.externalIP?.hasPrefix("127.202.") == true)
            #expect(status.rows.first?.rejected.isEmpty == true)
            #expect(status.table().hasPrefix("SERVICE"))
            // The local fleet declares each member's pod CIDR, so the hub checks endpoint ownership.
            #expect(status.members.map(\.name) == ["member-1", "member-2"])
            #expect(status.members.map(\.declaration.summary) == ["127.11.0.0/16", "127.12.0.0/16"])
            #expect(status.table().contains("MEMBER") && status.table().contains("127.12.0.0/16"), "\(status.table())")

            // The members' agents reach the hub only as themselves: member-1's token may read its
            // own exchange namespace but not member-2's.
            let token = try String(contentsOf: directory.appendingPathComponent("tokens/member-1"), encoding: .utf8)
            let hubURL = endpoints.servers.first { $0.context == "hub" }!.url
            let hubCA = try session.clusters.servers[0].authority.certificatePEM
            let agent = try KubeClient(
                configuration: ClientConfiguration(
                    server: hubURL, tls: .init(certificateAuthorityPEM: Array(hubCA.utf8)), authentication: .bearerToken(token)),
                logger: logger)
            let own = await Self.attempt { try await agent.api(InternalServiceExport.self, namespace: "fleet-member-member-1").list() }
            let other = await Self.attempt { try await agent.api(InternalServiceExport.self, namespace: "fleet-member-member-2").list() }
            try await agent.shutdown()
            #expect((try? own.get())?.items.map(\.metadata.name) == ["work-app"])
            switch other {
            case .success: Issue.record("member-1's agents must not read member-2's namespace")
            case .failure(let error): #expect((error as? KubeClientError)?.isForbidden == true, "\(error)")
            }

            return false
        }
    }

    /// A user's kubectl on the tutorial's fleet sees the reference's MultiClusterService columns.
    @Test(.enabled(if: LocalClustersTests.kubectl != nil, "kubectl is not installed"))
    func kubectlSeesTheTutorialsMultiClusterService() async throws {
        let kubectl = try #require(LocalClustersTests.kubectl)
        var logger = Logger(label: "tutorial-test")
        logger.logLevel = .critical
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fleetnet-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let session = try LocalFleetSession(options: .init(memberCount: 2, directory: directory), logger: logger)
        try await session.run { endpoints in
            var tutorial = Tutorial(endpoints: endpoints)
            tutorial.stepTimeout = .seconds(60)
            #expect(await tutorial.run { _ in })
            let output = try Self.run(
                kubectl, ["--kubeconfig", endpoints.kubeconfig.path, "--context", "member-2",
                          "--cache-dir", directory.appendingPathComponent("cache").path,
                          "get", "mcs", "-n", "work"])
            #expect(output.contains("SERVICE-IMPORT") && output.contains("EXTERNAL-IP") && output.contains("127.202."), "\(output)")
            return false
        }
    }

    static func attempt<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
