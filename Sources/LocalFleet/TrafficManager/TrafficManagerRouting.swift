import ARMServer

// How Traffic Manager picks the endpoint a DNS query is answered with, for the Weighted routing
// method the fleet's profiles use: among the enabled endpoints whose target resolves, the healthy
// ones, each chosen with probability weight / total weight; when every one of them is degraded,
// all of them, as Azure does ("if all endpoints are degraded, Traffic Manager treats them all as
// healthy"). Other routing methods are answered the same way here.

enum TrafficManagerRouting {
    struct Choice: Equatable {
        var endpoint: ARMStore.Endpoint
        var address: String
    }

    /// The endpoint answered, or nil when the profile has none that can be.
    static func choose(
        in profile: ARMStore.Profile, address: (ARMStore.Endpoint) -> String?, isDegraded: (ARMStore.Endpoint) -> Bool,
        using generator: inout some RandomNumberGenerator
    ) -> Choice? {
        let candidates = profile.endpoints.compactMap { endpoint -> Choice? in
            guard endpoint.status == "Enabled", endpoint.weight > 0, let ip = address(endpoint) else { return nil }
            return Choice(endpoint: endpoint, address: ip)
        }
        let healthy = candidates.filter { !isDegraded($0.endpoint) }
        let pool = healthy.isEmpty ? candidates : healthy
        let total = pool.reduce(0) { $0 + $1.endpoint.weight }
        guard total > 0 else { return nil }
        var point = Int.random(in: 0..<total, using: &generator)
        for choice in pool {
            if point < choice.endpoint.weight { return choice }
            point -= choice.endpoint.weight
        }
        return pool.last
    }
}
