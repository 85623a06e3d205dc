import FleetAPI
import KubeClient
import KubeModel
import Testing

// The reference's API validation suite (reference-controllers §7.15) against the embedded API
// server, through KubeClient. A rejected write must answer 422 with reason `Invalid`, the cause
// fields a kube-apiserver sets, and its message fragments (kube-openapi's and the CRDs' rules').

/// Names from the reference's suite.
enum Names {
    static let tooLongWithUnderscore = "a_bcdef-123456789-123456789-123456789-123456789-123456789-123456789-123456789"
    static let endingWithNonAlphanumeric = "abcdef-123456789-123456789-123456789-123456789-123456789-"
    static let startingWithNonAlphanumeric = "-abcdef-123456789-123456789-123456789-123456789-123456789"
    static let containingUnderscore = "abc_123456789"
    static let maxSize = "abc-123456789-123456789-123456789-123456789-123456789-123456789"
    static let endingWithLetter = "123456789-abc"
    static let endingWithDigit = "123456789-123"
    static let startingWithLetter = "abc-123456789"
    static let startingWithDigit = "123-123456789"
    static let tooLong = "abcdef-123456789-123456789-123456789-123456789-123456789-123456789-123456789"

    static let rfc1123 =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
    static let maxLength = "metadata.name max length is 63"
    /// The field of a cause from a rule on the object itself.
    static let objectField = "<nil>"
}

/// A kind whose names the suite checks: how to create and delete one of it.
struct NamedKind: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var create: @Sendable (FleetServer, String) async throws -> Void
    var delete: @Sendable (FleetServer, String) async throws -> Void

    init<K: Resource>(_ make: @escaping @Sendable (ObjectMeta) -> K) {
        testDescription = "\(K.kind) \(K.version)"
        create = { server, name in
            _ = try await server.api(K.self).create(make(ObjectMeta(name: name, namespace: FleetServer.namespace)))
        }
        delete = { server, name in _ = try await server.api(K.self).delete(name) }
    }

    static let profileSpec = TrafficManagerProfileSpec(
        resourceGroup: "rg", monitorConfig: MonitorConfig(intervalInSeconds: 30, timeoutInSeconds: 7))
    static let backendSpec = TrafficManagerBackendSpec(
        profile: LocalObjectName(name: "traffic-manager-profile-ref-name"),
        backend: LocalObjectName(name: "traffic-manager-backend-ref-name"))

    static let all: [NamedKind] = [
        NamedKind { MultiClusterService(metadata: $0, spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: "app"))) },
        NamedKind { ServiceExportV1Alpha1(metadata: $0) },
        NamedKind { ServiceImport(metadata: $0) },
        NamedKind { TrafficManagerProfileV1Alpha1(metadata: $0, spec: profileSpec) },
        NamedKind { TrafficManagerBackendV1Alpha1(metadata: $0, spec: backendSpec) },
        NamedKind { TrafficManagerProfile(metadata: $0, spec: profileSpec) },
        NamedKind { TrafficManagerBackend(metadata: $0, spec: backendSpec) },
    ]
}

