import KubeModel
import Yams

// YAML request bodies (`application/yaml`, server-side apply) converted to JSON values with
// YAML 1.2 core-schema typing, which is what Kubernetes' sigs.k8s.io/yaml effectively applies.

public enum YAMLDocument {
    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Parses one YAML (or JSON, which is YAML) document.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        let text = String(decoding: bytes, as: UTF8.self)
        if let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" {
            if let json = try? JSONValue(parsing: bytes) { return json }
        }
        do {
            guard let node = try Yams.compose(yaml: text) else { return .null }
            // Aliases share their anchor's node, so a few hundred bytes of nested aliases
            // ("billion laughs") expand to billions of values. Without aliases a document has
            // fewer values than bytes; allow twice that (and some slack) before refusing, as
            // go-yaml refuses "excessive aliasing".
            var budget = 2 * bytes.count + 10_000
            return try convert(node, budget: &budget)
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "error converting YAML to JSON: \(error)")
        }
    }

    private static func convert(_ node: Yams.Node, budget: inout Int) throws -> JSONValue {
        budget -= 1
        guard budget >= 0 else {
            throw ParseError(description: "error converting YAML to JSON: yaml: document contains excessive aliasing")
        }
        switch node {
        case .scalar(let scalar):
            return convertScalar(scalar)
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, budget: &budget) })
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ParseError(description: "error converting YAML to JSON: map keys must be strings")
                }
                members[keyScalar.string] = try convert(value, budget: &budget)
            }
            return .object(members)
        case .alias:
            throw ParseError(description: "error converting YAML to JSON: aliases are not supported")
        }
    }

    private static func convertScalar(_ scalar: Yams.Node.Scalar) -> JSONValue {
        let text = scalar.string
        if scalar.style != .plain { return .string(text) }
        // Composed scalars carry a non-specific tag unless the document names one (`!!str 3`);
        // plain ones are then typed by the resolver, as YAML's core schema prescribes.
        let explicit = Tag.Name(rawValue: scalar.tag.description)
        let known: [Tag.Name] = [.null, .bool, .int, .float, .str]
        let name = known.contains(explicit) ? explicit : Resolver.default.resolveTag(of: Yams.Node.scalar(scalar))
        switch name {
        case .null: return .null
        case .bool: return .bool(["true", "True", "TRUE"].contains(text))
        case .int:
            if let value = Int64(text) { return .int(value) }
            return .string(text)
        case .float:
            if let value = Double(text) { return .double(value) }
            return .string(text)
        default:
            return .string(text)
        }
    }
}
