import KubeModel
import Testing

/// One input for a validator and the exact error strings expected, for parameterised tests.
struct ValidationCase: Sendable, CustomTestStringConvertible {
    let input: JSONValue
    let messages: [String]

    init(_ input: JSONValue, _ messages: [String]) {
        self.input = input
        self.messages = messages
    }

    var testDescription: String { messages.first ?? "valid" }
}
