import FleetAPI
import KubeClient
import KubeModel
import Testing

/// Every field a Swift type encodes is declared in its kind's schema (for the version the type
/// speaks), and the embedded API server keeps every field of a fully populated object: the Swift
/// types and the CRD schemas cannot drift apart unnoticed.
@Suite struct SchemaConsistencyTests {
    /// A sample with its CRD and a way to round-trip it through a server.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var definition: CRDDefinition
        var version: String
        var encoded: @Sendable () throws -> JSONValue
        var roundTrip: @Sendable (FleetServer) async throws -> Void

        var testDescription: String { name }

        init<K: Resource & Hashable>(_ sample: K, _ definition: CRDDefinition) {
            name = "\(K.kind).\(K.group) \(K.version)"
            self.definition = definition
            version = K.version
            encoded = { try JSONValue(encoding: sample) }
            let hasStatus = definition.versions.first { $0.name == K.version }?.hasStatusSubresource ?? false
            roundTrip = { server in try await SchemaConsistencyTests.roundTrip(sample, hasStatusSubresource: hasStatus, on: server) }
        }
    }

    static let cases: [Case] = [
        Case(Samples.serviceExport, ServiceExport.definition),
        Case(Samples.serviceExportV1Alpha1, ServiceExport.definition),
        Case(Samples.serviceImport, ServiceImport.definition),
        Case(Samples.internalServiceExport, InternalServiceExport.definition),
        Case(Samples.internalServiceImport, InternalServiceImport.definition),
        Case(Samples.endpointSliceExport, EndpointSliceExport.definition),
        Case(Samples.endpointSliceImport, EndpointSliceImport.definition),
        Case(Samples.multiClusterService, MultiClusterService.definition),
        Case(Samples.trafficManagerProfile, TrafficManagerProfile.definition),
        Case(Samples.trafficManagerProfileV1Alpha1, TrafficManagerProfile.definition),
        Case(Samples.trafficManagerBackend, TrafficManagerBackend.definition),
        Case(Samples.trafficManagerBackendV1Alpha1, TrafficManagerBackend.definition),
        Case(Samples.memberCluster, MemberCluster.definition),
        Case(Samples.internalMemberCluster, InternalMemberCluster.definition),
        Case(Samples.clusterSetImport, ClusterSetImport.definition),
        Case(Samples.mcsServiceExport, MCSServiceExport.definition),
        Case(Samples.mcsServiceImport, MCSServiceImport.definition),
    ]

    /// Every served version has a sample, or shares its schema with a version that has one (the
    /// MCS API's kinds have one Swift type, v1beta1, for two identical versions).
    @Test func everyKindHasASample() {
        let covered = Set(Self.cases.map { "\($0.definition.group)/\($0.definition.kind)/\($0.version)" })
        for definition in FleetCRDs.networking + FleetCRDs.fleetCore + FleetCRDs.multiClusterServicesAPI {
            for version in definition.versions {
                let sameSchema = definition.versions.filter { $0.schema == version.schema }.map(\.name)
                #expect(
                    sameSchema.contains { covered.contains("\(definition.group)/\(definition.kind)/\($0)") },
                    "no sample for \(definition.group) \(definition.kind) \(version.name)")
            }
        }
    }

    @Test(arguments: cases)
    func everyEncodedFieldIsDeclaredInTheSchema(_ sample: Case) throws {
        let schema = try #require(sample.definition.versions.first { $0.name == sample.version }?.schema.json)
        var undeclared: [String] = []
        var visited = 0
        Self.collectUndeclared(try sample.encoded(), schema: schema, path: "", undeclared: &undeclared, visited: &visited)
        #expect(undeclared.isEmpty, "\(sample.name): fields not in the schema: \(undeclared)")
        #expect(visited > 3, "\(sample.name): the sample populates too little to check")
    }

    @Test func theWalkReportsAnUndeclaredField() {
        let schema = ServiceExport.definition.versions[0].schema.json
        let object: JSONValue = ["status": ["conditions": [["type": "Valid", "extra": "x"]], "bogus": 1]]
        var undeclared: [String] = []
        var visited = 0
        Self.collectUndeclared(object, schema: schema, path: "", undeclared: &undeclared, visited: &visited)
        #expect(Set(undeclared) == ["status.conditions[].extra", "status.bogus"])
    }

    @Test func theServerKeepsEveryFieldOfEverySample() async throws {
        try await FleetServer.with { server in
            for sample in Self.cases {
                try await sample.roundTrip(server)
            }
        }
    }

    // MARK: Helpers

    /// Adds to `undeclared` every key path of `value` its `schema` does not declare.
    static func collectUndeclared(
        _ value: JSONValue, schema: JSONValue, path: String, undeclared: inout [String], visited: inout Int
    ) {
        visited += 1
        if schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true { return }
        switch value {
        case .object(let fields):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            for (key, child) in fields {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if path.isEmpty, key == "metadata" { continue }
                if let childSchema = properties?[key] {
                    collectUndeclared(child, schema: childSchema, path: childPath, undeclared: &undeclared, visited: &visited)
                } else if let additional, additional.objectValue != nil {
                    collectUndeclared(child, schema: additional, path: childPath, undeclared: &undeclared, visited: &visited)
                } else if additional?.boolValue == true {
                    continue
                } else {
                    undeclared.append(childPath)
                }
            }
        case .array(let items):
            guard let itemSchema = schema["items"] else {
                if !items.isEmpty { undeclared.append(path + "[]") }
                return
            }
            for item in items {
                collectUndeclared(item, schema: itemSchema, path: path + "[]", undeclared: &undeclared, visited: &visited)
            }
        default:
            return
        }
    }

    /// Creates `sample` (then writes its status through the status subresource when the kind has
    /// one), reads it back and checks spec and status decode to what was sent.
    static func roundTrip<K: Resource & Hashable>(
        _ sample: K, hasStatusSubresource: Bool, on server: FleetServer
    ) async throws {
        let api = server.api(K.self)
        let sent = try JSONValue(encoding: sample)
        var created = try await api.create(sample)
        if hasStatusSubresource, sent["status"] != nil {
            var withStatus = try JSONValue(encoding: created).objectValue ?? [:]
            withStatus["status"] = sent["status"]
            created = try await api.replaceStatus(try JSONValue.object(withStatus).decode(as: K.self))
        }
        let read = try await api.get(sample.metadata.name ?? "")
        // Decoding into the Swift type and encoding again must give exactly what was sent.
        let received = try JSONValue(encoding: read)
        for part in ["spec", "status"] {
            #expect(
                received[part] == sent[part],
                "\(K.kind) \(K.version) \(part) changed on the server:\nsent     \(sent[part].map(describe) ?? "nil")\nreceived \(received[part].map(describe) ?? "nil")")
        }
        _ = created
    }

    static func describe(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }
}
