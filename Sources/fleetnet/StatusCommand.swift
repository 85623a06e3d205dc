import ArgumentParser
import FleetNetworking
import Foundation
import KubeClient
import Logging

// `fleetnet status`: the fleet at a glance, from a kubeconfig with a hub context and member
// contexts (by default: `hub`, and every other context as a member named after it).

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show exports, conflicts, imports, endpoints and load balancer IPs across the fleet.")

    @Option(name: .long, help: "Kubeconfig with the fleet's contexts (default: KUBECONFIG, then .fleetnet/kubeconfig).")
    var kubeconfig: String?

    @Option(name: .long, help: "The hub's context.")
    var hubContext: String = "hub"

    @Option(name: .long, parsing: .upToNextOption, help: "Member contexts, each named as its member cluster (default: every other context).")
    var memberContexts: [String] = []

    func run() async throws {
        var logger = Logger(label: "fleetnet")
        logger.logLevel = .error
        let path = kubeconfig ?? ProcessInfo.processInfo.environment["KUBECONFIG"] ?? ".fleetnet/kubeconfig"
        let config: KubeConfig
        do {
            config = try KubeConfig.load(environmentValue: path)
        } catch {
            throw ValidationError("cannot read kubeconfig \(path): \(error)")
        }
        guard config.contexts[hubContext] != nil else {
            throw ValidationError("kubeconfig \(path) has no context \"\(hubContext)\" (the hub); use --hub-context")
        }
        let members = memberContexts.isEmpty ? config.contexts.keys.filter { $0 != hubContext }.sorted() : memberContexts
        let hub = try KubeClient(configuration: try config.clientConfiguration(context: hubContext), logger: logger)
        var clients: [String: KubeClient] = [:]
        for member in members {
            clients[member] = try KubeClient(configuration: try config.clientConfiguration(context: member), logger: logger)
        }
        let result = await Result { try await FleetStatus.gather(hub: hub, members: clients) }
        try? await hub.shutdown()
        for client in clients.values { try? await client.shutdown() }
        let status = try result.get()
        print(status.table(), terminator: "")
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
