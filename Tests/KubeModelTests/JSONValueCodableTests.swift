import Foundation
import Testing

@testable import KubeModel

@Suite struct JSONValueCodableTests {
    struct Wrapper: Codable, Equatable {
        var name: String
        var schema: JSONValue
    }

    @Test func typedStructsCarryFreeFormJSON() throws {
        let document: JSONValue = [
            "name": "x",
            "schema": ["type": "object", "properties": ["n": ["type": "integer", "maximum": 10.5]], "nullable": true, "x": nil],
        ]
        let wrapper: Wrapper = try document.decode()
        #expect(wrapper.name == "x")
        #expect(wrapper.schema["properties"]?["n"]?["maximum"] == .double(10.5))
        #expect(wrapper.schema["nullable"] == .bool(true))
        #expect(wrapper.schema["x"] == .null)
        #expect(try JSONValue(encoding: wrapper) == document)
    }

    @Test func integersStayIntegersThroughFoundation() throws {
        let data = try JSONEncoder().encode(JSONValue.array([.int(80), .double(0.5), .string("80")]))
        let decoded = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(decoded == [80, 0.5, "80"])
    }

    @Test func decodingTheWrongShapeThrows() {
        let document: JSONValue = ["name": 5, "schema": [:]]
        #expect(throws: DecodingError.self) { try document.decode(as: Wrapper.self) }
    }
}
