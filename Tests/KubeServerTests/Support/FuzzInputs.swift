import Foundation
import KubeModel
import KubeTestSupport

// Random and mutated requests for fuzzing the API server (FuzzTests): bodies in JSON, YAML and
// protobuf, all four patch types, list/watch query strings with label and field selectors, every
// verb against namespaced and cluster-scoped resources, status subresources, and garbage paths.
// Everything is derived from one SplitMix64, so a request is reproducible from (seed, index).

/// One request the fuzzer sends. `description` is what a failure report shows.
struct FuzzRequest: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    var query: String = ""
    var contentType: String?
    var accept: String?
    var body: [UInt8]?
    /// A GET with watch=true: the answer is a stream of events.
    var isWatch = false
    /// A watch with a timeoutSeconds of at most 2: its stream must end by itself.
    var watchMustEnd = false
    /// What produced it (for the report).
    var generator = ""

    var target: String { query.isEmpty ? path : path + "?" + query }

    var description: String {
        var text = "\(method) \(target) [\(generator)]"
        if let contentType { text += "\n  Content-Type: \(contentType)" }
        if let accept { text += "\n  Accept: \(accept)" }
        if let body {
            let shown = body.prefix(2048)
            let printable = shown.allSatisfy { ($0 >= 0x20 && $0 < 0x7f) || $0 == 0x0a || $0 == 0x09 }
            let rendered =
                printable
                ? String(decoding: shown, as: UTF8.self)
                : "base64:" + Data(shown).base64EncodedString()
            text += "\n  body (\(body.count) bytes): \(rendered)\(body.count > shown.count ? "…" : "")"
        }
        return text
    }
}

/// A resource the fuzzer aims at.
struct FuzzTarget: Sendable {
    var resource: String
    /// `/api/v1` or `/apis/<group>/<version>`.
    var prefix: String
    var namespaced: Bool
    var hasStatus: Bool
    var names: [String]
    var base: @Sendable (String) -> JSONValue
    /// Whether DELETE of the whole collection is allowed (not for namespaces or CRDs, which would
    /// take the rest of the fuzzing targets with them).
    var deletesCollection = true

    func collection(_ namespace: String?) -> String {
        if namespaced, let namespace { return "\(prefix)/namespaces/\(namespace)/\(resource)" }
        return "\(prefix)/\(resource)"
    }

    func item(_ namespace: String?, _ name: String) -> String { collection(namespace) + "/" + name }
}

enum FuzzTargets {
    static let fuzzLabels: JSONValue = ["app": "fuzz", "tier": "web"]

    static let configMaps = FuzzTarget(
        resource: "configmaps", prefix: "/api/v1", namespaced: true, hasStatus: false, names: ["fuzz-a", "fuzz-b"],
        base: { name in
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": fuzzLabels],
             "data": ["a": "1", "b": "two"]]
        })
    static let secrets = FuzzTarget(
        resource: "secrets", prefix: "/api/v1", namespaced: true, hasStatus: false, names: ["fuzz-s"],
        base: { name in
            ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name)], "type": "Opaque",
             "data": ["k": "dmFsdWU="], "stringData": ["plain": "text"]]
        })
    static let serviceAccounts = FuzzTarget(
        resource: "serviceaccounts", prefix: "/api/v1", namespaced: true, hasStatus: false, names: ["fuzz-sa"],
        base: { name in ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name)]] })
    static let services = FuzzTarget(
        resource: "services", prefix: "/api/v1", namespaced: true, hasStatus: true, names: ["fuzz-a", "fuzz-b"],
        base: { name in
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "labels": fuzzLabels],
             "spec": [
                "selector": ["app": "fuzz"], "type": "ClusterIP",
                "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"],
                          ["name": "dns", "port": 53, "targetPort": "dns", "protocol": "UDP"]],
             ]]
        })
    static let pods = FuzzTarget(
        resource: "pods", prefix: "/api/v1", namespaced: true, hasStatus: true, names: ["fuzz-p"],
        base: { name in
            ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": fuzzLabels],
             "spec": ["containers": [[
                "name": "c", "image": "busybox:1", "ports": [["containerPort": 80, "name": "http"]],
                "env": [["name": "A", "value": "b"]], "resources": ["limits": ["cpu": "100m", "memory": "64Mi"]],
             ]]]]
        })
    static let deployments = FuzzTarget(
        resource: "deployments", prefix: "/apis/apps/v1", namespaced: true, hasStatus: true, names: ["fuzz-d"],
        base: { name in
            ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
             "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": "fuzz"]],
                "template": ["metadata": ["labels": ["app": "fuzz"]],
                             "spec": ["containers": [["name": "c", "image": "busybox:1"]]]],
             ]]
        })
    static let widgets = FuzzTarget(
        resource: "widgets", prefix: "/apis/example.com/v1", namespaced: true, hasStatus: true, names: ["fuzz-a", "fuzz-b"],
        base: { name in
            ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": .string(name), "labels": fuzzLabels],
             "spec": ["size": 3, "color": "blue", "tags": ["x", "y"]], "status": ["ready": true, "observed": 1]]
        })
    static let widgetsBeta = FuzzTarget(
        resource: "widgets", prefix: "/apis/example.com/v1beta1", namespaced: true, hasStatus: true, names: ["fuzz-beta", "fuzz-a"],
        base: { name in
            ["apiVersion": "example.com/v1beta1", "kind": "Widget", "metadata": ["name": .string(name)],
             "spec": ["size": 2]]
        })
    static let namespaces = FuzzTarget(
        resource: "namespaces", prefix: "/api/v1", namespaced: false, hasStatus: true,
        names: ["fuzz-ns-a", "fuzz-ns-b"],
        base: { name in
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name), "labels": fuzzLabels],
             "spec": ["finalizers": ["kubernetes"]]]
        }, deletesCollection: false)
    static let crds = FuzzTarget(
        resource: "customresourcedefinitions", prefix: "/apis/apiextensions.k8s.io/v1", namespaced: false,
        hasStatus: true, names: ["gizmos.fuzz.example.com", "doodads.fuzz.example.com"],
        base: { name in
            let plural = String(name.prefix { $0 != "." })
            return [
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": ["name": .string(name)],
                "spec": [
                    "group": "fuzz.example.com", "scope": "Namespaced",
                    "names": ["plural": .string(plural), "singular": .string(String(plural.dropLast())),
                              "kind": .string(plural.prefix(1).uppercased() + plural.dropFirst().dropLast())],
                    "versions": [[
                        "name": "v1", "served": true, "storage": true, "subresources": ["status": .emptyObject],
                        "schema": ["openAPIV3Schema": [
                            "type": "object",
                            "x-kubernetes-validations": [["rule": "self.spec.n >= 0", "message": "n must not be negative"]],
                            "properties": ["spec": [
                                "type": "object",
                                "properties": ["n": ["type": "integer", "maximum": 100, "default": 1],
                                               "s": ["type": "string", "pattern": "^[a-z]+$", "maxLength": 20],
                                               "list": ["type": "array", "x-kubernetes-list-type": "map",
                                                        "x-kubernetes-list-map-keys": ["k"],
                                                        "items": ["type": "object", "required": ["k"],
                                                                  "properties": ["k": ["type": "string"]]]]],
                            ]],
                        ]],
                    ]],
                ],
            ]
        }, deletesCollection: false)

    static let all = [configMaps, secrets, serviceAccounts, services, pods, deployments, widgets, widgetsBeta, namespaces, crds]
}

