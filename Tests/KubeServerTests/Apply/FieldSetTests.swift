import KubeModel
import Testing

@testable import KubeServer

@Suite("fieldsV1 encoding")
struct FieldSetTests {
    // Structure as kubectl shows it for a Service written by client-side apply; values are ours.
    static let serviceFieldsV1 =
        #"{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}},"#
        + #""f:labels":{".":{},"f:app":{}}},"f:spec":{"f:ports":{".":{},"k:{\"port\":8080,\"protocol\":\"TCP\"}":"#
        + #"{".":{},"f:name":{},"f:port":{},"f:protocol":{},"f:targetPort":{}}},"f:selector":{},"#
        + #""f:type":{}}}"#

    @Test("the Service fieldsV1 document round-trips, written in SMD byte order with \".\" last")
    func serviceRoundTrip() throws {
        let set = try FieldSet(fieldsV1JSON: Self.serviceFieldsV1)
        #expect(set.fieldsV1 == (try JSONText.decode(Self.serviceFieldsV1)))
        #expect(try FieldSet(fieldsV1JSON: set.fieldsV1JSON) == set)
        #expect(set.fieldsV1JSON.hasPrefix(#"{"f:metadata":{"f:annotations":{"f:kubectl.kubernetes.io/last-applied-configuration":{},".":{}}"#))
        #expect(set.contains(ObjectPath(fields: "metadata", "labels")))
        #expect(!set.contains(ObjectPath(fields: "metadata")))
        let port = ObjectPath([
            .field("spec"), .field("ports"),
            .key([.init(name: "port", value: 8080), .init(name: "protocol", value: "TCP")]), .field("targetPort"),
        ])
        #expect(set.contains(port))
        #expect(port.description == #".spec.ports[port=8080,protocol="TCP"].targetPort"#)
    }

    @Test(
        "path elements parse and serialize",
        arguments: [
            "f:spec", #"k:{"name":"web"}"#, #"k:{"containerPort":80,"protocol":"UDP"}"#, #"v:"example.com/guard""#,
            "i:3",
        ])
    func elementRoundTrip(text: String) throws {
        let element = try #require(try ObjectPath.Element(serialized: text))
        #expect(element.serialized == text)
    }

    @Test("keys are written with sorted field names whatever the input order")
    func keyOrder() throws {
        let element = try #require(try ObjectPath.Element(serialized: #"k:{"protocol":"TCP","port":80}"#))
        #expect(element.serialized == #"k:{"port":80,"protocol":"TCP"}"#)
    }

    @Test("union, intersection and difference act on member paths")
    func algebra() {
        let replicas = ObjectPath(fields: "spec", "replicas")
        let image = ObjectPath(fields: "spec", "image")
        let labels = ObjectPath(fields: "metadata", "labels")
        let left = FieldSet([replicas, image])
        let right = FieldSet([image, labels])
        #expect(left.union(right).paths == [labels, image, replicas])
        #expect(left.intersection(right).paths == [image])
        #expect(left.subtracting(right).paths == [replicas])
        #expect(left.subtracting(left).isEmpty)
    }
}
