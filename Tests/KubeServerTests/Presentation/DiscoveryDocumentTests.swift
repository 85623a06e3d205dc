import Foundation
import KubeModel
import Testing
@testable import KubeServer

@Suite("Discovery documents")
struct DiscoveryDocumentTests {
    let discovery = APIDiscovery(definitions: PresentationFixtures.all)

    @Test("/api lists v1 and the server address")
    func coreAPIVersions() {
        let document = discovery.coreAPIVersions(serverAddress: "127.0.0.1:6443")
        #expect(document["kind"] == "APIVersions")
        #expect(document["versions"] == ["v1"])
        #expect(document["serverAddressByClientCIDRs"]?[0]?["serverAddress"] == "127.0.0.1:6443")
    }

    @Test("/apis lists built-in groups before custom groups with the preferred version first")
    func groupList() {
        let groups = discovery.groupList()["groups"]?.arrayValue ?? []
        #expect(groups.map { $0["name"]?.stringValue } == ["apps", "example.com"])
        let widgets = groups[1]
        #expect(widgets["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue } == ["v1", "v1beta1"])
        #expect(widgets["preferredVersion"] == ["groupVersion": "example.com/v1", "version": "v1"])
    }

    @Test("/apis/<group> is an APIGroup and unknown groups are absent")
    func singleGroup() {
        #expect(discovery.group(named: "apps")?["kind"] == "APIGroup")
        #expect(discovery.group(named: "apps")?["preferredVersion"]?["groupVersion"] == "apps/v1")
        #expect(discovery.group(named: "nope.io") == nil)
    }

    @Test("/api/v1 lists resources and their status subresources")
    func coreResourceList() throws {
        let list = try #require(discovery.resourceList(group: "", version: "v1"))
        #expect(list["kind"] == "APIResourceList")
        #expect(list["groupVersion"] == "v1")
        #expect(list["apiVersion"] == nil)
        let resources = list["resources"]?.arrayValue ?? []
        #expect(resources.compactMap { $0["name"]?.stringValue } == ["namespaces", "namespaces/status", "services", "services/status"])
        let services = resources[2]
        #expect(services["singularName"] == "service")
        #expect(services["namespaced"] == true)
        #expect(services["kind"] == "Service")
        #expect(services["shortNames"] == ["svc"])
        #expect(services["categories"] == ["all"])
        #expect(services["verbs"] == .array(ResourceDefinition.allVerbs.map(JSONValue.string)))
        #expect(resources[3]["verbs"] == ["get", "patch", "update"])
        #expect(resources[3]["singularName"] == "")
        #expect(resources[0]["namespaced"] == false)
    }

    @Test("named group resource lists carry apiVersion v1 and 404 for unserved versions")
    func groupResourceList() {
        #expect(discovery.resourceList(group: "example.com", version: "v1beta1")?["apiVersion"] == "v1")
        #expect(discovery.resourceList(group: "example.com", version: "v1beta1")?["groupVersion"] == "example.com/v1beta1")
        #expect(discovery.resourceList(group: "example.com", version: "v2") == nil)
    }

    @Test("storageVersionHash is the kube-apiserver digest of the storage version's group/version/kind")
    func storageVersionHash() {
        // base64(sha256("/v1/Service")[0..<8]), the value real clusters report for services.
        #expect(discovery.storageVersionHash(for: PresentationFixtures.service) == "0/CO1lhkEBI=")
        // Both served versions of a CRD report the hash of the storage version.
        #expect(discovery.storageVersionHash(for: PresentationFixtures.widgetV1beta1)
            == discovery.storageVersionHash(for: PresentationFixtures.widgetV1))
    }

    @Test("aggregated discovery for /apis describes resources per version", arguments: [AggregatedDiscoveryVersion.v2, .v2beta1])
    func aggregatedGroups(version: AggregatedDiscoveryVersion) throws {
        let document = discovery.aggregatedDiscovery(forCoreGroup: false, version: version)
        #expect(document["kind"] == "APIGroupDiscoveryList")
        #expect(document["apiVersion"] == .string("apidiscovery.k8s.io/\(version.rawValue)"))
        let items = document["items"]?.arrayValue ?? []
        #expect(items.map { $0[path: ["metadata", "name"]]?.stringValue } == ["apps", "example.com"])
        let widgetVersions = items[1]["versions"]?.arrayValue ?? []
        #expect(widgetVersions.map { $0["version"]?.stringValue } == ["v1", "v1beta1"])
        #expect(widgetVersions[0]["freshness"] == "Current")
        let widgets = try #require(widgetVersions[0]["resources"]?[0])
        #expect(widgets["resource"] == "widgets")
        #expect(widgets["responseKind"] == ["group": "example.com", "version": "v1", "kind": "Widget"])
        #expect(widgets["scope"] == "Namespaced")
        #expect(widgets["singularResource"] == "widget")
        #expect(widgets["shortNames"] == ["wd"])
        #expect(widgets["subresources"] == [[
            "subresource": "status", "responseKind": ["group": "example.com", "version": "v1", "kind": "Widget"],
            "verbs": ["get", "patch", "update"],
        ]])
        #expect(widgetVersions[1]["resources"]?[0]?["subresources"] == nil)
    }

    @Test("aggregated discovery for /api holds the core group only")
    func aggregatedCore() {
        let items = discovery.aggregatedDiscovery(forCoreGroup: true)["items"]?.arrayValue ?? []
        #expect(items.count == 1)
        #expect(items[0][path: ["metadata", "name"]] == nil)
        let resources = items[0]["versions"]?[0]?["resources"]?.arrayValue ?? []
        #expect(resources.compactMap { $0["resource"]?.stringValue } == ["namespaces", "services"])
        #expect(resources[0]["scope"] == "Cluster")
        #expect(resources[1]["responseKind"] == ["group": "", "version": "v1", "kind": "Service"])
    }

    @Test("/version claims Kubernetes 1.32")
    func version() {
        let document = ServerVersion().document
        #expect(document["major"] == "1")
        #expect(document["minor"] == "32")
        #expect(document["gitVersion"] == "v1.32.0-fleetnet")
        for key in ["gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"] {
            #expect(document[key]?.stringValue?.isEmpty == false, "missing \(key)")
        }
    }
}
