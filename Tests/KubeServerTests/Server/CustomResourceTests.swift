import Foundation
import KubeModel
import Testing

// CustomResourceDefinitions end to end: establishment, serving every served version, discovery
// names, printer columns, schema validation with CEL, defaulting, pruning, the status
// subresource, and removal of the resource with its instances.

@Suite struct ServerCustomResourceTests {
    private static let crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com"

    @Test func aCreatedCRDIsEstablishedAtOnceAndServedAtEveryServedVersion() async throws {
        try await TestServer.with { server in
            let created = try await server.request(
                .POST, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", json: ServerFixtures.widgetCRD)
            #expect(created.status == 201)
            let crd = try await server.get(Self.crdPath)
            let conditions = crd[path: ["status", "conditions"]]?.arrayValue ?? []
            #expect(conditions.first { $0["type"] == "Established" }?["status"] == "True")
            #expect(conditions.first { $0["type"] == "NamesAccepted" }?["status"] == "True")
            #expect(crd[path: ["status", "acceptedNames", "kind"]] == "Widget")
            #expect(crd[path: ["status", "storedVersions"]] == ["v1"])

            let widget = try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w", size: 3))
            #expect(widget["apiVersion"] == "example.com/v1")
            let beta = try await server.get("/apis/example.com/v1beta1/namespaces/default/widgets/w")
            #expect(beta["apiVersion"] == "example.com/v1beta1")
            #expect(beta[path: ["spec", "size"]] == 3)
            #expect(beta[path: ["metadata", "uid"]] == widget[path: ["metadata", "uid"]])
        }
    }

    @Test func discoveryListsShortNamesAndCategories() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let list = try await server.get("/apis/example.com/v1")
            #expect(list["kind"] == "APIResourceList")
            #expect(list["groupVersion"] == "example.com/v1")
            let resources = list["resources"]?.arrayValue ?? []
            let widgets = try #require(resources.first { $0["name"] == "widgets" })
            #expect(widgets["kind"] == "Widget")
            #expect(widgets["singularName"] == "widget")
            #expect(widgets["namespaced"] == true)
            #expect(widgets["shortNames"] == ["wd"])
            #expect(widgets["categories"] == ["all"])
            #expect(resources.contains { $0["name"] == "widgets/status" })
            let group = try await server.get("/apis/example.com")
            let versions = (group["versions"]?.arrayValue ?? []).compactMap { $0["version"]?.stringValue }
            #expect(Set(versions) == ["v1", "v1beta1"])
            #expect(group[path: ["preferredVersion", "version"]] == "v1")
        }
    }

    @Test func tablesUseThePrinterColumns() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w", size: 3))
            let reply = try await server.request(
                .GET, ServerFixtures.widgetsPath, headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")])
            #expect(reply.status == 200)
            #expect(reply.json["kind"] == "Table")
            #expect(reply.json["apiVersion"] == "meta.k8s.io/v1")
            let columns = (reply.json["columnDefinitions"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            // Explicit printer columns replace the default Age column, as in apiextensions-apiserver.
            #expect(columns == ["Name", "Size", "Color"])
            let cells = reply.json[path: ["rows"]]?[0]?["cells"]?.arrayValue ?? []
            #expect(cells == ["w", 3, "red"])
        }
    }

    @Test(arguments: [
        (
            ServerFixtures.widget("w", size: 0),
            #"Widget.example.com "w" is invalid: spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"#
        ),
        (
            { () -> JSONValue in
                var object = ServerFixtures.widget("w")
                object[path: ["spec", "color"]] = "pink"
                return object
            }(),
            // An enum or required violation stops the CRD's CEL rules, which the apiserver says.
            #"Widget.example.com "w" is invalid: [spec.color: Unsupported value: "pink": supported values: "red", "green", "blue", <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"#
        ),
        (
            ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": ["color": "red"]],
            #"Widget.example.com "w" is invalid: [spec.size: Required value, <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]"#
        ),
        (
            ServerFixtures.widget(String(repeating: "a", count: 70)),
            #"Widget.example.com "\#(String(repeating: "a", count: 70))" is invalid: <nil>: Invalid value: "object": name must be shorter than 64 characters"#
        ),
    ] as [(JSONValue, String)])
    func schemaViolationsAreRejected(object: JSONValue, message: String) async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            let reply = try await server.request(.POST, ServerFixtures.widgetsPath, json: object)
            #expect(reply.status == 422)
            #expect(reply.reason == "Invalid")
            #expect(reply.message == message)
            #expect(reply.json[path: ["details", "kind"]] == "Widget")
            #expect(reply.json[path: ["details", "group"]] == "example.com")
            #expect(reply.json[path: ["details", "causes"]]?.arrayValue?.count == (message.hasSuffix("]") ? 2 : 1))
            #expect(try await server.get(ServerFixtures.widgetsPath)["items"] == [])
        }
    }

    @Test func validationCausesNameTheFields() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            var object = ServerFixtures.widget("w", size: 0)
            object[path: ["spec", "color"]] = "pink"
            let reply = try await server.request(.POST, ServerFixtures.widgetsPath, json: object)
            #expect(reply.status == 422)
            let causes = reply.json[path: ["details", "causes"]]?.arrayValue ?? []
            // The enum violation stops the CEL rules: a third cause at <nil> says so.
            #expect(Set(causes.compactMap { $0["field"]?.stringValue }) == ["spec.size", "spec.color", "<nil>"])
            #expect(Set(causes.compactMap { $0["reason"]?.stringValue }) == ["FieldValueInvalid", "FieldValueNotSupported"])
        }
    }

    @Test func defaultsAreAppliedAndUnknownFieldsPrunedWithAWarning() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            var object = ServerFixtures.widget("w")
            object[path: ["spec", "x"]] = "unknown"
            let reply = try await server.request(.POST, ServerFixtures.widgetsPath, json: object)
            #expect(reply.status == 201)
            #expect(reply.json["spec"] == ["size": 1, "color": "red"])
            #expect(reply.headerValues("Warning") == [#"299 - "unknown field \"spec.x\"""#])
            #expect(try await server.get(ServerFixtures.widgetPath("w"))["spec"] == ["size": 1, "color": "red"])
        }
    }

    @Test func strictFieldValidationRejectsUnknownFields() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            var object = ServerFixtures.widget("w")
            object[path: ["spec", "x"]] = "unknown"
            let reply = try await server.request(.POST, ServerFixtures.widgetsPath + "?fieldValidation=Strict", json: object)
            #expect(reply.status == 400)
            #expect(reply.reason == "BadRequest")
            #expect(reply.message == #"Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.x""#)
            #expect(try await server.request(.GET, ServerFixtures.widgetPath("w")).status == 404)
            let ignored = try await server.request(.POST, ServerFixtures.widgetsPath + "?fieldValidation=Ignore", json: object)
            #expect(ignored.status == 201)
            #expect(ignored.headerValues("Warning").isEmpty)
        }
    }

    @Test func theStatusSubresourceAcceptsPatches() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("w"))
            let reply = try await server.request(
                .PATCH, ServerFixtures.widgetPath("w") + "/status", body: #"{"status":{"ready":true},"spec":{"size":7}}"#,
                contentType: "application/merge-patch+json")
            #expect(reply.status == 200)
            #expect(reply.json["status"] == ["ready": true])
            #expect(reply.json[path: ["spec", "size"]] == 1)
        }
    }

    @Test func deletingTheCRDDeletesItsInstancesAndStopsServingIt() async throws {
        try await TestServer.with { server in
            try await server.installWidgetCRD()
            try await server.create(ServerFixtures.widgetsPath, ServerFixtures.widget("a"))
            try await server.createNamespace("other")
            try await server.create(ServerFixtures.widgetsPath.replacingOccurrences(of: "default", with: "other"), ServerFixtures.widget("b"))
            let deleted = try await server.request(.DELETE, Self.crdPath)
            #expect(deleted.status == 200)
            try await server.eventually("the CRD is gone") {
                try await server.request(.GET, Self.crdPath).status == 404
            }
            let list = try await server.request(.GET, ServerFixtures.widgetsPath)
            #expect(list.status == 404)
            #expect(list.message == "the server could not find the requested resource")
            #expect(try await server.request(.GET, "/apis/example.com/v1").status == 404)

            // Re-created, it starts empty: the instances were deleted, not hidden.
            try await server.installWidgetCRD()
            #expect(try await server.get("/apis/example.com/v1/widgets")["items"] == [])
        }
    }
}