/// Expects `operation` to be rejected as Invalid, with a cause on each of `fields` and every
/// fragment in the message. A rule on the object itself is validated at a nil field path, which
/// a kube-apiserver reports as the field `<nil>` (`Names.objectField`).
func expectInvalid(
    fields: [String] = [], messageContains fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> Void
) async {
    do {
        try await operation()
        Issue.record("the write was accepted; expected Invalid with \(fragments)", sourceLocation: sourceLocation)
    } catch {
        guard let status = error.apiStatus else {
            Issue.record("expected an API Status, got \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(status.reason == "Invalid", "\(status)", sourceLocation: sourceLocation)
        #expect(status.code == 422, "\(status)", sourceLocation: sourceLocation)
        let message = status.message ?? ""
        for fragment in fragments {
            #expect(message.contains(fragment), "message lacks \"\(fragment)\": \(message)", sourceLocation: sourceLocation)
        }
        let causeFields = (status.details?.causes ?? []).compactMap(\.field)
        for field in fields {
            #expect(causeFields.contains(field), "no cause on \(field): \(status.details?.causes ?? [])", sourceLocation: sourceLocation)
        }
    }
}

@Suite struct NameValidationTests {
    @Test(arguments: NamedKind.all)
    func deniesInvalidNames(_ kind: NamedKind) async throws {
        try await FleetServer.with { server in
            await expectInvalid(fields: [Names.objectField], messageContains: ["<nil>: Invalid value: \"object\": " + Names.maxLength]) {
                try await kind.create(server, Names.tooLong)
            }
            await expectInvalid(fields: ["metadata.name", Names.objectField], messageContains: [Names.maxLength, Names.rfc1123]) {
                try await kind.create(server, Names.tooLongWithUnderscore)
            }
            for name in [Names.startingWithNonAlphanumeric, Names.endingWithNonAlphanumeric, Names.containingUnderscore] {
                await expectInvalid(fields: ["metadata.name"], messageContains: [Names.rfc1123, "Invalid value: \"\(name)\""]) {
                    try await kind.create(server, name)
                }
            }
        }
    }

    @Test(arguments: NamedKind.all)
    func allowsValidNames(_ kind: NamedKind) async throws {
        try await FleetServer.with { server in
            for name in [Names.maxSize, Names.startingWithLetter, Names.startingWithDigit, Names.endingWithLetter, Names.endingWithDigit] {
                try await kind.create(server, name)
                try await kind.delete(server, name)
            }
        }
    }
}

/// TrafficManagerProfile in one of its versions.
struct ProfileVersion: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var create: @Sendable (FleetServer, String, TrafficManagerProfileSpec) async throws -> Void
    var update: @Sendable (FleetServer, String, @Sendable (inout TrafficManagerProfileSpec) -> Void) async throws -> Void

    static let v1alpha1 = ProfileVersion(
        testDescription: "v1alpha1",
        create: { server, name, spec in
            _ = try await server.api(TrafficManagerProfileV1Alpha1.self).create(
                TrafficManagerProfileV1Alpha1(metadata: ObjectMeta(name: name), spec: spec))
        },
        update: { server, name, mutate in
            let api = server.api(TrafficManagerProfileV1Alpha1.self)
            var object = try await api.get(name)
            mutate(&object.spec)
            _ = try await api.replace(object)
        })

    static let v1beta1 = ProfileVersion(
        testDescription: "v1beta1",
        create: { server, name, spec in
            _ = try await server.api(TrafficManagerProfile.self).create(
                TrafficManagerProfile(metadata: ObjectMeta(name: name), spec: spec))
        },
        update: { server, name, mutate in
            let api = server.api(TrafficManagerProfile.self)
            var object = try await api.get(name)
            mutate(&object.spec)
            _ = try await api.replace(object)
        })
}

@Suite struct TrafficManagerProfileValidationTests {
    static func headers(_ pairs: [(String, String)]) -> TrafficManagerProfileSpec {
        TrafficManagerProfileSpec(
            resourceGroup: "rg",
            monitorConfig: MonitorConfig(customHeaders: pairs.map { MonitorConfigCustomHeader(name: $0.0, value: $0.1) }))
    }

    @Test(arguments: [ProfileVersion.v1alpha1, .v1beta1])
    func resourceGroupIsRequiredBoundedAndImmutable(_ version: ProfileVersion) async throws {
        try await FleetServer.with { server in
            await expectInvalid(
                fields: ["spec.resourceGroup"],
                messageContains: ["spec.resourceGroup in body should be at least 1 chars long"]
            ) {
                try await version.create(server, "empty-rg", TrafficManagerProfileSpec(resourceGroup: ""))
            }
            await expectInvalid(fields: ["spec.resourceGroup"], messageContains: ["spec.resourceGroup: Too long:", "90"]) {
                try await version.create(server, "long-rg", TrafficManagerProfileSpec(resourceGroup: String(repeating: "r", count: 91)))
            }
            try await version.create(server, "max-rg", TrafficManagerProfileSpec(resourceGroup: String(repeating: "r", count: 90)))
            try await version.create(server, "profile", TrafficManagerProfileSpec(resourceGroup: "rg"))
            await expectInvalid(fields: ["spec.resourceGroup"], messageContains: ["resourceGroup is immutable"]) {
                try await version.update(server, "profile") { $0.resourceGroup = "other-rg" }
            }
            // Changing anything else is fine.
            try await version.update(server, "profile") { $0.monitorConfig = MonitorConfig(path: "/healthz") }
        }
    }

    @Test(arguments: [ProfileVersion.v1alpha1, .v1beta1])
    func customHeadersAreUniqueNonEmptyAndAtMostEight(_ version: ProfileVersion) async throws {
        try await FleetServer.with { server in
            await expectInvalid(
                fields: ["spec.monitorConfig.customHeaders[1]"],
                messageContains: ["spec.monitorConfig.customHeaders[1]: Duplicate value: map[string]interface {}{\"name\":\"header1\"}"]
            ) {
                try await version.create(server, "duplicate", Self.headers([("header1", "value1"), ("header1", "value2")]))
            }
            await expectInvalid(
                fields: ["spec.monitorConfig.customHeaders[0].name"],
                messageContains: ["spec.monitorConfig.customHeaders[0].name in body should be at least 1 chars long"]
            ) {
                try await version.create(server, "empty-name", Self.headers([("", "value1")]))
            }
            await expectInvalid(
                fields: ["spec.monitorConfig.customHeaders[0].value"],
                messageContains: ["spec.monitorConfig.customHeaders[0].value in body should be at least 1 chars long"]
            ) {
                try await version.create(server, "empty-value", Self.headers([("header1", "")]))
            }
            await expectInvalid(
                fields: ["spec.monitorConfig.customHeaders"], messageContains: ["Too many: 9: must have at most 8 items"]
            ) {
                try await version.create(server, "nine", Self.headers((1...9).map { ("header\($0)", "value\($0)") }))
            }
            try await version.create(server, "eight", Self.headers((1...8).map { ("header\($0)", "value\($0)") }))
            try await version.create(server, "valid", Self.headers([("header1", "value1"), ("header2", "value2")]))
        }
    }
}

@Suite struct TrafficManagerProfileTimeoutTests {
    static func spec(interval: Int64?, timeout: Int64) -> TrafficManagerProfileSpec {
        TrafficManagerProfileSpec(
            resourceGroup: "rg", monitorConfig: MonitorConfig(intervalInSeconds: interval, timeoutInSeconds: timeout))
    }

    static let minimum = "spec.monitorConfig.timeoutInSeconds in body should be greater than or equal to 5"
    static let maximum = "spec.monitorConfig.timeoutInSeconds in body should be less than or equal to 10"
    static let rule30 = "timeoutInSeconds must be between 5 and 10 when intervalInSeconds is 30"
    static let rule10 = "timeoutInSeconds must be between 5 and 9 when intervalInSeconds is 10"

    struct Denied: Sendable, CustomTestStringConvertible {
        var interval: Int64?
        var timeout: Int64
        var fields: [String]
        var messages: [String]
        var testDescription: String { "interval \(interval.map(String.init) ?? "unset"), timeout \(timeout)" }
    }

    static let timeoutField = "spec.monitorConfig.timeoutInSeconds"
    static let monitorField = "spec.monitorConfig"

    // The schema's bounds and the rule both fail, and a kube-apiserver reports both: value errors
    // do not stop the CEL rules. An omitted interval defaults to 30 before validation.
    static let denied: [Denied] = [
        Denied(interval: 30, timeout: 4, fields: [timeoutField, monitorField], messages: [minimum, rule30]),
        Denied(interval: 30, timeout: 11, fields: [timeoutField, monitorField], messages: [maximum, rule30]),
        Denied(interval: 10, timeout: 4, fields: [timeoutField, monitorField], messages: [minimum, rule10]),
        Denied(interval: 10, timeout: 10, fields: [monitorField], messages: [rule10]),
        Denied(interval: nil, timeout: 4, fields: [timeoutField, monitorField], messages: [minimum, rule30]),
        Denied(interval: nil, timeout: 11, fields: [timeoutField, monitorField], messages: [maximum, rule30]),
    ]

    @Test func deniesTimeoutsOutOfBoundsForTheInterval() async throws {
        try await FleetServer.with { server in
            for (index, denied) in Self.denied.enumerated() {
                await expectInvalid(fields: denied.fields, messageContains: denied.messages) {
                    try await ProfileVersion.v1beta1.create(
                        server, "timeout-\(index)", Self.spec(interval: denied.interval, timeout: denied.timeout))
                }
            }
        }
    }

    @Test func allowsTheBoundsForEachInterval() async throws {
        try await FleetServer.with { server in
            let allowed: [(Int64?, Int64)] = [(30, 5), (30, 7), (30, 10), (10, 5), (10, 9), (nil, 5), (nil, 10)]
            for (index, (interval, timeout)) in allowed.enumerated() {
                try await ProfileVersion.v1beta1.create(server, "timeout-\(index)", Self.spec(interval: interval, timeout: timeout))
            }
            let stored = try await server.api(TrafficManagerProfile.self).get("timeout-5")
            #expect(stored.spec.monitorConfig?.intervalInSeconds == 30, "the interval defaults to 30")
        }
    }

    @Test func v1alpha1HasTheBoundsButNotTheIntervalRules() async throws {
        try await FleetServer.with { server in
            try await ProfileVersion.v1alpha1.create(server, "alpha", Self.spec(interval: 10, timeout: 10))
            await expectInvalid(fields: [Self.timeoutField], messageContains: [Self.minimum]) {
                try await ProfileVersion.v1alpha1.create(server, "alpha-low", Self.spec(interval: 10, timeout: 4))
            }
        }
    }
}

@Suite struct TrafficManagerBackendValidationTests {
    static func backend(_ name: String, weight: Int64? = nil) -> TrafficManagerBackend {
        TrafficManagerBackend(
            metadata: ObjectMeta(name: name),
            spec: TrafficManagerBackendSpec(
                profile: LocalObjectName(name: "profile"), backend: LocalObjectName(name: "app"), weight: weight))
    }

    @Test func profileAndBackendAreImmutable() async throws {
        try await FleetServer.with { server in
            let api = server.api(TrafficManagerBackend.self)
            let created = try await api.create(Self.backend("backend"))
            #expect(created.spec.weight == 1, "weight defaults to 1")
            await expectInvalid(fields: ["spec.profile"], messageContains: ["spec.profile is immutable"]) {
                var object = created
                object.spec.profile = LocalObjectName(name: "other-profile")
                _ = try await api.replace(object)
            }
            await expectInvalid(fields: ["spec.backend"], messageContains: ["spec.backend is immutable"]) {
                var object = created
                object.spec.backend = LocalObjectName(name: "other-app")
                _ = try await api.replace(object)
            }
            var object = created
            object.spec.weight = 500
            _ = try await api.replace(object)
        }
    }

    @Test func weightIsBetweenZeroAndOneThousand() async throws {
        try await FleetServer.with { server in
            let api = server.api(TrafficManagerBackend.self)
            await expectInvalid(
                fields: ["spec.weight"], messageContains: ["spec.weight in body should be greater than or equal to 0"]
            ) {
                _ = try await api.create(Self.backend("negative", weight: -1))
            }
            await expectInvalid(
                fields: ["spec.weight"], messageContains: ["spec.weight in body should be less than or equal to 1000"]
            ) {
                _ = try await api.create(Self.backend("heavy", weight: 1001))
            }
            _ = try await api.create(Self.backend("zero", weight: 0))
            _ = try await api.create(Self.backend("max", weight: 1000))
            let v1alpha1 = server.api(TrafficManagerBackendV1Alpha1.self)
            await expectInvalid(
                fields: ["spec.weight"], messageContains: ["spec.weight in body should be less than or equal to 1000"]
            ) {
                _ = try await v1alpha1.create(
                    TrafficManagerBackendV1Alpha1(
                        metadata: ObjectMeta(name: "alpha-heavy"),
                        spec: TrafficManagerBackendSpec(
                            profile: LocalObjectName(name: "profile"), backend: LocalObjectName(name: "app"), weight: 1001)))
            }
        }
    }
}

@Suite struct MultiClusterServiceValidationTests {
    static func service(_ name: String, importing serviceImport: String) -> MultiClusterService {
        MultiClusterService(
            metadata: ObjectMeta(name: name), spec: MultiClusterServiceSpec(serviceImport: LocalObjectName(name: serviceImport)))
    }

    @Test func serviceImportNameIsADNSLabel() async throws {
        try await FleetServer.with { server in
            let api = server.api(MultiClusterService.self)
            for bad in ["App", "1app", "app-", "app.svc", "app_1"] {
                await expectInvalid(
                    fields: ["spec.serviceImport.name"],
                    messageContains: [
                        "spec.serviceImport.name: Invalid value: \"\(bad)\"",
                        "spec.serviceImport.name in body should match '^([a-z]([-a-z0-9]*[a-z0-9])?)$'",
                    ]
                ) {
                    _ = try await api.create(Self.service("mcs-\(bad.lowercased().filter { $0.isLetter || $0.isNumber })", importing: bad))
                }
            }
            await expectInvalid(fields: ["spec.serviceImport.name"], messageContains: ["spec.serviceImport.name: Too long:", "63"]) {
                _ = try await api.create(Self.service("too-long", importing: String(repeating: "a", count: 64)))
            }
            _ = try await api.create(Self.service("max", importing: String(repeating: "a", count: 63)))
            _ = try await api.create(Self.service("app", importing: "app"))
            _ = try await api.create(Self.service("digits", importing: "a-1-b2"))
        }
    }
}
