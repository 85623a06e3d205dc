import Testing

@testable import KubeModel

@Suite struct JSONValueParsingTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        (" false ", .bool(false)),
        ("0", .int(0)),
        ("-12", .int(-12)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808)),
        ("1.5", .double(1.5)),
        ("1e3", .double(1000)),
        ("-2.5E-3", .double(-0.0025)),
        ("\"a\\u00e9\\n\\/\"", .string("aé\n/")),
        ("[]", .array([])),
        ("{}", .object([:])),
        ("[1, \"x\", {\"k\": [null]}]", .array([.int(1), .string("x"), .object(["k": .array([.null])])])),
    ])
    func parsesValidDocuments(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }

    @Test func decodesSurrogatePairsAndReplacesLoneSurrogates() throws {
        #expect(try JSONValue(parsing: "\"\\ud83d\\ude00\"") == .string("😀"))
        #expect(try JSONValue(parsing: "\"\\ud83dx\"") == .string("\u{FFFD}x"))
        #expect(try JSONValue(parsing: "\"\\ude00\"") == .string("\u{FFFD}"))
    }

    @Test func keepsLastValueForDuplicateKeys() throws {
        #expect(try JSONValue(parsing: "{\"a\":1,\"a\":2}") == ["a": 2])
    }

    @Test(arguments: [
        ("{\"a\": x}", "invalid character 'x' looking for beginning of value", 6),
        ("[1,2", "unexpected end of JSON input", 4),
        ("{\"a\" 1}", "invalid character '1' after object key", 5),
        ("{\"a\":1 \"b\":2}", "invalid character '\"' after object key:value pair", 7),
        ("[1 2]", "invalid character '2' after array element", 3),
        ("{1:2}", "invalid character '1' looking for beginning of object key string", 1),
        ("{} {}", "invalid character '{' after top-level value", 3),
        ("tru", "unexpected end of JSON input", 3),
        ("trUe", "invalid character 'U' in literal true (expecting 'u')", 2),
        ("01", "invalid character '1' after top-level value", 1),
        ("1.", "unexpected end of JSON input", 2),
        ("1.x", "invalid character 'x' after decimal point in numeric literal", 2),
        ("1e+", "unexpected end of JSON input", 3),
        ("-a", "invalid character 'a' in numeric literal", 1),
        ("\"a\nb\"", "invalid character '\\n' in string literal", 2),
        ("\"\\q\"", "invalid character 'q' in string escape code", 2),
        ("\"\\u12g4\"", "invalid character 'g' in \\u hexadecimal character escape", 5),
        ("", "unexpected end of JSON input", 0),
    ])
    func reportsGoStyleErrorsWithOffsets(text: String, message: String, offset: Int) {
        #expect(throws: JSONParseError(message: message, offset: offset)) {
            try JSONValue(parsing: text)
        }
    }

    @Test func errorDescriptionNamesTheOffset() {
        let error = JSONParseError(message: "invalid character 'x' looking for beginning of value", offset: 12)
        #expect(error.description == "invalid character 'x' looking for beginning of value at offset 12")
    }

    @Test func rejectsNestingBeyondTheDepthLimitWithoutCrashing() throws {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let limit = JSONValue.maximumParsingDepth
        #expect(throws: JSONParseError(message: "exceeded max depth", offset: limit)) {
            try JSONValue(parsing: String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1))
        }
        // The deepest accepted document must survive everything done with parsed bodies.
        let deepest = try JSONValue(parsing: String(repeating: "{\"a\":", count: limit) + "1" + String(repeating: "}", count: limit))
        #expect(deepest == deepest)
        #expect(try JSONValue(parsing: deepest.serialized()) == deepest)
        #expect(JSONMergePatch.apply(deepest, to: deepest) == deepest)
        #expect(try StrategicMergePatch.apply(deepest, to: deepest, schema: .untagged) == deepest)
    }

    @Test func parsesNonContiguousCollections() throws {
        let bytes = "{\"a\":[1,2]}".utf8.reversed().reversed()
        #expect(try JSONValue(parsing: bytes) == ["a": [1, 2]])
    }
}
