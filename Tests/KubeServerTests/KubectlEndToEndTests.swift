import Foundation
import KubeModel
import Testing

// The real kubectl 1.32 against an in-process server: each test asserts on what kubectl prints, as a
// user would see it, and that kubectl printed no warnings. Skipped (not failed) without kubectl.

@Suite(.enabled(if: Kubectl.isInstalled, "kubectl is not on PATH; skipping the kubectl end-to-end tests"))
struct KubectlEndToEndTests {
    // MARK: Discovery

    @Test func apiResourcesListsBuiltinsAndThenACustomKindWithItsShortNames() async throws {
        try await withKubectl { kubectl in
            let before = try await kubectl.expectSuccess(["api-resources"])
            #expect(before.rows.first == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"], "\(before)")
            for row in [
                ["namespaces", "ns", "v1", "false", "Namespace"],
                ["configmaps", "cm", "v1", "true", "ConfigMap"],
                ["services", "svc", "v1", "true", "Service"],
                ["customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition"],
            ] {
                #expect(before.rows.contains(row), "missing \(row)\n\(before)")
            }
            #expect(!before.rows.contains { $0.first == "widgets" }, "\(before)")

            try await kubectl.createWidgetDefinition()
            let after = try await kubectl.expectSuccess(["api-resources", "--api-group=example.com"])
            #expect(after.rows == [
                ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"],
                ["widgets", "wd", "example.com/v1", "true", "Widget"],
            ], "\(after)")
        }
    }

    @Test func imperativeCreateCommandsSendProtobufAndWork() async throws {
        try await withKubectl { kubectl in
            // kubectl 1.32 sends these bodies as application/vnd.kubernetes.protobuf.
            _ = try await kubectl.expectSuccess(["create", "namespace", "proto"])
            _ = try await kubectl.expectSuccess(["-n", "proto", "create", "configmap", "settings", "--from-literal=id=member-1"])
            _ = try await kubectl.expectSuccess(["-n", "proto", "create", "secret", "generic", "token", "--from-literal=token=abc"])
            _ = try await kubectl.expectSuccess(["-n", "proto", "create", "serviceaccount", "agent"])
            let map = try await kubectl.expectSuccess(["-n", "proto", "get", "configmap", "settings", "-o", "jsonpath={.data.id}"])
            #expect(map.stdout == "member-1")
            let secret = try await kubectl.expectSuccess(["-n", "proto", "get", "secret", "token", "-o", "jsonpath={.data.token}"])
            #expect(secret.stdout == "YWJj")
            let namespace = try await kubectl.expectSuccess(["get", "namespace", "proto", "-o", "json"])
            #expect(!namespace.stdout.contains("generateName"), "zero values stay out: \(namespace.stdout)")
            #expect(!namespace.stdout.contains("1970-01-01"), "\(namespace.stdout)")
            // A kind without a protobuf schema here is refused with a message naming it.
            let deployment = try await kubectl.run(["-n", "proto", "create", "deployment", "web", "--image=nginx"])
            #expect(deployment.status != 0)
            #expect(deployment.stderr.contains("protobuf bodies of kind Deployment are not supported"), "\(deployment.stderr)")
        }
    }

    @Test func discoveryAndOpenAPIRequestsNeverGet404Or406() async throws {
        try await withKubectl { kubectl in
            let get = try await kubectl.run(["-v=6", "get", "ns"])
            #expect(get.succeeded, "\(get)")
            #expect(get.rows.contains { $0.first == "default" && $0.dropFirst().first == "Active" }, "\(get)")
            #expect(get.stderr.contains("GET https://"), "kubectl -v=6 logged no requests\n\(get)")
            #expect(failedDiscoveryRequests(in: get.stderr) == [], "\(get)")
            #expect(get.warnings.isEmpty, "\(get)")

            // Server-side apply is what fetches the OpenAPI v3 documents.
            let path = try kubectl.manifest("cm.yaml", configMap("openapi", data: ["a": "b"]))
            let apply = try await kubectl.run(["-v=6", "apply", "--server-side", "-f", path])
            #expect(apply.succeeded, "\(apply)")
            #expect(apply.stderr.contains("/openapi/v3"), "kubectl did not fetch OpenAPI v3\n\(apply)")
            #expect(failedDiscoveryRequests(in: apply.stderr) == [], "\(apply)")
            #expect(apply.warnings.isEmpty, "\(apply)")
        }
    }

    // MARK: Create and apply

    @Test func createAndClientSideApplyCreateThenConfigureAndRecordLastApplied() async throws {
        try await withKubectl { kubectl in
            let one = try kubectl.manifest("one.yaml", configMap("one", data: ["color": "red"]))
            let created = try await kubectl.expectSuccess(["create", "-f", one])
            #expect(created.stdout == "configmap/one created\n", "\(created)")

            let two = try kubectl.manifest("two.yaml", configMap("two", data: ["color": "red"]))
            let applied = try await kubectl.expectSuccess(["apply", "-f", two])
            #expect(applied.stdout == "configmap/two created\n", "\(applied)")

            _ = try kubectl.manifest("two.yaml", configMap("two", data: ["color": "green"]))
            let configured = try await kubectl.run(["-v=6", "apply", "-f", two])
            #expect(configured.succeeded && configured.stdout == "configmap/two configured\n", "\(configured)")
            #expect(configured.warnings.isEmpty, "\(configured)")
            #expect(failedDiscoveryRequests(in: configured.stderr) == [], "\(configured)")
            let unchanged = try await kubectl.expectSuccess(["apply", "-f", two])
            #expect(unchanged.stdout == "configmap/two unchanged\n", "\(unchanged)")

            let annotation = try await kubectl.expectSuccess([
                "get", "configmap", "two", "-o",
                #"jsonpath={.metadata.annotations.kubectl\.kubernetes\.io/last-applied-configuration}"#,
            ])
            let lastApplied = try JSONValue(parsing: annotation.stdout)
            #expect(lastApplied["data"] == ["color": "green"], "\(annotation)")
            #expect(lastApplied[path: ["metadata", "name"]] == "two", "\(annotation)")
            let color = try await kubectl.expectSuccess(["get", "cm", "two", "-o", "jsonpath={.data.color}"])
            #expect(color.stdout == "green", "\(color)")
        }
    }

    @Test func serverSideApplyReportsConflictsWithAnotherManagerUntilForced() async throws {
        try await withKubectl { kubectl in
            let path = try kubectl.manifest("ssa.yaml", configMap("ssa", data: ["color": "red"]))
            let applied = try await kubectl.expectSuccess(["apply", "--server-side", "-f", path])
            #expect(applied.stdout == "configmap/ssa serverside-applied\n", "\(applied)")

            _ = try kubectl.manifest("ssa.yaml", configMap("ssa", data: ["color": "blue"]))
            try await kubectl.expectFailure(
                ["apply", "--server-side", "--field-manager=other", "-f", path],
                printing: #"Apply failed with 1 conflict: conflict with "kubectl": .data.color"#)

            let forced = try await kubectl.expectSuccess(
                ["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", path])
            #expect(forced.stdout == "configmap/ssa serverside-applied\n", "\(forced)")
            let read = try await kubectl.expectSuccess([
                "get", "cm", "ssa", "-o", "jsonpath={.data.color} {.metadata.managedFields[*].manager}",
            ])
            // `kubectl` owned only .data.color (apply never records metadata.name), so forcing
            // takes its last field and its managedFields entry goes away, as in kube-apiserver.
            #expect(read.stdout == "blue other", "\(read)")
        }
    }

    // MARK: Get

    @Test func getPrintsTablesWithPrinterColumnsStructuredOutputAndWatchEvents() async throws {
        try await withKubectl { kubectl in
            try await kubectl.createWidgetDefinition()
            let path = try kubectl.manifest("w1.yaml", widget("w1", color: "red", size: 3))
            let created = try await kubectl.expectSuccess(["apply", "-f", path])
            #expect(created.stdout == "widget.example.com/w1 created\n", "\(created)")

            let table = try await kubectl.expectSuccess(["get", "widgets"])
            #expect(table.rows.first == ["NAME", "COLOR", "SIZE", "AGE"], "\(table)")
            #expect(table.rows.count == 2 && Array(table.rows[1].prefix(3)) == ["w1", "red", "3"], "\(table)")
            #expect(table.rows.dropFirst().allSatisfy { $0.count == 4 }, "\(table)")

            let json = try await kubectl.expectSuccess(["get", "wd", "w1", "-o", "json"])
            let object = try JSONValue(parsing: json.stdout)
            #expect(object["apiVersion"] == "example.com/v1" && object["kind"] == "Widget", "\(json)")
            #expect(object[path: ["metadata", "name"]] == "w1", "\(json)")
            #expect(object["spec"] == ["color": "red", "size": 3], "\(json)")

            let yaml = try await kubectl.expectSuccess(["get", "widget", "w1", "-o", "yaml"])
            for line in ["apiVersion: example.com/v1", "kind: Widget", "  name: w1", "  namespace: default", "  color: red", "  size: 3"] {
                #expect(yaml.stdout.split(separator: "\n").contains(Substring(line)), "missing \(line)\n\(yaml)")
            }

            let jsonPath = try await kubectl.expectSuccess(["get", "widgets", "-o", "jsonpath={.items[*].metadata.name}/{.items[0].spec.color}"])
            #expect(jsonPath.stdout == "w1/red", "\(jsonPath)")

            let watch = try kubectl.start(["get", "widgets", "-w", "--output-watch-events"])
            let listed = await watch.waitForOutput { $0.contains("ADDED") }
            _ = try kubectl.manifest("w1.yaml", widget("w1", color: "blue", size: 3))
            let configured = try await kubectl.expectSuccess(["apply", "-f", path])
            #expect(configured.stdout == "widget.example.com/w1 configured\n", "\(configured)")
            let modified = await watch.waitForOutput { $0.contains("MODIFIED") }
            let watched = await watch.stop()
            #expect(listed && modified, "\(watched)")
            #expect(watched.rows.first == ["EVENT", "NAME", "COLOR", "SIZE", "AGE"], "\(watched)")
            #expect(watched.rows.count == 3, "\(watched)")
            if watched.rows.count == 3 {
                #expect(Array(watched.rows[1].prefix(4)) == ["ADDED", "w1", "red", "3"], "\(watched)")
                #expect(Array(watched.rows[2].prefix(4)) == ["MODIFIED", "w1", "blue", "3"], "\(watched)")
            }
            #expect(watched.stderr.isEmpty, "\(watched)")
        }
    }

    // MARK: Describe

    @Test func describeShowsABuiltinAndACustomResource() async throws {
        try await withKubectl { kubectl in
            try await kubectl.createWidgetDefinition()
            let objects = try kubectl.manifest(
                "objects.yaml", configMap("settings", data: ["color": "red"]) + "---\n" + widget("w1", color: "green", size: 7))
            try await kubectl.expectSuccess(["create", "-f", objects])

            let builtin = try await kubectl.expectSuccess(["describe", "configmap", "settings"])
            let builtinLines = builtin.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(normalized)
            for line in ["Name: settings", "Namespace: default", "Labels: <none>", "Data", "====", "color:", "----", "red", "Events: <none>"] {
                #expect(builtinLines.contains(line), "missing \(line)\n\(builtin)")
            }

            let custom = try await kubectl.expectSuccess(["describe", "widget", "w1"])
            let customLines = custom.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(normalized)
            for line in ["Name: w1", "Namespace: default", "API Version: example.com/v1", "Kind: Widget", "Spec:", "Color: green", "Size: 7", "Events: <none>"] {
                #expect(customLines.contains(line), "missing \(line)\n\(custom)")
            }
        }
    }

    // MARK: Patch and replace

    @Test func patchAppliesMergeJSONAndStrategicPatches() async throws {
        try await withKubectl { kubectl in
            let objects = try kubectl.manifest("objects.yaml", configMap("p", data: ["a": "1"]) + "---\n" + service)
            try await kubectl.expectSuccess(["create", "-f", objects])

            let merge = try await kubectl.expectSuccess(["patch", "cm", "p", "--type=merge", "-p", #"{"data":{"b":"2"}}"#])
            #expect(merge.stdout == "configmap/p patched\n", "\(merge)")
            let json = try await kubectl.expectSuccess(["patch", "cm", "p", "--type=json", "-p", #"[{"op":"remove","path":"/data/a"}]"#])
            #expect(json.stdout == "configmap/p patched\n", "\(json)")
            let noChange = try await kubectl.expectSuccess(["patch", "cm", "p", "--type=merge", "-p", #"{"data":{"b":"2"}}"#])
            #expect(noChange.stdout == "configmap/p patched (no change)\n", "\(noChange)")
            let data = try await kubectl.expectSuccess(["get", "cm", "p", "-o", "jsonpath={.data}"])
            #expect(try JSONValue(parsing: data.stdout) == ["b": "2"], "\(data)")

            // Strategic merge patch merges the ports list by its key, `port`.
            let added = try await kubectl.expectSuccess(
                ["patch", "service", "web", "-p", #"{"spec":{"ports":[{"name":"https","port":443,"targetPort":8443}]}}"#])
            #expect(added.stdout == "service/web patched\n", "\(added)")
            let changed = try await kubectl.expectSuccess(
                ["patch", "svc", "web", "--type=strategic", "-p", #"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#])
            #expect(changed.stdout == "service/web patched\n", "\(changed)")
            let ports = try await kubectl.expectSuccess([
                "get", "svc", "web", "-o", #"jsonpath={range .spec.ports[*]}{.name}:{.port}:{.targetPort} {end}"#,
            ])
            #expect(ports.stdout == "http:80:9090 https:443:8443 ", "\(ports)")
        }
    }

    @Test func replaceWritesAnEditedObjectAndRejectsAStaleOne() async throws {
        try await withKubectl { kubectl in
            try await kubectl.expectSuccess(["create", "-f", try kubectl.manifest("r.yaml", configMap("r", data: ["color": "red"]))])
            let read = try await kubectl.expectSuccess(["get", "cm", "r", "-o", "json"])
            var object = try JSONValue(parsing: read.stdout)
            #expect(object[path: ["metadata", "resourceVersion"]]?.stringValue != nil, "\(read)")
            object[path: ["data", "color"]] = "blue"
            let path = try kubectl.manifest("r.json", object.jsonString)

            let replaced = try await kubectl.expectSuccess(["replace", "-f", path])
            #expect(replaced.stdout == "configmap/r replaced\n", "\(replaced)")
            let color = try await kubectl.expectSuccess(["get", "cm", "r", "-o", "jsonpath={.data.color}"])
            #expect(color.stdout == "blue", "\(color)")

            try await kubectl.expectFailure(
                ["replace", "-f", path],
                printing: #"Error from server (Conflict): error when replacing "\#(path)": Operation cannot be fulfilled on configmaps "r": the object has been modified; please apply your changes to the latest version and try again"#)
        }
    }

    // MARK: Labels

    @Test func labelAddsOverwritesAndRemovesLabelsThatGetShowsAndSelects() async throws {
        try await withKubectl { kubectl in
            let objects = try kubectl.manifest("l.yaml", configMap("l1", data: [:]) + "---\n" + configMap("l2", data: [:]))
            try await kubectl.expectSuccess(["create", "-f", objects])

            let added = try await kubectl.expectSuccess(["label", "cm", "l1", "env=dev"])
            #expect(added.stdout == "configmap/l1 labeled\n", "\(added)")
            try await kubectl.expectFailure(
                ["label", "cm", "l1", "env=prod"], printing: "error: 'env' already has a value (dev), and --overwrite is false")
            let overwritten = try await kubectl.expectSuccess(["label", "cm", "l1", "env=prod", "--overwrite"])
            #expect(overwritten.stdout == "configmap/l1 labeled\n", "\(overwritten)")
            try await kubectl.expectSuccess(["label", "cm", "l2", "env=dev", "tier=web"])

            let shown = try await kubectl.expectSuccess(["get", "cm", "l1", "l2", "--show-labels"])
            #expect(shown.rows.first == ["NAME", "DATA", "AGE", "LABELS"], "\(shown)")
            #expect(shown.rows.dropFirst().map { [$0.first ?? "", $0.last ?? ""] } == [["l1", "env=prod"], ["l2", "env=dev,tier=web"]], "\(shown)")

            let selected = try await kubectl.expectSuccess(["get", "cm", "-l", "env=prod"])
            #expect(selected.rows.dropFirst().map { $0.first ?? "" } == ["l1"], "\(selected)")
            let setBased = try await kubectl.expectSuccess(["get", "cm", "-l", "env in (dev,prod),tier!=db"])
            #expect(setBased.rows.dropFirst().map { $0.first ?? "" } == ["l1", "l2"], "\(setBased)")

            let removed = try await kubectl.expectSuccess(["label", "cm", "l1", "env-"])
            #expect(removed.stdout == "configmap/l1 unlabeled\n", "\(removed)")
            let remaining = try await kubectl.expectSuccess(["get", "cm", "-l", "env", "-o", "name"])
            #expect(remaining.stdout == "configmap/l2\n", "\(remaining)")
        }
    }

    // MARK: Delete and wait

    @Test func deleteByNameAndSelectorAndWaitForConditionsAndDeletion() async throws {
        try await withKubectl { kubectl in
            let definition = try kubectl.manifest("crd.yaml", widgetDefinition)
            try await kubectl.expectSuccess(["create", "-f", definition])
            let established = try await kubectl.expectSuccess(
                ["wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s"])
            #expect(established.stdout == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n", "\(established)")

            let objects = try kubectl.manifest("d.yaml", [
                configMap("d1", data: [:]), configMap("d2", data: [:], labels: ["app": "x"]),
                configMap("d3", data: [:], labels: ["app": "x"]), configMap("d4", data: [:], labels: ["app": "y"]),
                widget("w1", color: "red", size: 1),
            ].joined(separator: "---\n"))
            try await kubectl.expectSuccess(["create", "-f", objects])

            let byName = try await kubectl.expectSuccess(["delete", "cm", "d1"])
            #expect(byName.stdout == "configmap \"d1\" deleted\n", "\(byName)")
            let bySelector = try await kubectl.expectSuccess(["delete", "cm", "-l", "app=x"])
            #expect(bySelector.stdout == "configmap \"d2\" deleted\nconfigmap \"d3\" deleted\n", "\(bySelector)")
            let left = try await kubectl.expectSuccess(["get", "cm", "d1", "d2", "d3", "d4", "-o", "name", "--ignore-not-found"])
            #expect(left.stdout == "configmap/d4\n", "\(left)")

            // Delete only once kubectl wait is watching (its -v=6 log shows the watch request);
            // otherwise it might find nothing and never see the deletion happen.
            let waiting = try kubectl.start(["-v=6", "wait", "--for=delete", "widget/w1", "--timeout=30s"])
            let watching = await waiting.waitForErrorOutput { $0.contains("watch=true") }
            let deleted = try await kubectl.expectSuccess(["delete", "widget", "w1", "--wait=false"])
            #expect(deleted.stdout == "widget.example.com \"w1\" deleted\n", "\(deleted)")
            let waited = await waiting.finish(timeout: 30)
            #expect(watching && waited.succeeded && waited.warnings.isEmpty, "\(waited)")
            #expect(waited.stdout == "widget.example.com/w1 condition met\n", "\(waited)")
        }
    }

    // MARK: Invalid input

    @Test func invalidObjectsAreRejectedWithTheServersFieldErrors() async throws {
        try await withKubectl { kubectl in
            try await kubectl.createWidgetDefinition()
            let purple = try kubectl.manifest("x.yaml", widget("x", color: "purple", size: 1))
            try await kubectl.expectFailure(
                ["apply", "-f", purple],
                printing: #"The Widget "x" is invalid: spec.color: Unsupported value: "purple": supported values: "red", "green", "blue""#)

            let bogus = try kubectl.manifest("y.yaml", widget("y", color: "red", size: 1) + "  bogus: true\n")
            try await kubectl.expectFailure(["apply", "-f", bogus], printing: #"strict decoding error: unknown field "spec.bogus""#)

            let none = try await kubectl.expectSuccess(["get", "widgets", "-o", "name"])
            #expect(none.stdout == "", "\(none)")
        }
    }
}

// MARK: - Fixtures

private func withKubectl(_ body: @Sendable (Kubectl) async throws -> Void) async throws {
    try await TestServer.with { server in
        let kubectl = try Kubectl(server: server)
        defer { kubectl.cleanUp() }
        try await body(kubectl)
    }
}

extension Kubectl {
    /// Creates the Widget CRD and waits until kubectl sees it established.
    fileprivate func createWidgetDefinition(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let created = try await expectSuccess(["apply", "-f", try manifest("crd.yaml", widgetDefinition)], sourceLocation: sourceLocation)
        #expect(created.stdout == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created\n", "\(created)",
                sourceLocation: sourceLocation)
        try await expectSuccess(["wait", "--for=condition=established", "crd/widgets.example.com", "--timeout=30s"], sourceLocation: sourceLocation)
    }
}

/// Collapses runs of blanks (kubectl aligns describe output with tab writers) and trims the line.
private func normalized(_ line: Substring) -> String {
    line.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}

/// `-v=6` request log lines for discovery or OpenAPI paths that ended 404 or 406.
private func failedDiscoveryRequests(in log: String) -> [String] {
    log.split(separator: "\n").map(String.init).filter { line in
        line.firstMatch(of: #/GET https:\/\/[^\/\s]+(\/version|\/openapi\/\S*|\/apis?(\/[^\/?\s]+){0,2})(\?\S*)? (404|406)\b/#) != nil
    }
}

private func configMap(_ name: String, data: [String: String], labels: [String: String] = [:]) -> String {
    // Quoted: YAML 1.1 (as kubectl reads it) takes a bare `y` or `no` for a boolean.
    var yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"\(name)\"\n"
    if !labels.isEmpty {
        yaml += "  labels:\n" + labels.sorted { $0.key < $1.key }.map { "    \($0.key): \"\($0.value)\"\n" }.joined()
    }
    yaml += data.isEmpty ? "data: {}\n" : "data:\n" + data.sorted { $0.key < $1.key }.map { "  \($0.key): \"\($0.value)\"\n" }.joined()
    return yaml
}

private func widget(_ name: String, color: String, size: Int) -> String {
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata:
      name: "\(name)"
    spec:
      color: "\(color)"
      size: \(size)

    """
}

private let service = """
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector:
        app: web
      ports:
      - name: http
        port: 80
        targetPort: 8080

    """

private let widgetDefinition = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: widgets.example.com
    spec:
      group: example.com
      scope: Namespaced
      names:
        plural: widgets
        singular: widget
        kind: Widget
        shortNames: [wd]
      versions:
      - name: v1
        served: true
        storage: true
        additionalPrinterColumns:
        - name: Color
          type: string
          jsonPath: .spec.color
        - name: Size
          type: integer
          jsonPath: .spec.size
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  color:
                    type: string
                    enum: [red, green, blue]
                  size:
                    type: integer

    """
