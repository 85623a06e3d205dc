import AsyncHTTPClient
import KubeModel
import KubeServer
import NIOCore
import NIOHTTP1
import Testing

// Requests the server must refuse, with the status a real kube-apiserver gives, leaving the
// stored data exactly as it was.

@Suite struct ServerBadInputTests {
    struct BadRequest: Sendable, CustomTestStringConvertible {
        var name: String
        var method: String
        var path: String
        var body: String
        var contentType = "application/json"
        var status: Int
        var reason: String
        var message: String?

        var testDescription: String { name }
    }

    private static let oversized = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":""#
        + String(repeating: "x", count: 8192) + #""}}"#

    static let cases: [BadRequest] = [
        BadRequest(
            name: "malformed JSON", method: "POST", path: ServerFixtures.configMapsPath(), body: #"{"metadata": {"name": "#,
            status: 400, reason: "BadRequest"),
        BadRequest(
            name: "malformed JSON update", method: "PUT", path: ServerFixtures.configMapPath("x"), body: "{not json",
            status: 400, reason: "BadRequest"),
        BadRequest(
            name: "kind does not match the URL", method: "POST", path: ServerFixtures.configMapsPath(),
            body: #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#, status: 400, reason: "BadRequest"),
        BadRequest(
            name: "unknown resource", method: "POST", path: "/api/v1/namespaces/default/gizmos",
            body: #"{"apiVersion":"v1","kind":"Gizmo","metadata":{"name":"g"}}"#, status: 404, reason: "NotFound",
            message: "the server could not find the requested resource"),
        BadRequest(
            name: "oversized body", method: "POST", path: ServerFixtures.configMapsPath(), body: oversized, status: 413,
            reason: "RequestEntityTooLarge"),
        BadRequest(
            name: "invalid name", method: "POST", path: ServerFixtures.configMapsPath(),
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#, status: 422, reason: "Invalid",
            message:
                #"ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"#
        ),
        BadRequest(
            name: "name in body differs from the URL", method: "PUT", path: ServerFixtures.configMapPath("x"),
            body: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"y"}}"#, status: 400, reason: "BadRequest"),
        BadRequest(
            name: "unsupported patch type", method: "PATCH", path: ServerFixtures.configMapPath("x"), body: #"{"data":{}}"#,
            contentType: "text/plain", status: 415, reason: "UnsupportedMediaType"),
    ]

    @Test(arguments: cases)
    func badRequestsAreRefusedAndChangeNothing(_ bad: BadRequest) async throws {
        try await TestServer.with(options: ServerOptions(maxRequestBodyBytes: 4096)) { server in
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x"))
            let before = try await server.get(ServerFixtures.configMapsPath())
            let reply = try await server.request(
                .init(rawValue: bad.method), bad.path, body: bad.body, contentType: bad.contentType)
            #expect(reply.status == bad.status, "\(reply.text)")
            #expect(reply.reason == bad.reason)
            #expect(reply.json["kind"] == "Status")
            #expect(reply.json["code"] == .int(Int64(bad.status)))
            if let message = bad.message { #expect(reply.message == message) }
            #expect(try await server.get(ServerFixtures.configMapsPath()) == before)
        }
    }

    @Test func yamlBodiesAreAccepted() async throws {
        try await TestServer.with { server in
            let reply = try await server.request(
                .POST, ServerFixtures.configMapsPath(),
                body: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  key: \"value\"\n  number: \"1\"\n",
                contentType: "application/yaml")
            #expect(reply.status == 201)
            #expect(try await server.get(ServerFixtures.configMapPath("from-yaml"))["data"] == ["key": "value", "number": "1"])
        }
    }

    // Found by FuzzTests: each of these crashed the server process, exhausted its memory or
    // answered 500.

    @Test func aWatchWithTheLargestTimeoutStartsAndTheServerLivesOn() async throws {
        try await TestServer.with { server in
            try await server.create(ServerFixtures.configMapsPath(), ServerFixtures.configMap("x"))
            var watch = try await server.openWatch(ServerFixtures.configMapsPath() + "?watch=true&timeoutSeconds=9223372036854775807")
            #expect(try await watch.next()?["type"] == "ADDED")
            #expect(try await server.get(ServerFixtures.configMapPath("x"))["data"] == ["a": "1"])
        }
    }

    @Test(arguments: [
        ("a length beyond Int's range", [0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01] as [UInt8]),
        // metadata.creationTimestamp (field 8) with seconds = Int64.max.
        ("a timestamp beyond year 9999", [0x12, 0x0f, 0x0a, 0x0d, 0x42, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
    ])
    func malformedProtobufBodiesAreRefused(_ name: String, _ object: [UInt8]) async throws {
        try await TestServer.with { server in
            let typeMeta: [UInt8] = [0x0a, 0x02] + Array("v1".utf8) + [0x12, 0x09] + Array("ConfigMap".utf8)
            let body: [UInt8] = [0x6b, 0x38, 0x73, 0x00, 0x0a, UInt8(typeMeta.count)] + typeMeta + object
            var request = HTTPClientRequest(url: server.baseURL + ServerFixtures.configMapsPath())
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/vnd.kubernetes.protobuf")
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await server.client.execute(request, timeout: .seconds(30))
            let reply = try JSONValue(parsing: Array(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            #expect(response.status.code == 415, "\(name): \(reply)")
            #expect(reply["reason"] == "UnsupportedMediaType")
        }
    }

    @Test func aYAMLAliasBombIsRefusedQuickly() async throws {
        var bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n"
        bomb += "l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1...12 { bomb += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n" }
        let started = ContinuousClock.now
        let yaml = bomb
        try await TestServer.with { server in
            let reply = try await server.request(.POST, ServerFixtures.configMapsPath(), body: yaml, contentType: "application/yaml")
            #expect(reply.status == 400)
            #expect(reply.message?.contains("excessive aliasing") == true, "\(reply.text)")
        }
        // Unbounded expansion ran until the process was killed for memory (minutes, 24 GB); the
        // refusal takes milliseconds. The bound is loose for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func anObjectWhoseListsCannotBeTrackedIsStoredNotA500() async throws {
        try await TestServer.with { server in
            let pod: JSONValue = [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p"],
                "spec": ["containers": [["name": "c", "image": "busybox", "ports": [80, "TCP"]]]],
            ]
            let created = try await server.request(.POST, "/api/v1/namespaces/default/pods", json: pod)
            #expect(created.status < 500, "\(created.text)")
            // Server-side apply of list items without their keys is the client's error.
            let apply: JSONValue = [
                "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "q"],
                "spec": ["containers": [["image": "busybox"]]],
            ]
            let applied = try await server.request(
                .PATCH, "/api/v1/namespaces/default/pods/q?fieldManager=test", json: apply,
                contentType: "application/apply-patch+yaml")
            #expect(applied.status == 400, "\(applied.text)")
            #expect(applied.reason == "BadRequest")
        }
    }
}
