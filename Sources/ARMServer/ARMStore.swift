import KubeModel
import Synchronization

/// The state of an ARM-compatible server: resource groups, Traffic Manager profiles with their
/// Azure endpoints, and public IP addresses, keyed case-insensitively as Azure keys them
/// (traffic-manager spec §6.5), with the constraints Azure enforces, and a log of every request.
/// Tests and the local fleet set it up directly (`addResourceGroup`, `putPublicIP`) and read it
/// back (`profile`, `requests`).
public final class ARMStore: Sendable {
    public struct PublicIP: Equatable, Sendable {
        public var name: String
        public var ipAddress: String
        /// `dnsSettings.domainNameLabel`; nil when none is configured.
        public var dnsLabel: String?
        public var location: String

        public init(name: String, ipAddress: String, dnsLabel: String? = nil, location: String = "local") {
            self.name = name
            self.ipAddress = ipAddress
            self.dnsLabel = dnsLabel
            self.location = location
        }

        public var fqdn: String? { dnsLabel.map { "\($0).\(location).cloudapp.azure.com" } }
    }

    public struct Endpoint: Equatable, Sendable {
        public var name: String
        public var targetResourceID: String
        public var target: String
        public var status: String
        public var weight: Int
        public var location: String
        /// Set by a health prober (`Online`, `Degraded`, `CheckingEndpoint`); nil: none runs,
        /// and an enabled endpoint is shown `Online`.
        public var monitorStatus: String? = nil
    }

    public struct Profile: Equatable, Sendable {
        public var subscription: String
        public var group: String
        public var name: String
        public var location: String
        public var tags: [String: String]
        /// The properties as written, without the read-only ones and without `endpoints`.
        public var properties: [String: JSONValue]
        /// Keyed by lower-cased name, in the order they were added.
        public var endpoints: [Endpoint]

        public var relativeName: String { properties["dnsConfig"]?.objectValue?["relativeName"]?.stringValue ?? "" }
        public var fqdn: String { "\(relativeName).trafficmanager.net" }
    }

    /// One request as the server saw it.
    public struct Request: Equatable, Sendable {
        public var method: String
        public var path: String
        public var apiVersion: String?
        public var status: Int

        public var isWrite: Bool { method != "GET" && method != "HEAD" }
    }

    private struct GroupKey: Hashable {
        let subscription: String
        let group: String
        init(_ subscription: String, _ group: String) {
            self.subscription = subscription.lowercased()
            self.group = group.lowercased()
        }
    }

    private struct ProfileKey: Hashable {
        let group: GroupKey
        let name: String
        init(_ subscription: String, _ group: String, _ name: String) {
            self.group = GroupKey(subscription, group)
            self.name = name.lowercased()
        }
    }

    private struct State {
        var groups: [GroupKey: String] = [:]
        var profiles: [ProfileKey: Profile] = [:]
        var publicIPs: [GroupKey: [PublicIP]] = [:]
        var requests: [Request] = []
    }

    private let state = Mutex(State())

    public init() {}

    // MARK: Set-up and inspection

    /// Creates the resource group `group` in `subscription` (requests to others answer 404).
    public func addResourceGroup(_ group: String, subscription: String) {
        state.withLock { $0.groups[GroupKey(subscription, group)] = group }
    }

    /// Creates or replaces the public IP `ip.name` of the resource group.
    public func putPublicIP(_ ip: PublicIP, group: String, subscription: String) {
        state.withLock { state in
            let key = GroupKey(subscription, group)
            if state.groups[key] == nil { state.groups[key] = group }
            var list = state.publicIPs[key] ?? []
            list.removeAll { $0.name.lowercased() == ip.name.lowercased() }
            list.append(ip)
            state.publicIPs[key] = list
        }
    }

    /// Removes the public IP `name` of the resource group.
    public func deletePublicIP(_ name: String, group: String, subscription: String) {
        state.withLock { $0.publicIPs[GroupKey(subscription, group)]?.removeAll { $0.name.lowercased() == name.lowercased() } }
    }

    public func profile(_ name: String, group: String, subscription: String) -> Profile? {
        state.withLock { $0.profiles[ProfileKey(subscription, group, name)] }
    }

