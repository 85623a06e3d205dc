import Testing
@testable import KubeServer

@Suite("Accept header negotiation")
struct MediaTypeNegotiationTests {
    static let kubectlDiscoveryAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
    static let kubectlTableAccept =
        "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"

    @Test("discovery format", arguments: [
        (kubectlDiscoveryAccept, DiscoveryFormat.aggregated(.v2)),
        ("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json", .aggregated(.v2beta1)),
        ("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json", .legacy),
        ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", .legacy),
        ("application/json, */*", .legacy),
        ("*/*", .legacy),
        ("application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", .aggregated(.v2)),
    ])
    func discovery(accept: String, expected: DiscoveryFormat) {
        #expect(DiscoveryFormat.negotiate(acceptHeader: accept) == expected)
    }

    @Test("missing Accept gives legacy discovery; unservable Accept gives nothing")
    func discoveryEdges() {
        #expect(DiscoveryFormat.negotiate(acceptHeader: nil) == .legacy)
        #expect(DiscoveryFormat.negotiate(acceptHeader: "application/vnd.kubernetes.protobuf") == nil)
        #expect(DiscoveryFormat.negotiate(acceptHeader: "text/html") == nil)
    }

    @Test("aggregated discovery answers with the exact content type kubectl matches")
    func discoveryContentType() {
        #expect(DiscoveryFormat.aggregated(.v2).contentType == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
        #expect(DiscoveryFormat.aggregated(.v2beta1).contentType == "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")
        #expect(DiscoveryFormat.legacy.contentType == "application/json")
    }

    @Test("table representation", arguments: [
        (kubectlTableAccept, ResponseRepresentation.table(version: "v1")),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json", .table(version: "v1beta1")),
        ("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", .object),
        ("application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json", .object),
        ("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", .object),
        ("application/json", .object),
    ])
    func table(accept: String, expected: ResponseRepresentation) {
        #expect(ResponseRepresentation.negotiate(acceptHeader: accept) == expected)
    }

    @Test("table only, not in a servable form, is not acceptable")
    func tableNotAcceptable() {
        #expect(ResponseRepresentation.negotiate(acceptHeader: "application/json;as=Table;v=v2;g=meta.k8s.io") == nil)
        #expect(ResponseRepresentation.table(version: "v1").contentType == "application/json;as=Table;v=v1;g=meta.k8s.io")
    }

    @Test("includeObject query values", arguments: [
        (String?.none, IncludeObjectPolicy?.some(.metadata)), ("", .metadata), ("None", IncludeObjectPolicy.none),
        ("Metadata", .metadata), ("Object", .object), ("object", nil), ("All", nil),
    ])
    func includeObject(value: String?, expected: IncludeObjectPolicy?) {
        #expect(IncludeObjectPolicy(queryValue: value) == expected)
    }
}
