import KubeModel
import Testing
@testable import KubeServer

@Suite("kubectl JSONPath")
struct KubectlJSONPathTests {
    static let pod: JSONValue = [
        "metadata": ["name": "web-0", "labels": ["app.kubernetes.io/name": "web"]],
        "spec": ["containers": [["name": "app", "image": "nginx:1.27"], ["name": "sidecar", "image": "envoy:1.30"]]],
        "status": [
            "conditions": [
                ["type": "Initialized", "status": "True"],
                ["type": "Ready", "status": "False", "reason": "ContainersNotReady"],
            ],
            "replicas": 3,
        ],
    ]

    @Test("selects values", arguments: [
        (".metadata.name", [JSONValue.string("web-0")]),
        ("{.metadata.name}", ["web-0"]),
        ("$.metadata.name", ["web-0"]),
        ("metadata.name", ["web-0"]),
        (".spec.containers[0].image", ["nginx:1.27"]),
        (".spec.containers[-1].name", ["sidecar"]),
        (".spec.containers[*].name", ["app", "sidecar"]),
        (".spec.containers[0:1].name", ["app"]),
        (".spec.containers[0,1].image", ["nginx:1.27", "envoy:1.30"]),
        (".status.conditions[?(@.type==\"Ready\")].status", ["False"]),
        (".status.conditions[?(@.type=='Initialized')].status", ["True"]),
        (".status.conditions[?(@.type!=\"Ready\")].type", ["Initialized"]),
        (".status.conditions[?(@.reason)].type", ["Ready"]),
        (".metadata.labels['app.kubernetes.io/name']", ["web"]),
        (".status.replicas", [3]),
        (".spec.missing", []),
        (".spec.containers[5].name", []),
        (".metadata.name.first", []),
    ])
    func selects(expression: String, expected: [JSONValue]) throws {
        #expect(try KubectlJSONPath(expression).evaluate(Self.pod) == expected)
    }

    @Test("numeric filters compare numbers")
    func numericFilter() throws {
        let document: JSONValue = ["ports": [["port": 80, "name": "http"], ["port": 8443, "name": "https"]]]
        #expect(try KubectlJSONPath(".ports[?(@.port > 1024)].name").evaluate(document) == ["https"])
        #expect(try KubectlJSONPath(".ports[?(@.port==80)].name").evaluate(document) == ["http"])
    }

    @Test("rejects what printer columns cannot use", arguments: ["..metadata", ".spec[", ".a[?(@.x=~\"y\")]", ".a['x]"])
    func rejects(expression: String) {
        #expect(throws: KubectlJSONPath.ParseError.self) { try KubectlJSONPath(expression) }
    }
}

@Suite("Human durations")
struct HumanDurationTests {
    static let cases: [(Double, String)] = [
        (-5.0, "<invalid>"), (-1, "0s"), (0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (150, "2m30s"),
        (600, "10m"), (179 * 60, "179m"), (3 * 3600, "3h"), (3 * 3600 + 20 * 60, "3h20m"), (8 * 3600 + 59 * 60, "8h"),
        (47 * 3600, "47h"), (48 * 3600, "2d"), (3 * 86400 + 4 * 3600, "3d4h"), (8 * 86400, "8d"),
        (400 * 86400, "400d"), (730 * 86400, "2y"), (800 * 86400, "2y70d"), (3000 * 86400, "8y"),
    ]

    @Test("formats like apimachinery duration.HumanDuration", arguments: cases)
    func format(seconds: Double, expected: String) {
        #expect(HumanDuration.format(seconds: seconds) == expected)
    }

    @Test("ages of timestamps")
    func ages() {
        let now = PresentationFixtures.now
        #expect(HumanDuration.age(ofTimestamp: "2025-03-01T11:55:00Z", now: now) == "5m")
        #expect(HumanDuration.age(ofTimestamp: "2025-03-01T13:55:00+02:00", now: now) == "5m")
        #expect(HumanDuration.age(ofTimestamp: "2025-03-01T11:59:59.500000Z", now: now) == "0s")
        #expect(HumanDuration.age(ofTimestamp: nil, now: now) == "<unknown>")
        #expect(HumanDuration.age(ofTimestamp: "yesterday", now: now) == "<unknown>")
    }

    @Test("RFC 3339 round trip", arguments: ["1970-01-01T00:00:00Z", "2000-02-29T23:59:59Z", "2025-03-01T12:00:00Z", "2100-12-31T00:00:01Z"])
    func roundTrip(text: String) throws {
        #expect(RFC3339.format(try #require(RFC3339.parse(text))) == text)
    }
}
