import Foundation
import KubeModel
import Yams

// Manifest files as JSON values: JSON as is, YAML (possibly several `---`-separated documents)
// with the core-schema typing sigs.k8s.io/yaml applies when it turns YAML into JSON.

enum ManifestDocuments {
    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// The non-empty documents of one manifest file's text.
    static func parse(_ text: String, isJSON: Bool) throws -> [JSONValue] {
        if isJSON {
            do {
                return [try JSONValue(parsing: text)]
            } catch {
                throw ParseError(description: "invalid JSON: \(error)")
            }
        }
        var documents: [JSONValue] = []
        do {
            for node in try Yams.compose_all(yaml: text) {
                let value = try convert(node)
                if !value.isNull { documents.append(value) }
            }
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "invalid YAML: \(error)")
        }
        return documents
    }

    private static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ParseError(description: "invalid YAML: mapping keys must be scalars")
                }
                members[keyScalar.string] = try convert(value)
            }
            return .object(members)
        case .alias:
            throw ParseError(description: "invalid YAML: aliases are not supported")
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        switch Tag.Name(rawValue: scalar.tag.rawValue) {
        case .null:
            return .null
        case .bool:
            return .bool(["true", "True", "TRUE"].contains(text))
        case .int:
            return Int64(text).map(JSONValue.int) ?? .string(text)
        case .float:
            return Double(text).map(JSONValue.double) ?? .string(text)
        default:
            return .string(text)
        }
    }
}
