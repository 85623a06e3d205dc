import KubeModel

/// An Azure Resource Manager error: the HTTP status and the envelope
/// `{"error":{"code":"<Code>","message":"<text>"}}` (traffic-manager spec §2.4). Controllers
/// classify by status only; the code is for people and for tests.
public struct ARMError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String

    public init(status: Int, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var body: JSONValue {
        .object(["error": .object(["code": .string(code), "message": .string(message)])])
    }

    public var description: String { "\(status) \(code): \(message)" }

    static func badRequest(_ code: String, _ message: String) -> ARMError { ARMError(status: 400, code: code, message: message) }
    static func notFound(_ message: String) -> ARMError { ARMError(status: 404, code: "NotFound", message: message) }
    static func resourceGroupNotFound(_ group: String) -> ARMError {
        ARMError(status: 404, code: "ResourceGroupNotFound", message: "Resource group '\(group)' could not be found.")
    }
}