    /// Creates a profile directly (one the fleet does not own, e.g. holding a DNS name), with
    /// `properties` besides its DNS name (e.g. `monitorConfig`, `profileStatus`).
    @discardableResult
    public func seedProfile(
        _ name: String, relativeName: String, group: String, subscription: String, properties: [String: JSONValue] = [:]
    ) throws -> Profile {
        var all = properties
        all["dnsConfig"] = .object(["relativeName": .string(relativeName), "ttl": 60])
        return try putProfile(
            subscription: subscription, group: group, name: name, body: .object(["location": "global", "properties": .object(all)])
        ).0
    }

    /// Creates or replaces a profile's Azure endpoint directly (an out-of-band change, or a test's
    /// set-up), with the validation of a PUT.
    @discardableResult
    public func seedEndpoint(
        _ name: String, targetResourceID: String, weight: Int, status: String = "Enabled", profile: String, group: String,
        subscription: String
    ) throws -> Endpoint {
        try putEndpoint(
            subscription: subscription, group: group, profile: profile, name: name,
            body: .object([
                "type": "Microsoft.Network/trafficManagerProfiles/azureEndpoints",
                "properties": .object([
                    "targetResourceId": .string(targetResourceID), "weight": .int(Int64(weight)), "endpointStatus": .string(status),
                ]),
            ])
        ).1
    }

    /// Deletes a profile behind the controllers' backs (an out-of-band change); false when absent.
    @discardableResult
    public func removeProfile(_ name: String, group: String, subscription: String) -> Bool {
        state.withLock { $0.profiles.removeValue(forKey: ProfileKey(subscription, group, name)) != nil }
    }

    /// Deletes an endpoint behind the controllers' backs; false when absent.
    @discardableResult
    public func removeEndpoint(_ name: String, profile: String, group: String, subscription: String) -> Bool {
        (try? deleteEndpoint(subscription: subscription, group: group, profile: profile, name: name)) ?? false
    }

    public var profiles: [Profile] {
        state.withLock { Array($0.profiles.values) }.sorted { ($0.subscription, $0.group, $0.name) < ($1.subscription, $1.group, $1.name) }
    }

    /// The last requests (at most `requestLogLimit`), in order.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// How many requests the log keeps (a long-running local fleet must not grow without bound).
    public static let requestLogLimit = 10_000

    func log(_ request: Request) {
        state.withLock { state in
            if state.requests.count >= Self.requestLogLimit { state.requests.removeFirst(state.requests.count - Self.requestLogLimit + 1) }
            state.requests.append(request)
        }
    }

    /// The enabled profile whose DNS name is `<relativeName>.trafficmanager.net` (names are
    /// unique across Azure, so at most one).
    public func profile(relativeName: String) -> Profile? {
        let wanted = relativeName.lowercased()
        return state.withLock { state in state.profiles.values.first { $0.relativeName.lowercased() == wanted } }
    }

    /// The public IP with resource id `id` (case-insensitive).
    public func publicIP(withID id: String) -> PublicIP? {
        state.withLock { Self.publicIP(withID: id, state: $0) }
    }

    /// The public IP whose DNS name is `fqdn` (`<label>.<location>.cloudapp.azure.com`).
    public func publicIP(fqdn: String) -> PublicIP? {
        let wanted = fqdn.lowercased()
        return state.withLock { state in
            state.publicIPs.values.lazy.flatMap { $0 }.first { $0.fqdn?.lowercased() == wanted }
        }
    }

    /// Records a health prober's verdict on an endpoint (shown as its `endpointMonitorStatus`).
    public func setMonitorStatus(_ status: String?, endpoint name: String, profile: String, group: String, subscription: String) {
        state.withLock { state in
            let key = ProfileKey(subscription, group, profile)
            guard var stored = state.profiles[key],
                let index = stored.endpoints.firstIndex(where: { $0.name.lowercased() == name.lowercased() })
            else { return }
            stored.endpoints[index].monitorStatus = status
            state.profiles[key] = stored
        }
    }

    public static func publicIPID(subscription: String, group: String, name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Network/publicIPAddresses/\(name)"
    }

    public static func profileID(subscription: String, group: String, name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Network/trafficManagerProfiles/\(name)"
    }

    // MARK: Operations

    private func checkGroup(_ state: State, _ subscription: String, _ group: String) throws(ARMError) {
        guard state.groups[GroupKey(subscription, group)] != nil else { throw .resourceGroupNotFound(group) }
    }