struct FuzzInputs {
    var rng: SplitMix64

    init(seed: UInt64, index: UInt64) {
        rng = SplitMix64(seed: seed, stream: index)
    }

    // MARK: Requests

    mutating func request() -> FuzzRequest {
        var request: FuzzRequest
        switch rng.int(0...99) {
        case 0..<22: request = createOrReplace()
        case 22..<44: request = patch()
        case 44..<56: request = list()
        case 56..<66: request = watch()
        case 66..<72: request = get()
        case 72..<80: request = delete()
        case 80..<88: request = protobuf()
        default: request = garbage()
        }
        if request.accept == nil, rng.chance(0.15) {
            request.accept = rng.pick([
                "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io",
                "application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json", "application/vnd.kubernetes.protobuf",
                "application/yaml", "*/*", "text/html", "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
                headerJunk(),
            ])
        }
        return request
    }

    private mutating func target() -> FuzzTarget { rng.pick(FuzzTargets.all) }

    private mutating func namespace(for target: FuzzTarget) -> String? {
        guard target.namespaced else { return nil }
        return rng.pick(["default", "default", "default", "fuzz", "fuzz", "no-such-namespace", pathSegment()])
    }

    private mutating func name(for target: FuzzTarget) -> String {
        rng.chance(0.85) ? rng.pick(target.names) : pathSegment()
    }

    /// A path segment: usually plausible, sometimes hostile (percent-encoded so that it is a valid URL).
    private mutating func pathSegment() -> String {
        switch rng.int(0...6) {
        case 0: return "UPPER_case"
        case 1: return String(repeating: "a", count: rng.pick([63, 64, 253, 254, 300, 5000]))
        case 2: return ".."
        case 3: return "%2F"
        case 4: return percentEncoded(junkText(maxLength: 30))
        case 5: return percentEncoded(String(decoding: rng.bytes(rng.int(1...12)), as: UTF8.self))
        default: return "x" + String(rng.int(0...99))
        }
    }

    private mutating func writeQuery(apply: Bool = false) -> String {
        var parts: [String] = []
        if apply || rng.chance(0.3) {
            parts.append("fieldManager=" + percentEncoded(rng.pick(["fuzzer", "kubectl", "", String(repeating: "m", count: 129), junkText(maxLength: 20)])))
        }
        if rng.chance(0.2) { parts.append("fieldValidation=" + rng.pick(["Strict", "Warn", "Ignore", "strict", "", "Bogus"])) }
        if rng.chance(0.1) { parts.append("dryRun=" + rng.pick(["All", "all", "", "None"])) }
        if rng.chance(apply ? 0.3 : 0.05) { parts.append("force=" + rng.pick(["true", "false", "1", "yes"])) }
        if rng.chance(0.05) { parts.append(percentEncoded(junkText(maxLength: 10)) + "=" + percentEncoded(junkText(maxLength: 10))) }
        return parts.joined(separator: "&")
    }

    // MARK: Verbs

    private mutating func createOrReplace() -> FuzzRequest {
        let target = target()
        let namespace = namespace(for: target)
        let name = name(for: target)
        var object = target.base(name)
        if let namespace, rng.chance(0.2) { object[path: ["metadata", "namespace"]] = .string(rng.chance(0.5) ? namespace : "other") }
        let replace = rng.chance(0.4)
        var method = replace ? "PUT" : "POST"
        var path = replace ? target.item(namespace, name) : target.collection(namespace)
        if replace && target.hasStatus && rng.chance(0.3) { path += "/status" }
        if rng.chance(0.03) { method = rng.pick(["POST", "PUT"]); path = target.item(namespace, name) + "/" + pathSegment() }
        let (body, contentType, generator) = encodedBody(object)
        return FuzzRequest(
            method: method, path: path, query: writeQuery(), contentType: contentType, body: body,
            generator: "\(method == "PUT" ? "replace" : "create") \(target.resource) \(generator)")
    }

    private mutating func patch() -> FuzzRequest {
        let target = target()
        let namespace = namespace(for: target)
        let name = name(for: target)
        var path = target.item(namespace, name)
        if target.hasStatus && rng.chance(0.25) { path += "/status" }
        let live = target.base(name)
        let kind = rng.int(0...4)
        var contentType: String
        var body: [UInt8]
        var generator: String
        var apply = false
        switch kind {
        case 0:
            contentType = "application/json-patch+json"
            (body, generator) = jsonPatch(live)
        case 1:
            contentType = "application/merge-patch+json"
            (body, generator) = mergePatch(live, strategic: false)
        case 2:
            contentType = "application/strategic-merge-patch+json"
            (body, generator) = mergePatch(live, strategic: true)
        case 3:
            contentType = "application/apply-patch+yaml"
            apply = true
            var object = live
            mutate(&object, times: rng.int(0...3))
            if rng.chance(0.5) {
                (body, generator) = yamlBody(object)
            } else {
                body = jsonBytes(object)
                generator = "json"
                if rng.chance(0.3) { body = mutateBytes(body); generator += " byte-mutated" }
            }
        default:
            contentType = rng.pick([
                "application/json", "text/plain", "", "application/apply-patch+json", "application/apply-patch+cbor",
                "application/merge-patch+json; charset=utf-8", "application/json-patch+json;x=y", headerJunk(),
            ])
            body = rng.chance(0.5) ? rng.bytes(rng.int(0...200)) : jsonBytes(live)
            generator = "odd content type"
        }
        if rng.chance(0.05) { body = rng.bytes(rng.int(0...300)); generator = "random bytes" }
        return FuzzRequest(
            method: "PATCH", path: path, query: writeQuery(apply: apply), contentType: contentType, body: body,
            generator: "patch \(target.resource) \(generator)")
    }

