import FleetAPI
import KubeModel

// The Azure Traffic Manager profile a TrafficManagerProfile stands for (traffic-manager spec §2.1,
// §4; reference-controllers §4.6): its name, the managed fields the controller writes, whether
// Azure already has them, and the update that keeps everything else Azure holds (endpoints,
// Traffic View, expected status codes).

enum AzureProfile {
    static let location = "global"
    static let ttl: Int64 = 60
    static let tag = "networking.fleet.azure.com.trafficManagerProfile"

    /// `fleet-<TrafficManagerProfile UID>`.
    static func name(of profile: TrafficManagerProfile) -> String { "fleet-\(profile.metadata.uid ?? "")" }

    /// `<namespace>-<name>`, so the FQDN is `<namespace>-<name>.trafficmanager.net`.
    static func relativeName(of profile: TrafficManagerProfile) -> String {
        "\(profile.metadata.namespace ?? "")-\(profile.metadata.name ?? "")"
    }

    /// The monitor settings with the reference's in-memory defaults.
    static func monitor(of profile: TrafficManagerProfile) -> MonitorConfig {
        let spec = profile.spec.monitorConfig ?? MonitorConfig()
        let interval = spec.intervalInSeconds ?? 30
        return MonitorConfig(
            customHeaders: spec.customHeaders ?? [], intervalInSeconds: interval, path: spec.path ?? "/", port: spec.port ?? 80,
            protocol: spec.protocol ?? "HTTP", timeoutInSeconds: spec.timeoutInSeconds ?? (interval == 10 ? 9 : 10),
            toleratedNumberOfFailures: spec.toleratedNumberOfFailures ?? 3)
    }

    static func tagValue(of profile: TrafficManagerProfile) -> String {
        "\(profile.metadata.namespace ?? "")/\(profile.metadata.name ?? "")"
    }

    /// The managed part of the profile, as a PUT body of a new profile.
    static func desired(_ profile: TrafficManagerProfile) -> JSONValue {
        .object([
            "location": .string(location), "tags": .object([tag: .string(tagValue(of: profile))]),
            "properties": .object(managedProperties(profile)),
        ])
    }

    private static func managedProperties(_ profile: TrafficManagerProfile) -> [String: JSONValue] {
        [
            "profileStatus": "Enabled", "trafficRoutingMethod": "Weighted",
            "dnsConfig": .object(["relativeName": .string(relativeName(of: profile)), "ttl": .int(ttl)]),
            "monitorConfig": monitorJSON(monitor(of: profile)),
        ]
    }

    private static func monitorJSON(_ monitor: MonitorConfig) -> JSONValue {
        .object([
            "intervalInSeconds": .int(monitor.intervalInSeconds ?? 30), "path": .string(monitor.path ?? "/"),
            "port": .int(monitor.port ?? 80), "protocol": .string(monitor.protocol ?? "HTTP"),
            "timeoutInSeconds": .int(monitor.timeoutInSeconds ?? 10), "toleratedNumberOfFailures": .int(monitor.toleratedNumberOfFailures ?? 3),
            "customHeaders": .array((monitor.customHeaders ?? []).map { .object(["name": .string($0.name), "value": .string($0.value)]) }),
        ])
    }

    /// Whether Azure's profile already has every managed field (custom headers in any order;
    /// the desired tag among its tags). A field missing from the answer counts as different.
    static func matches(_ current: JSONValue, _ profile: TrafficManagerProfile) -> Bool {
        guard let object = current.objectValue, let properties = object["properties"]?.objectValue,
            let monitor = properties["monitorConfig"]?.objectValue, let dns = properties["dnsConfig"]?.objectValue
        else { return false }
        let wanted = Self.monitor(of: profile)
        func headers(_ value: JSONValue?) -> Set<MonitorConfigCustomHeader> {
            Set((value?.arrayValue ?? []).compactMap { header in
                guard let name = header.objectValue?["name"]?.stringValue, let value = header.objectValue?["value"]?.stringValue else { return nil }
                return MonitorConfigCustomHeader(name: name, value: value)
            })
        }
        return properties["profileStatus"]?.stringValue == "Enabled" && properties["trafficRoutingMethod"]?.stringValue == "Weighted"
            && dns["ttl"]?.intValue == ttl && dns["relativeName"]?.stringValue?.lowercased() == relativeName(of: profile).lowercased()
            && monitor["intervalInSeconds"]?.intValue == wanted.intervalInSeconds && monitor["path"]?.stringValue == wanted.path
            && monitor["port"]?.intValue == wanted.port && monitor["protocol"]?.stringValue == wanted.protocol
            && monitor["timeoutInSeconds"]?.intValue == wanted.timeoutInSeconds
            && monitor["toleratedNumberOfFailures"]?.intValue == wanted.toleratedNumberOfFailures
            && headers(monitor["customHeaders"]) == Set(wanted.customHeaders ?? [])
            && object["tags"]?.objectValue?[tag]?.stringValue == tagValue(of: profile)
    }

    /// The update: Azure's profile with the managed fields overwritten and the tag merged in;
    /// everything else (endpoints included) sent back as it is. Without a current profile, the
    /// desired one.
    static func update(_ current: JSONValue?, to profile: TrafficManagerProfile) -> JSONValue {
        guard var object = current?.objectValue else { return desired(profile) }
        var properties = object["properties"]?.objectValue ?? [:]
        for (key, value) in managedProperties(profile) { properties[key] = value }
        object["properties"] = .object(properties)
        object["location"] = .string(location)
        var tags = object["tags"]?.objectValue ?? [:]
        tags[tag] = .string(tagValue(of: profile))
        object["tags"] = .object(tags)
        return .object(object)
    }
}