    func getProfile(subscription: String, group: String, name: String) throws(ARMError) -> Profile {
        try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            guard let profile = state.profiles[ProfileKey(subscription, group, name)] else {
                throw .notFound("The Resource 'Microsoft.Network/trafficManagerProfiles/\(name)' under resource group '\(group)' was not found.")
            }
            return profile
        }
    }

    /// Creates or replaces a profile (PUT semantics: `properties.endpoints` is the whole endpoint
    /// set). Returns the profile and whether it was created.
    func putProfile(subscription: String, group: String, name: String, body: JSONValue) throws(ARMError) -> (Profile, created: Bool) {
        guard let object = body.objectValue, let properties = object["properties"]?.objectValue else {
            throw .badRequest("BadRequest", "The request body must be a profile with properties.")
        }
        guard let relativeName = properties["dnsConfig"]?.objectValue?["relativeName"]?.stringValue, !relativeName.isEmpty else {
            throw .badRequest("BadRequest", "A relative DNS name (properties.dnsConfig.relativeName) is required.")
        }
        if let monitor = properties["monitorConfig"]?.objectValue {
            let interval = monitor["intervalInSeconds"]?.intValue.map(Int.init) ?? 30
            guard interval == 10 || interval == 30 else {
                throw .badRequest("BadRequest", "The monitor interval must be 10 or 30 seconds, not \(interval).")
            }
            if let timeout = monitor["timeoutInSeconds"]?.intValue.map(Int.init) {
                let most = interval == 10 ? 9 : 10
                guard (5...most).contains(timeout) else {
                    throw .badRequest(
                        "BadRequest", "The monitor timeout must be between 5 and \(most) seconds for an interval of \(interval) seconds, not \(timeout).")
                }
            }
        }
        var stored = properties
        stored["endpoints"] = nil
        if var dns = stored["dnsConfig"]?.objectValue {
            dns["fqdn"] = nil
            stored["dnsConfig"] = .object(dns)
        }
        if var monitor = stored["monitorConfig"]?.objectValue {
            monitor["profileMonitorStatus"] = nil
            stored["monitorConfig"] = .object(monitor)
        }
        let tags = (object["tags"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        let location = object["location"]?.stringValue ?? "global"
        let endpointBodies = properties["endpoints"]?.arrayValue ?? []
        return try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            let key = ProfileKey(subscription, group, name)
            for (other, profile) in state.profiles where other != key && profile.relativeName.lowercased() == relativeName.lowercased() {
                throw ARMError(
                    status: 409, code: "Conflict",
                    message: "The domain name '\(relativeName).trafficmanager.net' is not available. Please choose a different relative name.")
            }
            let existing = state.profiles[key]
            var profile = Profile(
                subscription: existing?.subscription ?? subscription, group: existing?.group ?? group, name: existing?.name ?? name,
                location: location, tags: tags, properties: stored, endpoints: [])
            for endpointBody in endpointBodies {
                guard let endpointName = endpointBody.objectValue?["name"]?.stringValue else {
                    throw .badRequest("BadRequest", "Every endpoint of a profile needs a name.")
                }
                var endpoint = try Self.validateEndpoint(endpointName, body: endpointBody, in: profile, state: state)
                endpoint.monitorStatus = Self.keptHealth(of: endpoint, among: existing?.endpoints ?? [])
                profile.endpoints.append(endpoint)
            }
            state.profiles[key] = profile
            return (profile, existing == nil)
        }
    }

    /// Deletes a profile; false when there was none.
    func deleteProfile(subscription: String, group: String, name: String) throws(ARMError) -> Bool {
        try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            return state.profiles.removeValue(forKey: ProfileKey(subscription, group, name)) != nil
        }
    }

    func putEndpoint(
        subscription: String, group: String, profile profileName: String, name: String, body: JSONValue
    ) throws(ARMError) -> (Profile, Endpoint, created: Bool) {
        try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            let key = ProfileKey(subscription, group, profileName)
            guard var profile = state.profiles[key] else {
                throw .notFound("The Resource 'Microsoft.Network/trafficManagerProfiles/\(profileName)' under resource group '\(group)' was not found.")
            }
            let endpoint = try Self.validateEndpoint(name, body: body, in: profile, state: state)
            let index = profile.endpoints.firstIndex { $0.name.lowercased() == name.lowercased() }
            if let index {
                profile.endpoints[index] = Endpoint(
                    name: profile.endpoints[index].name, targetResourceID: endpoint.targetResourceID, target: endpoint.target,
                    status: endpoint.status, weight: endpoint.weight, location: endpoint.location,
                    monitorStatus: Self.keptHealth(of: endpoint, among: profile.endpoints))
            } else {
                profile.endpoints.append(endpoint)
            }
            state.profiles[key] = profile
            return (profile, profile.endpoints[index ?? profile.endpoints.count - 1], index == nil)
        }
    }

    /// Deletes an endpoint; false when there was none.
    func deleteEndpoint(subscription: String, group: String, profile profileName: String, name: String) throws(ARMError) -> Bool {
        try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            let key = ProfileKey(subscription, group, profileName)
            guard var profile = state.profiles[key] else {
                throw .notFound("The Resource 'Microsoft.Network/trafficManagerProfiles/\(profileName)' under resource group '\(group)' was not found.")
            }
            let before = profile.endpoints.count
            profile.endpoints.removeAll { $0.name.lowercased() == name.lowercased() }
            state.profiles[key] = profile
            return profile.endpoints.count != before
        }
    }

    func listPublicIPs(subscription: String, group: String) throws(ARMError) -> (subscription: String, group: String, ips: [PublicIP]) {
        try state.withLock { state throws(ARMError) in
            try checkGroup(state, subscription, group)
            let key = GroupKey(subscription, group)
            return (subscription, state.groups[key] ?? group, state.publicIPs[key] ?? [])
        }
    }

    /// The constraints of an Azure endpoint of `profile`: type, weight, status, an existing
    /// target public IP with a DNS label, and one endpoint per target.
    /// An endpoint written again with the same name and target keeps the health it had.
    private static func keptHealth(of endpoint: Endpoint, among previous: [Endpoint]) -> String? {
        previous.first {
            $0.name.lowercased() == endpoint.name.lowercased() && $0.targetResourceID.lowercased() == endpoint.targetResourceID.lowercased()
        }?.monitorStatus
    }

    private static func validateEndpoint(_ name: String, body: JSONValue, in profile: Profile, state: State) throws(ARMError) -> Endpoint {
        guard let object = body.objectValue, let properties = object["properties"]?.objectValue else {
            throw .badRequest("BadRequest", "The request body must be an endpoint with properties.")
        }
        guard let type = object["type"]?.stringValue, type.lowercased().hasSuffix("/azureendpoints") else {
            throw .badRequest("InvalidEndpointType", "Endpoint '\(name)' must be of type Microsoft.Network/trafficManagerProfiles/AzureEndpoints.")
        }
        let weight = properties["weight"]?.intValue.map(Int.init) ?? 1
        guard (1...1000).contains(weight) else {
            throw .badRequest("BadRequest", "The weight of endpoint '\(name)' must be between 1 and 1000, not \(weight).")
        }
        let status = properties["endpointStatus"]?.stringValue ?? "Enabled"
        guard status == "Enabled" || status == "Disabled" else {
            throw .badRequest("BadRequest", "The status of endpoint '\(name)' must be Enabled or Disabled, not \(status).")
        }
        guard let target = properties["targetResourceId"]?.stringValue, !target.isEmpty else {
            throw .badRequest("BadRequest", "Endpoint '\(name)' needs a targetResourceId.")
        }
        guard let ip = publicIP(withID: target, state: state) else {
            throw .badRequest("BadRequest", "The target resource '\(target)' of endpoint '\(name)' was not found.")
        }
        guard let fqdn = ip.fqdn else {
            throw .badRequest("BadRequest", "The target resource '\(target)' of endpoint '\(name)' has no DNS name; configure a DNS label on it.")
        }
        if let other = profile.endpoints.first(where: {
            $0.name.lowercased() != name.lowercased() && $0.targetResourceID.lowercased() == target.lowercased()
        }) {
            throw .badRequest(
                "BadRequest", "The target resource '\(target)' is already the target of endpoint '\(other.name)'; a target can be used once per profile.")
        }
        return Endpoint(name: name, targetResourceID: target, target: fqdn, status: status, weight: weight, location: ip.location)
    }

    private static func publicIP(withID id: String, state: State) -> PublicIP? {
        let lowered = id.lowercased()
        for (key, ips) in state.publicIPs {
            for ip in ips {
                let candidate = publicIPID(subscription: key.subscription, group: key.group, name: ip.name).lowercased()
                if candidate == lowered { return ip }
            }
        }
        return nil
    }
}