    private mutating func get() -> FuzzRequest {
        let target = target()
        var path = target.item(namespace(for: target), name(for: target))
        if target.hasStatus && rng.chance(0.2) { path += "/status" }
        let query = rng.chance(0.2) ? "resourceVersion=" + rng.pick(["0", "1", "abc", "-5", "99999999999999999999"]) : ""
        return FuzzRequest(method: rng.chance(0.05) ? "HEAD" : "GET", path: path, query: query, generator: "get \(target.resource)")
    }

    private mutating func list() -> FuzzRequest {
        let target = target()
        let path = target.collection(rng.chance(0.2) ? nil : namespace(for: target))
        return FuzzRequest(method: "GET", path: path, query: listQuery(watch: false), generator: "list \(target.resource)")
    }

    private mutating func watch() -> FuzzRequest {
        let target = target()
        var path = target.collection(rng.chance(0.2) ? nil : namespace(for: target))
        if rng.chance(0.2) { path += "/" + name(for: target) }
        var query = listQuery(watch: true)
        // The last value of a repeated parameter wins: most watches get a short timeout (so that
        // the stream must end by itself); the others keep whatever the generator chose.
        let timeout = rng.pick(["0", "1", "1", "2", "", "3600", "-1", "abc", "9223372036854775807", "99999999999999999999"])
        if !timeout.isEmpty { query += "&timeoutSeconds=" + timeout }
        let mustEnd = Int(timeout).map { (0...2).contains($0) } ?? false
        return FuzzRequest(
            method: "GET", path: path, query: query, isWatch: true, watchMustEnd: mustEnd,
            generator: "watch \(target.resource)")
    }

    private mutating func delete() -> FuzzRequest {
        let target = target()
        let namespace = namespace(for: target)
        var path: String
        var query = ""
        if target.deletesCollection && rng.chance(0.15) {
            path = target.collection(namespace)
            query = listQuery(watch: false)
        } else {
            path = target.item(namespace, name(for: target))
        }
        if rng.chance(0.3) {
            query += (query.isEmpty ? "" : "&") + "propagationPolicy=" + rng.pick(["Background", "Foreground", "Orphan", "", "bogus"])
        }
        if rng.chance(0.1) { query += (query.isEmpty ? "" : "&") + "dryRun=" + rng.pick(["All", "x"]) }
        var body: [UInt8]?
        var contentType: String?
        var generator = "delete \(target.resource)"
        if rng.chance(0.4) {
            var options: JSONValue = ["apiVersion": "v1", "kind": "DeleteOptions"]
            if rng.chance(0.5) { options["propagationPolicy"] = .string(rng.pick(["Background", "Foreground", "Orphan", "Nope"])) }
            if rng.chance(0.3) { options["orphanDependents"] = randomValue(depth: 0) }
            if rng.chance(0.3) { options["preconditions"] = ["uid": randomValue(depth: 0), "resourceVersion": randomValue(depth: 0)] }
            if rng.chance(0.2) { options["dryRun"] = rng.pick([["All"], "All", .array([randomValue(depth: 0)])]) }
            if rng.chance(0.2) { options["gracePeriodSeconds"] = rng.pick([.int(-1), .int(Int64.max), .double(1e300), "x"]) }
            mutate(&options, times: rng.int(0...2))
            let encoded = encodedBody(options)
            body = encoded.body
            contentType = rng.chance(0.5) ? encoded.contentType : nil
            generator += " with options " + encoded.generator
        }
        return FuzzRequest(method: "DELETE", path: path, query: query, contentType: contentType, body: body, generator: generator)
    }

