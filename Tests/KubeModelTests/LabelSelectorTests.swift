import Testing

@testable import KubeModel

@Suite struct LabelSelectorTests {
    @Test(arguments: [
        ("", ""),
        ("a=b", "a=b"),
        ("a==b", "a==b"),
        ("a!=b", "a!=b"),
        (" x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("b,!a", "!a,b"),
        ("in in (in,notin)", "in in (in,notin)"),
        ("replicas>1,age<10", "age<10,replicas>1"),
        ("app.kubernetes.io/name=web", "app.kubernetes.io/name=web"),
        ("a=", "a="),
        ("tier in (b, a)", "tier in (a,b)"),
    ])
    func parsesAndRendersCanonically(text: String, canonical: String) throws {
        let matcher = try LabelMatcher(parsing: text)
        #expect(matcher.description == canonical)
        #expect(try LabelMatcher(parsing: canonical) == matcher)
    }

    @Test(arguments: [
        ("a=b", ["a": "b"], true),
        ("a=b", ["a": "c"], false),
        ("a=b", [:], false),
        ("a!=b", [:], true),
        ("a!=b", ["a": "b"], false),
        ("a in (x,y)", ["a": "y"], true),
        ("a notin (x)", ["a": "x"], false),
        ("a notin (x)", [:], true),
        ("a", ["a": ""], true),
        ("!a", ["a": ""], false),
        ("!a", ["b": "c"], true),
        ("a>1", ["a": "2"], true),
        ("a>1", ["a": "1"], false),
        ("a<10", ["a": "x"], false),
        ("a=,b", ["a": "", "b": "1"], true),
        ("a=b,c", ["a": "b"], false),
    ] as [(String, [String: String], Bool)])
    func matchesLabelSets(text: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelMatcher(parsing: text).matches(labels) == expected)
    }

    @Test(arguments: [
        ("a=b,", "found '', expected: identifier after ','"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("a in x", "unable to parse requirement: found 'x' expected: '('"),
        ("a in (x", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"),
        ("a in", "unable to parse requirement: found '' expected: '('"),
        ("a =! b", "unable to parse requirement: found '!', expected: identifier"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("x/y/z=1", "unable to parse requirement: <nil>: Invalid value: \"x/y/z\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
        ("-a=1", "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("Example.com/a=1", "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
        ("a=b-", "unable to parse requirement: values[0][a]: Invalid value: \"b-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ])
    func rejectsMalformedSelectorsWithApimachineryMessages(text: String, message: String) {
        #expect(throws: LabelSelectorError(message: message)) { try LabelMatcher(parsing: text) }
        do {
            _ = try LabelMatcher(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func rejectsOverlongKeysAndValues() {
        let long = String(repeating: "a", count: 64)
        #expect(throws: LabelSelectorError.self) { try LabelMatcher(parsing: "\(long)=1") }
        #expect(throws: LabelSelectorError.self) { try LabelMatcher(parsing: "a=\(long)") }
        #expect((try? LabelMatcher(parsing: "\(String(repeating: "a", count: 63))=1")) != nil)
    }

    @Test func convertsSelectorObjects() throws {
        let selector = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [
                LabelSelectorRequirement(key: "tier", operator: "In", values: ["b", "a"]),
                LabelSelectorRequirement(key: "legacy", operator: "DoesNotExist"),
                LabelSelectorRequirement(key: "env", operator: "Exists"),
                LabelSelectorRequirement(key: "zone", operator: "NotIn", values: ["z9"]),
            ])
        let matcher = try LabelMatcher(selector)
        #expect(matcher.description == "app=web,env,!legacy,tier in (a,b),zone notin (z9)")
        #expect(matcher.matches(["app": "web", "tier": "a", "env": "prod"]))
        #expect(!matcher.matches(["app": "web", "tier": "a", "env": "prod", "legacy": "1"]))
        #expect(!matcher.matches(["app": "web", "tier": "c", "env": "prod"]))
    }

    @Test func emptySelectorMatchesEverythingAndNilMatchesNothing() throws {
        #expect(try LabelMatcher(LabelSelector()).matches([:]))
        #expect(try LabelMatcher(LabelSelector()).isEverything)
        #expect(try !LabelMatcher(nil as LabelSelector?).matches([:]))
        #expect(try !LabelMatcher(nil as LabelSelector?).matches(["a": "b"]))
    }

    @Test func rejectsInvalidSelectorObjects() {
        #expect(throws: LabelSelectorError(message: "\"Equals\" is not a valid label selector operator")) {
            try LabelMatcher(LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "Equals", values: ["b"])]))
        }
        // The bad-value rendering of lists is FieldError's (Go would print `[]string{}`), so only
        // the field and the detail are checked here.
        do {
            _ = try LabelMatcher(LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: "In", values: [])]))
            Issue.record("an In requirement without values must be rejected")
        } catch {
            #expect(error.errors.map(\.field) == ["values"])
            #expect(error.description.hasSuffix("for 'in', 'notin' operators, values set can't be empty"))
        }
    }

    @Test func buildsExactMatchSelectorsFromLabelSets() {
        let matcher = LabelMatcher(matchingLabels: ["b": "2", "a": "1"])
        #expect(matcher.description == "a=1,b=2")
        #expect(matcher.requiredValue(forKey: "b") == "2")
        #expect(LabelMatcher(matchingLabels: [:]).isEverything)
    }
}

@Suite struct FieldSelectorTests {
    @Test(arguments: [
        ("metadata.name=x,metadata.namespace!=y", ["metadata.name": "x", "metadata.namespace": "z"], true),
        ("metadata.name=x,metadata.namespace!=y", ["metadata.name": "x", "metadata.namespace": "y"], false),
        ("metadata.name==x", ["metadata.name": "x"], true),
        ("spec.nodeName=", [:], true),
        ("spec.nodeName!=", ["spec.nodeName": "n1"], true),
        ("", ["a": "b"], true),
        ("a=x\\,y", ["a": "x,y"], true),
    ] as [(String, [String: String], Bool)])
    func matchesFieldSets(text: String, fields: [String: String], expected: Bool) throws {
        let matcher = try FieldMatcher(parsing: text)
        #expect(matcher.matches(fields) == expected)
        #expect(matcher.matches { fields[$0] } == expected)
    }

    @Test func rendersSortedAndEscaped() throws {
        let matcher = try FieldMatcher(parsing: "b!=2,a==x\\=y")
        #expect(matcher.description == "a=x\\=y,b!=2")
        #expect(matcher.requiredValue(forField: "a") == "x=y")
        #expect(matcher.requiredValue(forField: "b") == nil)
    }

    @Test(arguments: [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("a=b=c", "invalid field selector: unescaped character in value: ="),
        ("a=b\\x", "invalid field selector: invalid escape sequence: \\x"),
    ])
    func rejectsMalformedSelectors(text: String, message: String) {
        #expect(throws: FieldSelectorError(message: message)) { try FieldMatcher(parsing: text) }
    }
}
