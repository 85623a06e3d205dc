import KubeModel
import Testing

@testable import KubeServer

@Suite("Names and ObjectMeta")
struct ObjectMetaValidationTests {
    static let subdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let labelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    @Test("accepts valid DNS-1123 subdomains", arguments: ["a", "example.com", "a-b.c-d", "0abc", String(repeating: "a", count: 63) + "." + String(repeating: "b", count: 63)])
    func validSubdomains(_ name: String) {
        #expect(NameValidation.dns1123SubdomainProblems(name).isEmpty)
    }

    @Test("rejects invalid DNS-1123 subdomains", arguments: ["Foo", "-a", "a-", "a..b", "a_b", "", "a.b."])
    func invalidSubdomains(_ name: String) {
        #expect(NameValidation.dns1123SubdomainProblems(name) == [ObjectMetaValidationTests.subdomainMessage])
    }

    @Test("limits subdomains to 253 and labels to 63 characters")
    func lengths() {
        #expect(NameValidation.dns1123SubdomainProblems(String(repeating: "a.", count: 127) + "a") == ["must be no more than 253 characters"])
        #expect(NameValidation.dns1123LabelProblems(String(repeating: "a", count: 64)) == ["must be no more than 63 characters"])
        #expect(NameValidation.dns1123LabelProblems("a.b") == [ObjectMetaValidationTests.labelMessage])
        #expect(NameValidation.dns1123LabelProblems("my-name").isEmpty)
    }

    @Test("path segment names", arguments: [
        (".", ["may not be '.'"]), ("..", ["may not be '..'"]), ("a/b%c", ["may not contain '/'", "may not contain '%'"]),
        ("system:admin", []), ("Foo Bar", []),
    ])
    func pathSegments(_ name: String, _ problems: [String]) {
        #expect(NameValidation.pathSegmentProblems(name) == problems)
    }

    @Test("qualified names for label and annotation keys", arguments: [
        ("app", [String]()), ("example.com/My_Name-1", []), ("a.b", []),
        ("/name", ["prefix part must be non-empty"]),
        ("a/b/c", ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]),
        ("example.com/", ["name part must be non-empty", "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]),
        ("Bad.Prefix/x", ["prefix part " + subdomainMessage]),
        (String(repeating: "k", count: 64), ["name part must be no more than 63 characters"]),
    ])
    func qualifiedNames(_ key: String, _ problems: [String]) {
        #expect(NameValidation.qualifiedNameProblems(key) == problems)
    }

    @Test("label values", arguments: [
        ("", [String]()), ("MyValue", []), ("my_value.1", []),
        ("-bad", ["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]),
        (String(repeating: "v", count: 64), ["must be no more than 63 characters"]),
    ])
    func labelValues(_ value: String, _ problems: [String]) {
        #expect(NameValidation.labelValueProblems(value) == problems)
    }

    @Test("requires a name or generateName")
    func nameRequired() {
        #expect(validateObjectMeta([:], isNamespaced: false, nameRule: .dnsSubdomain).map(\.description) == [
            "metadata.name: Required value: name or generateName is required",
        ])
        #expect(validateObjectMeta(["generateName": "web-"], isNamespaced: false, nameRule: .dnsSubdomain).isEmpty)
    }

    @Test("reports an invalid name with apimachinery's message")
    func invalidName() {
        #expect(validateObjectMeta(["name": "Foo"], isNamespaced: false, nameRule: .dnsSubdomain).map(\.description) == [
            "metadata.name: Invalid value: \"Foo\": \(ObjectMetaValidationTests.subdomainMessage)",
        ])
    }

    @Test("requires or forbids the namespace by scope")
    func namespaceScope() {
        #expect(validateObjectMeta(["name": "a"], isNamespaced: true, nameRule: .dnsSubdomain).map(\.description) == ["metadata.namespace: Required value"])
        #expect(validateObjectMeta(["name": "a", "namespace": "ns"], isNamespaced: false, nameRule: .dnsSubdomain).map(\.description) == [
            "metadata.namespace: Forbidden: not allowed on this type",
        ])
        #expect(validateObjectMeta(["name": "a", "namespace": "ns"], isNamespaced: true, nameRule: .dnsSubdomain).isEmpty)
    }

    @Test("validates labels, annotations, finalizers and owner references")
    func metadataFields() {
        let metadata: JSONValue = [
            "name": "a",
            "labels": ["good": "ok", "bad key!": "v"],
            "annotations": ["Example.com/Key": "fine"],
            "finalizers": ["example.com/cleanup", "bad/finalizer/name"],
            "ownerReferences": [["apiVersion": "apps/v1", "kind": "", "name": "x", "uid": ""]],
        ]
        let errors = validateObjectMeta(metadata, isNamespaced: false, nameRule: .dnsSubdomain).map(\.description)
        #expect(errors.count == 4)
        #expect(errors.contains { $0.hasPrefix("metadata.labels: Invalid value: \"bad key!\": name part must consist of") })
        #expect(errors.contains { $0.hasPrefix("metadata.finalizers: Invalid value: \"bad/finalizer/name\": a qualified name") })
        #expect(errors.contains("metadata.ownerReferences.kind: Invalid value: \"\": kind must not be empty"))
        #expect(errors.contains("metadata.ownerReferences.uid: Invalid value: \"\": uid must not be empty"))
    }

    @Test("limits the total annotation size to 256 KiB")
    func annotationSize() {
        let big: JSONValue = ["name": "a", "annotations": ["k": .string(String(repeating: "x", count: 256 * 1024))]]
        #expect(validateObjectMeta(big, isNamespaced: false, nameRule: .dnsSubdomain).map(\.description) == [
            "metadata.annotations: Too long: may not be more than 262144 bytes",
        ])
        let fits: JSONValue = ["name": "a", "annotations": ["k": .string(String(repeating: "x", count: 256 * 1024 - 1))]]
        #expect(validateObjectMeta(fits, isNamespaced: false, nameRule: .dnsSubdomain).isEmpty)
    }
}
