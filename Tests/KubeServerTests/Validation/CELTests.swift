import KubeModel
import Testing

@testable import KubeServer

@Suite("CEL subset")
struct CELTests {
    static let object: JSONValue = [
        "name": "web", "replicas": 3, "ratio": 0.5, "tags": ["a", "b", "c"],
        "labels": ["app": "web", "tier": "front"], "ports": [["port": 80], ["port": 443]],
    ]

    @Test("evaluates expressions to the expected value", arguments: [
        ("1 + 2 * 3 == 7", true),
        ("(1 + 2) * 3 == 9", true),
        ("7 / 2 == 3 && 7 % 2 == 1", true),
        ("-5 < 0", true),
        ("2.5 > 2", true),
        ("1 == 1.0", true),
        ("3u + 4u == 7u", true),
        ("'abc' + 'def' == 'abcdef'", true),
        ("\"a\\tb\".size() == 3", true),
        ("'\\u00e9' == 'é'", true),
        ("r'\\d' == '\\\\d'", true),
        ("'''multi\nline'''.contains('\\n')", true),
        ("self.name == 'web'", true),
        ("self.replicas >= 1 && self.replicas <= 10", true),
        ("has(self.name) && !has(self.missing)", true),
        ("size(self.tags) == 3 && self.tags.size() == 3", true),
        ("self.tags[1] == 'b'", true),
        ("'b' in self.tags", true),
        ("'app' in self.labels", true),
        ("self.labels['tier'] == 'front'", true),
        ("self.labels.app == 'web'", true),
        ("self.tags.all(t, t.size() == 1)", true),
        ("self.tags.exists(t, t == 'c')", true),
        ("self.tags.exists_one(t, t == 'a')", true),
        ("self.tags.map(t, t.upperAscii()) == ['A', 'B', 'C']", true),
        ("self.tags.filter(t, t != 'b') == ['a', 'c']", true),
        ("self.ports.map(p, p.port > 100, p.port) == [443]", true),
        ("self.labels.all(k, k.size() >= 3)", true),
        ("self.tags.isSorted()", true),
        ("self.name.startsWith('we') && self.name.endsWith('eb')", true),
        ("self.name.matches('^[a-z]+$')", true),
        ("'MiXeD'.lowerAscii() == 'mixed'", true),
        ("self.replicas > 5 ? false : true", true),
        ("int('42') == 42 && string(42) == '42' && double(1) == 1.0", true),
        ("type(self.name) == string && type(self.replicas) == int", true),
        ("[1, 2] + [3] == [1, 2, 3]", true),
        ("{'a': 1}['a'] == 1", true),
        ("null == null", true),
        ("self.ratio * 2.0 == 1.0", true),
        ("' x '.trim() == 'x' && 'a,b'.split(',') == ['a', 'b'] && ['a', 'b'].join('-') == 'a-b'", true),
        ("self.missing == 1 || true", true),
        ("false && self.missing == 1", false),
        ("self.tags.all(t, t == 'a')", false),
    ])
    func evaluates(_ source: String, _ expected: Bool) throws {
        let program = try CELProgram(compiling: source)
        let result = try program.evaluate(self: CELTests.object)
        guard case .bool(let value) = result else {
            Issue.record("\(source) did not evaluate to a bool: \(result)")
            return
        }
        #expect(value == expected, "\(source)")
    }

    @Test("rejects unknown functions and identifiers at compile time", arguments: [
        ("foo(self)", "ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')"),
        ("self.name.shout()", "ERROR: <input>:1:10: undeclared reference to 'shout' (in container '')"),
        ("other.x == 1", "ERROR: <input>:1:1: undeclared reference to 'other' (in container '')"),
        ("duration('1s') > duration('0s')", "ERROR: <input>:1:1: function 'duration' is not supported by this server's CEL subset"),
        ("self.x ==", "ERROR: <input>:1:10: Syntax error: mismatched input '<EOF>' expecting <expression>"),
        ("has(self)", "ERROR: <input>:1:5: invalid argument to has() macro"),
        ("'unterminated", "ERROR: <input>:1:1: unterminated string literal"),
    ])
    func rejects(_ source: String, _ message: String) {
        #expect(throws: CELCompileError.self) { try CELProgram(compiling: source) }
        do {
            _ = try CELProgram(compiling: source)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test("reports runtime errors as cel-go does", arguments: [
        ("self.missing == 1", "no such key: missing"),
        ("self.tags[5] == 'x'", "index out of bounds: 5"),
        ("self.replicas / 0 == 1", "division by zero"),
        ("self.name + 1 == 'x'", "no such overload"),
        ("9223372036854775807 + 1 > 0", "integer overflow"),
    ])
    func runtimeErrors(_ source: String, _ message: String) throws {
        let program = try CELProgram(compiling: source)
        #expect(throws: CELEvaluationError(message: message)) {
            try program.evaluate(self: CELTests.object)
        }
    }

    @Test("marks rules mentioning oldSelf as transition rules")
    func transitionRules() throws {
        #expect(try CELProgram(compiling: "self == oldSelf").isTransitionRule)
        #expect(try !CELProgram(compiling: "self.x == 1").isTransitionRule)
        let program = try CELProgram(compiling: "self >= oldSelf")
        #expect(try program.evaluate(self: 5, oldSelf: 3) == .bool(true) as CELValue?)
    }

    @Test("types integer fields stored as doubles as CEL ints")
    func integerDoubles() throws {
        var schema = StructuralSchema()
        schema.type = "integer"
        let program = try CELProgram(compiling: "type(self) == int && self == 3")
        #expect(try program.evaluate(self: .double(3), schema: schema) == .bool(true) as CELValue?)
    }
}

extension CELValue: Equatable {
    public static func == (lhs: CELValue, rhs: CELValue) -> Bool { lhs.isEqual(to: rhs) && lhs.typeName == rhs.typeName }
}