    private mutating func garbage() -> FuzzRequest {
        let paths = [
            "/", "/api", "/apis", "/api/v2", "/api/v1/", "/apis/example.com", "/apis/example.com/v9/widgets",
            "/apis/nope.io/v1/things", "/api/v1/namespaces/default/configmaps/fuzz-a/status",
            "/api/v1/namespaces/default/configmaps/a/b/c/d", "/api/v1/namespaces/default/namespaces/x",
            "/api/v1/namespaces/fuzz-ns-a/finalize", "/api/v1/namespaces//configmaps",
            "/apis/apiextensions.k8s.io/v1/namespaces/default/customresourcedefinitions",
            "/openapi/v3/apis/nope/v1", "/openapi/v3/" + pathSegment(), "/version/" + pathSegment(),
            "/api/v1/" + pathSegment(), "/apis/" + pathSegment() + "/" + pathSegment() + "/" + pathSegment(),
            "/api/v1/namespaces/" + pathSegment() + "/" + pathSegment() + "/" + pathSegment(),
            "/" + pathSegment() + "/" + pathSegment(),
        ]
        let method = rng.pick(["GET", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
        var request = FuzzRequest(method: method, path: rng.pick(paths), generator: "garbage path")
        if ["POST", "PUT", "PATCH", "DELETE"].contains(method) && rng.chance(0.7) {
            let (body, contentType, generator) = encodedBody(rng.pick(FuzzTargets.all).base("fuzz-a"))
            request.body = body
            request.contentType = method == "PATCH" ? "application/merge-patch+json" : contentType
            request.generator += " " + generator
        }
        if rng.chance(0.3) { request.query = listQuery(watch: false) }
        return request
    }

    // MARK: Query strings

    private mutating func listQuery(watch: Bool) -> String {
        var parts: [String] = []
        if watch { parts.append(rng.chance(0.9) ? "watch=true" : rng.pick(["watch=1", "watch=yes"])) }
        if rng.chance(0.5) { parts.append("labelSelector=" + percentEncoded(labelSelector())) }
        if rng.chance(0.4) { parts.append("fieldSelector=" + percentEncoded(fieldSelector())) }
        if !watch && rng.chance(0.3) {
            parts.append("limit=" + rng.pick(["0", "1", "2", "-1", "abc", "9223372036854775807", "99999999999999999999", ""]))
        }
        if rng.chance(0.2) { parts.append("continue=" + percentEncoded(continueToken())) }
        if rng.chance(0.3) {
            parts.append("resourceVersion=" + rng.pick(["", "0", "1", "2", "50", "-1", "abc", "9223372036854775807", "99999999999999999999", String(rng.int(1...5000))]))
        }
        if rng.chance(0.15) { parts.append("resourceVersionMatch=" + rng.pick(["Exact", "NotOlderThan", "", "Newest"])) }
        if watch && rng.chance(0.3) { parts.append("allowWatchBookmarks=" + rng.pick(["true", "false", "1", "x"])) }
        if watch && rng.chance(0.2) { parts.append("sendInitialEvents=" + rng.pick(["true", "false", "x"])) }
        if rng.chance(0.05) { parts.append("includeObject=" + rng.pick(["Object", "None", "Metadata", "All"])) }
        if rng.chance(0.05) { parts.append(percentEncoded(junkText(maxLength: 8)) + "=" + percentEncoded(junkText(maxLength: 8))) }
        return parts.joined(separator: "&")
    }

    private mutating func labelSelector() -> String {
        let valid = [
            "app=fuzz", "app==fuzz", "app!=fuzz", "app in (fuzz,web)", "app notin (x)", "!app", "app", "tier,app=fuzz",
            "example.com/key=value", "app in ()", "a.b.c/d-e_f=g.h", "app=fuzz,tier in (web, db),!gone",
        ]
        switch rng.int(0...5) {
        case 0, 1: return rng.pick(valid)
        case 2:
            let alphabet = Array("=!(),<> inotexsapfuzz./_-0123456789\u{0}é")
            return String((0..<rng.int(0...40)).map { _ in rng.pick(alphabet) })
        case 3: return String(repeating: "a", count: rng.pick([63, 64, 254, 10_000])) + "=b"
        case 4: return rng.pick(["app in (fuzz", "app in fuzz)", "=", "==", "!", ",", "app=", "app=fuzz,", "in (a)", "app gt 3", "app>3", "app<x"])
        default: return mutateText(rng.pick(valid))
        }
    }

    private mutating func fieldSelector() -> String {
        let valid = [
            "metadata.name=fuzz-a", "metadata.name!=fuzz-a", "metadata.namespace=default", "metadata.name==x",
            "spec.nodeName=", "status.phase=Running", "type=Opaque", "involvedObject.kind=Pod", "spec.clusterIP=None",
            "metadata.name=fuzz-a,metadata.namespace!=fuzz", "spec.size=3", "data.a=1",
        ]
        switch rng.int(0...4) {
        case 0, 1: return rng.pick(valid)
        case 2: return rng.pick(["=", "metadata.name", "metadata.name in (a)", ",", "=x", "metadata.name=a=b", "a\\,b=c", "metadata.name=\\"])
        case 3: return junkText(maxLength: 40)
        default: return mutateText(rng.pick(valid))
        }
    }

    private mutating func continueToken() -> String {
        func encode(_ json: JSONValue) -> String {
            Data(json.serialized()).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        switch rng.int(0...3) {
        case 0: return junkText(maxLength: 40)
        case 1: return Data(rng.bytes(rng.int(0...40))).base64EncodedString()
        case 2:
            return encode([
                "v": "meta.k8s.io/v1", "rv": rng.pick([.int(0), .int(-1), .int(1), .int(Int64.max), .int(Int64.min), "1", .double(1e300)]),
                "start": .string(rng.pick(["default/fuzz-a\u{0}", "/\u{0}", "\u{0}", "nosuffix", "a/b/c\u{0}", ""])),
            ])
        default:
            var token: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(Int64(rng.int(1...200))), "start": "default/fuzz-a\u{0}"]
            mutate(&token, times: 1)
            return encode(token)
        }
    }

    // MARK: Bodies

    /// `object` mutated and encoded as JSON (often), YAML, random bytes or deep nesting.
    private mutating func encodedBody(_ original: JSONValue) -> (body: [UInt8], contentType: String?, generator: String) {
        var object = original
        let mutations = rng.pick([0, 0, 1, 1, 2, 3, 5])
        mutate(&object, times: mutations)
        let generator = mutations == 0 ? "valid" : "\(mutations) mutations"
        switch rng.int(0...9) {
        case 0...4:
            var body = jsonBytes(object)
            var how = "json, " + generator
            if rng.chance(0.25) { body = mutateBytes(body); how += ", byte-mutated" }
            if rng.chance(0.1) { body = duplicateKey(body, object: object); how += ", duplicate key" }
            return (body, rng.pick(["application/json", "application/json", "application/json; charset=utf-8", "*/*", ""]), how)
        case 5...7:
            let (body, how) = yamlBody(object)
            return (body, rng.pick(["application/yaml", "application/yaml", "application/x-yaml", "text/yaml"]), how + ", " + generator)
        case 8:
            return (deepNesting(), rng.pick(["application/json", "application/yaml"]), "deep nesting")
        default:
            return (rng.bytes(rng.int(0...400)), rng.pick(["application/json", "application/yaml", "application/octet-stream", "text/plain"]), "random bytes")
        }
    }

    private func jsonBytes(_ value: JSONValue) -> [UInt8] { value.serialized(sortedKeys: false) }

    /// `{"k": v, ...}` with one of the object's keys repeated (a JSON text a parser may not accept).
    private mutating func duplicateKey(_ body: [UInt8], object: JSONValue) -> [UInt8] {
        guard body.first == UInt8(ascii: "{"), let key = object.objectValue?.keys.sorted().first else { return body }
        let value = randomValue(depth: 1)
        return [UInt8(ascii: "{")] + Array("\(JSONValue.string(key).jsonString):\(value.jsonString),".utf8) + body.dropFirst()
    }

    mutating func deepNesting() -> [UInt8] {
        let depth = rng.pick([200, 500, 999, 1000, 1001, 2000, 10_000, 100_000])
        switch rng.int(0...3) {
        case 0: return Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
        case 1:
            return Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":"#.utf8)
                + Array(String(repeating: #"{"a":"#, count: depth).utf8) + Array("1".utf8)
                + Array(String(repeating: "}", count: depth + 1).utf8)
        case 2:
            // Widgets: the nesting lands in spec.tags, which the schema types as an array of strings.
            return Array(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"deep"},"spec":{"size":1,"tags":"#.utf8)
                + Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
                + Array("}}".utf8)
        default:
            // YAML block nesting.
            let levels = min(depth, 1200)
            var text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n  labels:\n"
            for level in 0..<levels { text += String(repeating: " ", count: 4 + level) + "a:\n" }
            text += String(repeating: " ", count: 4 + levels) + "b: c\n"
            return Array(text.utf8)
        }
    }

    // MARK: Structural mutations

    /// Applies `times` random mutations to `value`: drop, duplicate, retype, huge numbers, deep
    /// nesting, long or odd strings, wrong apiVersion/kind, invalid names, odd metadata.
    mutating func mutate(_ value: inout JSONValue, times: Int) {
        for _ in 0..<times {
            switch rng.int(0...9) {
            case 0: value[path: ["apiVersion"]] = rng.pick(["v1", "v2", "apps/v1", "example.com/v1", "", "/", "a/b/c", .int(1), .null])
            case 1: value[path: ["kind"]] = rng.pick(["ConfigMap", "Secret", "Widget", "Namespace", "Status", "", "configmap", .int(7), .null])
            case 2: value[path: ["metadata", "name"]] = rng.pick([.string(invalidName()), .int(5), .null, .array([]), .emptyObject])
            case 3: mutateMetadata(&value)
            default: mutateAtRandomPath(&value)
            }
        }
    }

    private mutating func invalidName() -> String {
        rng.pick([
            "", "UPPER", "under_score", "-leading", "trailing-", "a..b", ".", "..", "a/b", "a%2Fb", "with space",
            String(repeating: "n", count: 254), String(repeating: "n", count: 64), "ünï", "a\u{0}b", "fuzz-a",
            junkText(maxLength: 20),
        ])
    }

    private mutating func mutateMetadata(_ value: inout JSONValue) {
        let key = rng.pick([
            "labels", "annotations", "finalizers", "ownerReferences", "managedFields", "resourceVersion", "uid",
            "generateName", "namespace", "deletionTimestamp", "creationTimestamp", "generation", "deletionGracePeriodSeconds",
            "selfLink",
        ])
        let replacement: JSONValue
        switch rng.int(0...3) {
        case 0: replacement = randomValue(depth: 0)
        case 1:
            let key = rng.chance(0.5) ? "app" : junkText(maxLength: 70)
            let text = rng.chance(0.5) ? "fuzz" : junkText(maxLength: 70)
            replacement = .object([
                key: .string(text), "example.com/x": .string(String(repeating: "v", count: rng.pick([63, 64, 300_000]))),
            ])
        case 2:
            replacement = rng.pick([
                ["kubernetes", "example.com/f", "bad finalizer", ""],
                [["apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": "u", "controller": true],
                 ["apiVersion": "v1", "kind": "ConfigMap", "name": "o2", "uid": "u2", "controller": true]],
                [["manager": "m", "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": ["f:data": ["f:a": .emptyObject]]]],
                [["manager": .int(1), "operation": "Nope", "fieldsV1": "x"]],
                "2024-13-45T99:99:99Z", .int(Int64.max), .int(-1), "abc", "99999999999999999999",
            ])
        default: replacement = .null
        }
        value[path: ["metadata", key]] = replacement
    }

    /// Picks a random node of the tree and drops, duplicates or replaces it.
    private mutating func mutateAtRandomPath(_ value: inout JSONValue) {
        let paths = Self.paths(in: value)
        guard let path = paths.isEmpty ? nil : rng.pick(paths), !path.isEmpty else {
            value = randomValue(depth: 0)
            return
        }
        var parent = path
        let last = parent.removeLast()
        guard var container = Self.node(at: parent, in: value) else { return }
        let operation = rng.int(0...9)
        switch (container, last) {
        case (.object(var members), .key(let key)):
            switch operation {
            case 0, 1: members[key] = nil
            case 2: members[key + rng.pick(["-copy", "2", "X"])] = members[key]
            default: members[key] = hostileValue(replacing: members[key])
            }
            container = .object(members)
        case (.array(var elements), .index(let index)):
            switch operation {
            case 0, 1: elements.remove(at: index)
            case 2: elements.append(elements[index]); if rng.chance(0.3) { elements.append(contentsOf: Array(repeating: elements[index], count: 50)) }
            default: elements[index] = hostileValue(replacing: elements[index])
            }
            container = .array(elements)
        default:
            return
        }
        Self.set(container, at: parent, in: &value)
    }

    private mutating func hostileValue(replacing old: JSONValue?) -> JSONValue {
        switch rng.int(0...9) {
        case 0: return rng.pick([.int(Int64.max), .int(Int64.min), .double(1.7976931348623157e308), .double(-0.0), .double(5e-324), .int(-1), .int(0), .double(1e21), .double(0.5)])
        case 1: return .string(String(repeating: rng.pick(["x", "é", "😀", "\u{0}", "\\", "\""]), count: rng.pick([64, 254, 1000, 100_000])))
        case 2:
            var nested: JSONValue = rng.chance(0.5) ? "leaf" : .emptyObject
            for _ in 0..<rng.pick([10, 100, 500, 990]) { nested = rng.chance(0.5) ? .array([nested]) : ["n": nested] }
            return nested
        case 3: return .string(rng.pick(["", " ", "null", "true", "1", "1e999", "-", "0x10", "10Gi", "100m", "NaN", "2024-01-01T00:00:00Z"]))
        case 4:
            // Retype: scalar ↔ container.
            switch old {
            case .object?, .array?: return randomScalar()
            case .string(let text)?: return rng.chance(0.5) ? .array([.string(text)]) : [text: .string(text)]
            default: return rng.chance(0.5) ? .emptyObject : .array([])
            }
        case 5: return .null
        default: return randomValue(depth: 0)
        }
    }

    mutating func randomScalar() -> JSONValue {
        switch rng.int(0...5) {
        case 0: return .null
        case 1: return .bool(rng.chance(0.5))
        case 2: return .int(Int64(bitPattern: rng.next()) >> rng.int(0...63))
        case 3: return .double(Double(bitPattern: rng.next() & 0x7fef_ffff_ffff_ffff) * (rng.chance(0.5) ? 1 : -1))
        case 4: return .string(junkText(maxLength: 30))
        default: return .string(rng.pick(["fuzz", "a", "TCP", "ClusterIP", "red", "Opaque"]))
        }
    }

    mutating func randomValue(depth: Int) -> JSONValue {
        guard depth < 4, rng.chance(0.4) else { return randomScalar() }
        if rng.chance(0.5) {
            return .array((0..<rng.int(0...4)).map { _ in randomValue(depth: depth + 1) })
        }
        var members: [String: JSONValue] = [:]
        for _ in 0..<rng.int(0...4) {
            members[rng.pick(["a", "name", "spec", "metadata", "port", "$patch", "items", junkText(maxLength: 8)])] = randomValue(depth: depth + 1)
        }
        return .object(members)
    }

    // MARK: Patches

    private mutating func jsonPatch(_ live: JSONValue) -> ([UInt8], String) {
        if rng.chance(0.1) {
            let odd: JSONValue = rng.pick([.emptyObject, .null, "add", [["op": "add"]], .array([randomValue(depth: 0)])])
            return (jsonBytes(odd), "odd json patch")
        }
        let livePaths = Self.paths(in: live).map(Self.pointer)
        var operations: [JSONValue] = []
        for _ in 0..<rng.int(1...5) {
            var operation: JSONValue = ["op": .string(rng.pick(["add", "remove", "replace", "move", "copy", "test", "add", "replace", "bogus", ""]))]
            let path: String =
                switch rng.int(0...4) {
                case 0, 1: livePaths.isEmpty ? "/x" : rng.pick(livePaths)
                case 2: (livePaths.isEmpty ? "" : rng.pick(livePaths)) + rng.pick(["/-", "/0", "/new", "/-1", "/99999999999999999999", "/01"])
                case 3: rng.pick(["", "/", "//", "/~", "/~2", "/a~1b", "metadata", "/metadata/labels/x~1y", "/spec/ports/-", "/status"])
                default: "/" + junkText(maxLength: 10)
                }
            if rng.chance(0.95) { operation["path"] = .string(path) } else { operation["path"] = randomScalar() }
            if rng.chance(0.8) { operation["value"] = rng.chance(0.5) ? randomValue(depth: 0) : hostileValue(replacing: nil) }
            if rng.chance(0.3) { operation["from"] = .string(livePaths.isEmpty ? "/a" : rng.pick(livePaths)) }
            operations.append(operation)
        }
        var body = jsonBytes(.array(operations))
        var how = "json patch of \(operations.count) operations"
        if rng.chance(0.15) { body = mutateBytes(body); how += ", byte-mutated" }
        return (body, how)
    }

    private mutating func mergePatch(_ live: JSONValue, strategic: Bool) -> ([UInt8], String) {
        if rng.chance(0.1) {
            let odd: JSONValue = rng.pick([.null, .array([]), "x", .int(1), .array([.emptyObject])])
            return (jsonBytes(odd), "non-object patch")
        }
        var patch: JSONValue = .emptyObject
        // A partial object: some of the live object's top-level fields, mutated.
        for (key, value) in live.objectValue ?? [:] where rng.chance(0.4) { patch[key] = value }
        mutate(&patch, times: rng.int(0...3))
        if rng.chance(0.3) { patch[path: ["metadata", "labels", "app"]] = .null }
        if strategic {
            let directives: [(String, JSONValue)] = [
                ("$patch", rng.pick(["delete", "replace", "merge", "bogus", .int(1)])),
                ("$retainKeys", rng.pick([["spec", "metadata"], "spec", .array([.int(1)])])),
                ("$setElementOrder/ports", rng.pick([[["port": 80]], [["port": 53], ["port": 80], ["port": 9999]], "x"])),
                ("$deleteFromPrimitiveList/finalizers", rng.pick([["kubernetes"], "x"])),
                ("$setElementOrder/containers", [["name": "c"], ["name": "missing"]]),
            ]
            for _ in 0..<rng.int(0...3) {
                let (key, value) = rng.pick(directives)
                if rng.chance(0.5) {
                    patch[key] = value
                } else {
                    patch[path: ["spec", key]] = value
                }
            }
            if rng.chance(0.3) {
                patch[path: ["spec", "ports"]] = rng.pick([
                    [["port": 80, "$patch": "delete"]], [["name": "noport"]], [["port": 80], ["port": 80]],
                    [["port": "80"]], [["$patch": "replace"]], .array([randomValue(depth: 1)]),
                ])
            }
            if rng.chance(0.2) {
                patch[path: ["spec", "containers"]] = rng.pick([
                    [["name": "c", "image": "new"]], [["image": "no-name"]], [["name": "c", "$patch": "delete"]], "x",
                ])
            }
        }
        var body = jsonBytes(patch)
        var how = strategic ? "strategic merge patch" : "merge patch"
        if rng.chance(0.15) { body = mutateBytes(body); how += ", byte-mutated" }
        return (body, how)
    }

    // MARK: YAML

    mutating func yamlBody(_ object: JSONValue) -> ([UInt8], String) {
        var text = Self.yaml(object, indent: 0)
        var how = "yaml"
        switch rng.int(0...9) {
        case 0:
            text = text.components(separatedBy: "\n").map { (line: String) -> String in
                let spaces = line.prefix { $0 == " " }.count
                return String(repeating: "\t", count: spaces / 2) + String(line.dropFirst(spaces))
            }.joined(separator: "\n")
            how += " with tabs"
        case 1:
            text = "base: &base\n  app: fuzz\n  tier: web\n" + text + "extra:\n  <<: *base\n  more: *base\n"
            how += " with anchors"
        case 2:
            // Billion laughs, bounded: `levels` levels of 9 aliases each, a few hundred bytes of text.
            let levels = rng.int(3...12)
            var bomb = "l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            for level in 1...levels {
                bomb += "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ",") + "]\n"
            }
            text = rng.chance(0.5) ? bomb + text : text + "data:\n  bomb: *l\(levels)\n" + bomb.replacingOccurrences(of: "\n", with: "\n  ").dropLast(2)
            how += " with a \(levels)-level alias bomb"
        case 3:
            text = "---\n" + text + "---\n" + Self.yaml(randomValue(depth: 0), indent: 0) + "\n...\n"
            how += " with several documents"
        case 4:
            text += "\(rng.pick(["aliasKey", "*undefined", "? complex", "!!binary x", "[a, b]", "&a key"])): \(rng.pick(["*nowhere", "1e999", ".inf", ".nan", "0x1F", "0o17", "~", "!!int \"12\"", "!!float x", "!custom y", "yes", "2001-12-14t21:59:43.10-05:00"]))\n"
            how += " with odd scalars"
        case 5:
            text = mutateText(text)
            how += " text-mutated"
        case 6:
            text = "%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\n" + text
            how += " with directives"
        case 7:
            text = "*l0: x\nl0: &l0 y\n" + text
            how += " with an alias key"
        default:
            break
        }
        var bytes = Array(text.utf8)
        if rng.chance(0.1) { bytes.insert(contentsOf: rng.pick([[0xff, 0xfe], [0xc3], [0xed, 0xa0, 0x80], [0x00]]), at: rng.int(0...bytes.count)); how += ", invalid UTF-8" }
        return (bytes, how)
    }

