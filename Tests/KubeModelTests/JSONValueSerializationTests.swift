import Testing

@testable import KubeModel

@Suite struct JSONValueSerializationTests {
    @Test(arguments: [
        (1.0, "1"),
        (-1.0, "-1"),
        (0.5, "0.5"),
        (0.1, "0.1"),
        (123456789.0, "123456789"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.25e-10, "1.25e-10"),
        (9007199254740993.0, "9007199254740992"),
        (3.14159, "3.14159"),
        (0.0, "0"),
    ])
    func formatsDoublesAsGoDoes(number: Double, expected: String) {
        #expect(JSONValue.double(number).jsonString == expected)
    }

    @Test func sortsKeysAndWritesCompactJSON() {
        let value: JSONValue = ["b": [1, true, nil], "a": ["z": "y", "c": 2.5]]
        #expect(value.jsonString == #"{"a":{"c":2.5,"z":"y"},"b":[1,true,null]}"#)
    }

    @Test func escapesControlCharactersButNotSlash() {
        let value = JSONValue.string("a/b\"c\\d\n\t\r\u{8}\u{C}\u{1}\u{1F}é\u{2028}<>&")
        #expect(value.jsonString == #""a/b\"c\\d\n\t\r\b\f\u0001\u001fé\u2028<>&""#)
    }

    @Test(arguments: [
        #"{"apiVersion":"v1","kind":"Service","metadata":{"labels":{"app":"web"},"name":"x"},"spec":{"ports":[{"port":80,"targetPort":"http"}]}}"#,
        #"[1,-2,0.25,"\u0000",{"":null},[],{}]"#,
        #"{"emoji":"😀","n":-9223372036854775808}"#,
    ])
    func roundTripsThroughParseAndSerialize(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.jsonString == text)
        #expect(try JSONValue(parsing: value.serialized(sortedKeys: false)) == value)
    }
}
