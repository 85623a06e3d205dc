import Testing

@testable import KubeModel

@Suite struct JSONMergePatchTests {
    /// RFC 7386 Appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"a":1,"e":null}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func appliesTheRFCExamples(original: String, patch: String, expected: String) throws {
        let result = JSONMergePatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: original))
        #expect(result == (try JSONValue(parsing: expected)))
    }

    @Test(arguments: [
        (#"{"a":1,"b":{"c":2,"d":3},"e":[1]}"#, #"{"a":1,"b":{"c":5},"e":[1,2],"f":"new"}"#),
        (#"{"metadata":{"labels":{"x":"1"}}}"#, #"{"metadata":{}}"#),
        (#"{"a":{"b":1}}"#, #"{"a":"flat"}"#),
        (#"{"a":1}"#, #"{"a":1}"#),
    ])
    func diffProducesAPatchThatReproducesTheTarget(original: String, modified: String) throws {
        let from = try JSONValue(parsing: original)
        let to = try JSONValue(parsing: modified)
        let patch = JSONMergePatch.diff(from: from, to: to)
        #expect(JSONMergePatch.apply(patch, to: from) == to)
    }

    @Test func diffIsMinimal() throws {
        let patch = JSONMergePatch.diff(
            from: ["metadata": ["name": "x", "labels": ["a": "1", "b": "2"]], "spec": ["n": 1]],
            to: ["metadata": ["name": "x", "labels": ["a": "1", "c": "3"]], "spec": ["n": 1.0]])
        #expect(patch == ["metadata": ["labels": ["b": nil, "c": "3"]]])
        #expect(JSONMergePatch.diff(from: ["a": 1], to: ["a": 1]) == .emptyObject)
    }
}

@Suite struct JSONPatchTests {
    /// RFC 6902 Appendix A examples that succeed.
    @Test(arguments: [
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux"}]"#, #"{"baz":"qux","foo":"bar"}"#),
        (#"{"foo":["bar","baz"]}"#, #"[{"op":"add","path":"/foo/1","value":"qux"}]"#, #"{"foo":["bar","qux","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"remove","path":"/baz"}]"#, #"{"foo":"bar"}"#),
        (#"{"foo":["bar","qux","baz"]}"#, #"[{"op":"remove","path":"/foo/1"}]"#, #"{"foo":["bar","baz"]}"#),
        (#"{"baz":"qux","foo":"bar"}"#, #"[{"op":"replace","path":"/baz","value":"boo"}]"#, #"{"baz":"boo","foo":"bar"}"#),
        (#"{"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}"#, #"[{"op":"move","from":"/foo/waldo","path":"/qux/thud"}]"#,
         #"{"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}}"#),
        (#"{"foo":["all","grass","cows","eat"]}"#, #"[{"op":"move","from":"/foo/1","path":"/foo/3"}]"#, #"{"foo":["all","cows","eat","grass"]}"#),
        (#"{"baz":"qux","foo":["a",2,"c"]}"#, #"[{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}]"#,
         #"{"baz":"qux","foo":["a",2,"c"]}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/child","value":{"grandchild":{}}}]"#, #"{"foo":"bar","child":{"grandchild":{}}}"#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz","value":"qux","xyz":123}]"#, #"{"foo":"bar","baz":"qux"}"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":10}]"#, #"{"/":9,"~1":10}"#),
        (#"{"foo":["bar"]}"#, #"[{"op":"add","path":"/foo/-","value":["abc","def"]}]"#, #"{"foo":["bar",["abc","def"]]}"#),
        (#"{"a/b":{"c~d":1}}"#, #"[{"op":"copy","from":"/a~1b/c~0d","path":"/e"}]"#, #"{"a/b":{"c~d":1},"e":1}"#),
        (#"{"a":1}"#, #"[{"op":"replace","path":"","value":[1]}]"#, #"[1]"#),
        (#"{"n":1}"#, #"[{"op":"test","path":"/n","value":1.0}]"#, #"{"n":1}"#),
    ])
    func appliesTheRFCExamples(original: String, patch: String, expected: String) throws {
        let result = try JSONPatch.apply(try JSONValue(parsing: patch), to: try JSONValue(parsing: original))
        #expect(result == (try JSONValue(parsing: expected)))
    }

    @Test(arguments: [
        (#"{"baz":"qux"}"#, #"[{"op":"test","path":"/baz","value":"bar"}]"#,
         #"operation 0 (test) at "/baz": test failed: value is "qux", expected "bar""#),
        (#"{"foo":"bar"}"#, #"[{"op":"add","path":"/baz/bat","value":"qux"}]"#,
         #"operation 0 (add) at "/baz/bat": member "baz" does not exist"#),
        (#"{"/":9,"~1":10}"#, #"[{"op":"test","path":"/~01","value":"10"}]"#,
         #"operation 0 (test) at "/~01": test failed: value is 10, expected "10""#),
        (#"{"a":[1]}"#, #"[{"op":"add","path":"/a/-","value":2},{"op":"remove","path":"/a/5"}]"#,
         #"operation 1 (remove) at "/a/5": array index "5" is out of bounds (length 2)"#),
        (#"{"a":[1]}"#, #"[{"op":"add","path":"/a/01","value":2}]"#,
         #"operation 0 (add) at "/a/01": array index "01" is out of bounds (length 1)"#),
        (#"{"a":{}}"#, #"[{"op":"replace","path":"/a/b","value":2}]"#, #"operation 0 (replace) at "/a/b": path does not exist"#),
        (#"{"a":{"b":1}}"#, #"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, #"operation 0 (move) at "/a/b/c": cannot move "/a" into its own child"#),
        (#"{}"#, #"[{"op":"remove","path":"/x"}]"#, #"operation 0 (remove) at "/x": member "x" does not exist"#),
        (#"{}"#, #"[{"op":"jump","path":"/x"}]"#, #"operation 0: unsupported operation "jump""#),
        (#"{}"#, #"[{"op":"add","path":"/x"}]"#, #"operation 0 (add) at "/x": missing "value""#),
        (#"{}"#, #"[{"op":"add","path":"x","value":1}]"#, #"operation 0 (add): JSON pointer "x" must be empty or start with "/""#),
        (#"{}"#, #"{"op":"add"}"#, "json patch must be an array of operations, got object"),
    ])
    func reportsWhichOperationFailed(original: String, patch: String, message: String) throws {
        let document = try JSONValue(parsing: original)
        let patchDocument = try JSONValue(parsing: patch)
        #expect(throws: JSONPatchError(message: message)) { try JSONPatch.apply(patchDocument, to: document) }
    }

    @Test func pointersRoundTripTheirEscapes() throws {
        let pointer = try JSONPointer(parsing: "/metadata/annotations/example.com~1a~0b")
        #expect(pointer.tokens == ["metadata", "annotations", "example.com/a~b"])
        #expect(pointer.description == "/metadata/annotations/example.com~1a~0b")
        #expect(throws: JSONPatchError.self) { try JSONPointer(parsing: "/a~2") }
    }

    @Test func operationsSerialiseBackToPatchDocuments() throws {
        let text = #"[{"op":"test","path":"/metadata/finalizers/0","value":"x"},{"op":"remove","path":"/metadata/finalizers/0"},{"from":"/a","op":"move","path":"/b"}]"#
        let patch = try JSONPatch(try JSONValue(parsing: text))
        #expect(JSONValue.array(patch.operations.map(\.jsonValue)).jsonString == text)
    }
}