    /// Block-style YAML for a JSON value; strings are JSON-quoted (JSON strings are YAML double-quoted scalars).
    static func yaml(_ value: JSONValue, indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members) where !members.isEmpty:
            return members.keys.sorted().map { key in
                let member = members[key]!
                let quotedKey = JSONValue.string(key).jsonString
                switch member {
                case .object(let inner) where !inner.isEmpty: return "\(pad)\(quotedKey):\n" + yaml(member, indent: indent + 2)
                case .array(let inner) where !inner.isEmpty: return "\(pad)\(quotedKey):\n" + yaml(member, indent: indent + 2)
                default: return "\(pad)\(quotedKey): \(member.jsonString)\n"
                }
            }.joined()
        case .array(let elements) where !elements.isEmpty:
            return elements.map { element in
                let isContainer = !(element.objectValue?.isEmpty ?? true) || !(element.arrayValue?.isEmpty ?? true)
                guard isContainer else { return "\(pad)- \(element.jsonString)\n" }
                return "\(pad)- " + yaml(element, indent: indent + 2).dropFirst(indent + 2)
            }.joined()
        default:
            return pad + value.jsonString + "\n"
        }
    }

    // MARK: Protobuf

    private mutating func protobuf() -> FuzzRequest {
        let targets = [FuzzTargets.configMaps, FuzzTargets.namespaces, FuzzTargets.secrets, FuzzTargets.serviceAccounts, FuzzTargets.services]
        let target = rng.pick(targets)
        let namespace = namespace(for: target)
        let replace = rng.chance(0.25)
        let name = name(for: target)
        var body: [UInt8]
        var how: String
        let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]
        switch rng.int(0...9) {
        case 0:
            body = rng.bytes(rng.int(0...200))
            how = "random bytes without magic"
        case 1:
            body = magic + rng.bytes(rng.int(0...200))
            how = "magic + random bytes"
        case 2:
            body = Array(magic.prefix(rng.int(0...4)))
            how = "truncated magic"
        default:
            let kinds = ["ConfigMap", "Namespace", "Secret", "ServiceAccount", "Service", "Pod", "", junkText(maxLength: 10)]
            let kind = rng.chance(0.8) ? rng.pick(["ConfigMap", "Namespace", "Secret", "ServiceAccount"]) : rng.pick(kinds)
            var typeMeta: [UInt8] = []
            typeMeta += Self.field(1, bytes: Array(rng.pick(["v1", "v1", "apps/v1", "", "v2"]).utf8))
            typeMeta += Self.field(2, bytes: Array(kind.utf8))
            let raw = protobufObject(name: name, depth: 0)
            var envelope = Self.field(1, bytes: typeMeta) + Self.field(2, bytes: raw)
            if rng.chance(0.3) { envelope += Self.field(3, bytes: Array("application/json".utf8)) }
            how = "envelope kind \(kind)"
            if rng.chance(0.3) { envelope = mutateBytes(envelope); how += ", byte-mutated" }
            body = magic + envelope
        }
        let path = replace ? target.item(namespace, name) : target.collection(namespace)
        return FuzzRequest(
            method: replace ? "PUT" : "POST", path: path, query: writeQuery(),
            contentType: rng.chance(0.9) ? "application/vnd.kubernetes.protobuf" : "application/vnd.kubernetes.protobuf;stream=watch",
            body: body, generator: "protobuf \(target.resource) \(how)")
    }

    /// A message in the field numbering of ObjectMeta-bearing kinds, with random extra fields,
    /// odd wire types, overlong varints and lengths that lie.
    private mutating func protobufObject(name: String, depth: Int) -> [UInt8] {
        var meta: [UInt8] = Self.field(1, bytes: Array((rng.chance(0.8) ? name : invalidName()).utf8))
        if rng.chance(0.3) { meta += Self.field(3, bytes: Array(rng.pick(["default", "other", ""]).utf8)) }
        if rng.chance(0.3) { meta += Self.field(11, bytes: Self.field(1, bytes: Array("app".utf8)) + Self.field(2, bytes: Array(junkText(maxLength: 10).utf8))) }
        if rng.chance(0.2) { meta += Self.field(8, bytes: Self.varintField(1, rng.pick([0, 1, UInt64(Int64.max), UInt64.max, 1 << 62, 253_402_300_800]))) }
        if rng.chance(0.2) { meta += Self.varintField(7, rng.next()) }
        if rng.chance(0.1) { meta += Self.field(14, bytes: Array("kubernetes".utf8)) }
        var message = Self.field(1, bytes: meta)
        if rng.chance(0.5) { message += Self.field(2, bytes: Self.field(1, bytes: Array("k".utf8)) + Self.field(2, bytes: rng.bytes(rng.int(0...8)))) }
        if rng.chance(0.3) { message += Self.varintField(rng.int(1...6), rng.next()) }
        for _ in 0..<rng.int(0...3) {
            switch rng.int(0...5) {
            case 0: message += Self.varint(UInt64(rng.int(1...40)) << 3 | UInt64(rng.int(0...7)))
            case 1: message += Self.varint(UInt64(rng.int(1...5)) << 3 | 2) + Self.varint(rng.pick([UInt64.max, UInt64(Int64.max) + 1, 1 << 40, 1000]))
            case 2: message += [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]
            case 3: message += Self.varint(UInt64(rng.int(1...5)) << 3 | 1) + rng.bytes(rng.int(0...8))
            case 4 where depth < 3: message += Self.field(rng.int(1...5), bytes: protobufObject(name: name, depth: depth + 1))
            default: message += rng.bytes(rng.int(0...6))
            }
        }
        return message
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func field(_ number: Int, bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(number) << 3 | 2) + varint(UInt64(bytes.count)) + bytes
    }

    static func varintField(_ number: Int, _ value: UInt64) -> [UInt8] { varint(UInt64(number) << 3) + varint(value) }

    // MARK: Text and bytes

    /// Printable ASCII only: what an HTTP client lets through in a header value.
    mutating func headerJunk() -> String {
        let alphabet = Array("abcXYZ019 -_./:=!,;()[]{}<>\"'\\%&?#*@$^~`|+")
        return String((0..<rng.int(0...40)).map { _ in rng.pick(alphabet) }).trimmingCharacters(in: .whitespaces)
    }

    mutating func junkText(maxLength: Int) -> String {
        let alphabet = Array("abcXYZ019 -_./:=!,;()[]{}<>\"'\\%&?#*@$^~`|+\t\n\u{0}\u{7f}éß😀\u{200b}\u{fffd}")
        return String((0..<rng.int(0...maxLength)).map { _ in rng.pick(alphabet) })
    }

    private mutating func mutateText(_ text: String) -> String {
        var characters = Array(text)
        for _ in 0..<rng.int(1...3) {
            switch rng.int(0...2) {
            case 0 where !characters.isEmpty: characters.remove(at: rng.int(0...characters.count - 1))
            case 1: characters.insert(rng.pick(Array("=!(),\\ \"'{}[]:-&*\t\n\u{0}é")), at: rng.int(0...characters.count))
            default:
                if !characters.isEmpty {
                    let start = rng.int(0...characters.count - 1)
                    let end = min(characters.count, start + rng.int(1...20))
                    characters.insert(contentsOf: characters[start..<end], at: rng.int(0...characters.count))
                }
            }
        }
        return String(characters)
    }

    /// Byte-level mutations: flips, insertions (invalid UTF-8 included), deletions, truncation, repeats.
    mutating func mutateBytes(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<rng.int(1...4) {
            guard !bytes.isEmpty else { return rng.bytes(rng.int(0...20)) }
            let position = rng.int(0...bytes.count - 1)
            switch rng.int(0...5) {
            case 0: bytes[position] ^= UInt8(1) << UInt8(rng.int(0...7))
            case 1: bytes.insert(contentsOf: rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0x00], Array("\\u0000".utf8), Array("\\ud800".utf8), Array("1e999".utf8)]), at: position)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + rng.int(1...16)))
            case 3: bytes.removeSubrange(position...)
            case 4: bytes.insert(contentsOf: bytes[position..<min(bytes.count, position + rng.int(1...64))], at: rng.int(0...bytes.count - 1))
            default: bytes[position] = rng.pick(Array("{}[]\":,0-e.tfn\\".utf8))
            }
        }
        return bytes
    }

    private func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    // MARK: Paths in a JSON tree

    enum Step: Hashable { case key(String), index(Int) }

    static func paths(in value: JSONValue, prefix: [Step] = [], into result: inout [[Step]]) {
        guard result.count < 400 else { return }
        switch value {
        case .object(let members):
            for (key, member) in members {
                result.append(prefix + [.key(key)])
                paths(in: member, prefix: prefix + [.key(key)], into: &result)
            }
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                result.append(prefix + [.index(index)])
                paths(in: element, prefix: prefix + [.index(index)], into: &result)
            }
        default: break
        }
    }

    static func paths(in value: JSONValue) -> [[Step]] {
        var result: [[Step]] = []
        paths(in: value, into: &result)
        return result.sorted { pointer($0) < pointer($1) }
    }

    static func pointer(_ path: [Step]) -> String {
        path.map { step in
            switch step {
            case .key(let key): "/" + key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            case .index(let index): "/\(index)"
            }
        }.joined()
    }

    static func node(at path: [Step], in value: JSONValue) -> JSONValue? {
        var current = value
        for step in path {
            switch (step, current) {
            case (.key(let key), .object(let members)): guard let next = members[key] else { return nil }; current = next
            case (.index(let index), .array(let elements)): guard elements.indices.contains(index) else { return nil }; current = elements[index]
            default: return nil
            }
        }
        return current
    }

    static func set(_ newValue: JSONValue, at path: [Step], in value: inout JSONValue) {
        guard let first = path.first else {
            value = newValue
            return
        }
        let rest = Array(path.dropFirst())
        switch (first, value) {
        case (.key(let key), .object(var members)):
            var child = members[key] ?? .null
            set(newValue, at: rest, in: &child)
            members[key] = child
            value = .object(members)
        case (.index(let index), .array(var elements)) where elements.indices.contains(index):
            var child = elements[index]
            set(newValue, at: rest, in: &child)
            elements[index] = child
            value = .array(elements)
        default:
            break
        }
    }
}
