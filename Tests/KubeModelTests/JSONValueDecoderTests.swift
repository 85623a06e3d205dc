import Foundation
import Testing

@testable import KubeModel

/// JSONValueDecoder decodes what Foundation's JSONDecoder decodes, the same way, straight from
/// the parsed tree.
@Suite struct JSONValueDecoderTests {
    enum Mode: String, Codable, Hashable { case fast, slow }

    struct Sample: Codable, Hashable {
        var name: String
        var count: Int32
        var big: Int64?
        var ratio: Double
        var flag: Bool?
        var mode: Mode
        var tags: [String]?
        var nested: [[Int]]
        var maybe: [String?]
        var blob: Data?
        var byName: [String: Int]?
        var free: JSONValue?
        var time: Time?
        var port: IntOrString?
        var missing: String?
    }

    static let document = #"""
        {"name":"a","count":3,"big":9007199254740993,"ratio":0.25,"flag":null,"mode":"slow","tags":["x","y"],
         "nested":[[1,2],[],[3]],"maybe":["p",null],"blob":"aGVsbG8=","byName":{"k":1},
         "free":{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"n":[1,2.5,"s",true,null]},
         "time":"2024-05-01T12:00:00Z","port":"http","extra":"ignored"}
        """#

    @Test func decodesLikeFoundation() throws {
        let bytes = Array(Self.document.utf8)
        let foundation = try JSONDecoder().decode(Sample.self, from: Data(bytes))
        let tree = try JSONValueDecoder().decode(Sample.self, from: JSONValue(parsing: bytes))
        #expect(tree == foundation)
        #expect(tree.big == 9_007_199_254_740_993)
        #expect(tree.blob == Data("hello".utf8))
        #expect(tree.free?["n"] == [1, 2.5, "s", true, nil])
        #expect(tree.maybe == ["p", nil])
        #expect(tree.flag == nil && tree.missing == nil)
        #expect(tree.port == .string("http"))
    }

    @Test func typedKindsWithManagedFieldsDecodeLikeFoundation() throws {
        let text = #"""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","addressType":"IPv4",
             "metadata":{"name":"web-x","namespace":"work","labels":{"kubernetes.io/service-name":"web"},
               "managedFields":[{"manager":"c","operation":"Update","apiVersion":"discovery.k8s.io/v1","time":"2024-05-01T12:00:00Z",
                 "fieldsType":"FieldsV1","fieldsV1":{"f:endpoints":{},"f:metadata":{"f:labels":{".":{},"f:kubernetes.io/service-name":{}}}}}]},
             "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":true,"serving":true,"terminating":false}}],
             "ports":[{"name":"http","protocol":"TCP","port":8080}]}
            """#
        let bytes = Array(text.utf8)
        let foundation = try JSONDecoder().decode(EndpointSlice.self, from: Data(bytes))
        let tree = try JSONValue(parsing: bytes).decode(as: EndpointSlice.self)
        #expect(tree == foundation)
        #expect(tree.metadata.managedFields?.first?.fieldsV1?["f:endpoints"] == .emptyObject)
    }

    @Test func integralFloatsDecodeAsIntegersAndOtherNumbersDoNot() throws {
        struct Port: Codable { var port: Int32 }
        #expect(try JSONValue(["port": 80.0]).decode(as: Port.self).port == 80)
        #expect(throws: DecodingError.self) { try JSONValue(["port": 80.5]).decode(as: Port.self) }
        #expect(throws: DecodingError.self) { try JSONValue(["port": .int(Int64(Int32.max) + 1)]).decode(as: Port.self) }
        #expect(throws: DecodingError.self) { try JSONValue(["port": "80"]).decode(as: Port.self) }
    }

    @Test func errorsNameThePath() throws {
        struct Inner: Codable { var value: Int }
        struct Outer: Codable { var items: [Inner] }
        do {
            _ = try JSONValue(["items": [["value": 1], ["value": "two"]]]).decode(as: Outer.self)
            Issue.record("decoding a string as Int succeeded")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["items", "Index 1", "value"])
        }
        do {
            _ = try JSONValue(["items": [["other": 1]]]).decode(as: Outer.self)
            Issue.record("a missing required key decoded")
        } catch DecodingError.keyNotFound(let key, let context) {
            #expect(key.stringValue == "value")
            #expect(context.codingPath.map(\.stringValue) == ["items", "Index 0"])
        }
        do {
            _ = try JSONValue(["items": nil]).decode(as: Outer.self)
            Issue.record("null decoded as an array")
        } catch DecodingError.valueNotFound {}
        #expect(throws: DecodingError.self) { try JSONValue(["blob": "not base64!"]).decode(as: [String: Data].self) }
    }
}

extension JSONValue {
    fileprivate init(_ members: [String: JSONValue]) { self = .object(members) }
}
