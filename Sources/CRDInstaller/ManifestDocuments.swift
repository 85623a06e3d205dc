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
            // Yams' compose_all sequence drops parse errors; the parser itself reports them.
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
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

    private static func convert(_ node: Yams.Node) throws -> JSONValue {
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

    /// Quoted scalars are strings; plain ones take the YAML 1.1 core types, as go-yaml (under
    /// sigs.k8s.io/yaml) resolves them.
    private static func scalarValue(_ scalar: Yams.Node.Scalar) -> JSONValue {
        let text = scalar.string
        guard scalar.style == .plain else { return .string(text) }
        if ["", "~", "null", "Null", "NULL"].contains(text) { return .null }
        if let bool = Bool.construct(from: scalar) { return .bool(bool) }
        if let int = Int.construct(from: scalar) { return .int(Int64(int)) }
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let double = Double.construct(from: scalar) {
            return .double(double)
        }
        return .string(text)
    }
}
