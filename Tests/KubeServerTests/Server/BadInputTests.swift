import KubeModel
import KubeServer
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
}
