// JSON patch (RFC 6902), the `application/json-patch+json` patch type: a list of operations
// applied in order, atomically (any failure leaves the caller's document untouched because
// we work on a copy). Errors name the operation index, its kind and its path.

/// A failed patch: malformed patch document or an operation that could not be applied.
public struct JSONPatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// One RFC 6902 operation.
public enum JSONPatchOperation: Sendable, Hashable {
    case add(path: JSONPointer, value: JSONValue)
    case remove(path: JSONPointer)
    case replace(path: JSONPointer, value: JSONValue)
    case move(from: JSONPointer, path: JSONPointer)
    case copy(from: JSONPointer, path: JSONPointer)
    case test(path: JSONPointer, value: JSONValue)

    public var name: String {
        switch self {
        case .add: return "add"
        case .remove: return "remove"
        case .replace: return "replace"
        case .move: return "move"
        case .copy: return "copy"
        case .test: return "test"
        }
    }

    public var path: JSONPointer {
        switch self {
        case .add(let path, _), .remove(let path), .replace(let path, _), .test(let path, _): return path
        case .move(_, let path), .copy(_, let path): return path
        }
    }

    /// The operation as a JSON object (`{"op":…,"path":…}`).
    public var jsonValue: JSONValue {
        var object: JSONValue = ["op": .string(name), "path": .string(path.description)]
        switch self {
        case .add(_, let value), .replace(_, let value), .test(_, let value): object["value"] = value
        case .move(let from, _), .copy(let from, _): object["from"] = .string(from.description)
        case .remove: break
        }
        return object
    }
}

/// An ordered list of RFC 6902 operations.
public struct JSONPatch: Sendable, Hashable {
    public var operations: [JSONPatchOperation]

    public init(_ operations: [JSONPatchOperation]) { self.operations = operations }

    /// Reads a patch document: an array of operation objects.
    public init(_ document: JSONValue) throws(JSONPatchError) {
        guard case .array(let elements) = document else {
            throw JSONPatchError(message: "json patch must be an array of operations, got \(document.typeName)")
        }
        var operations: [JSONPatchOperation] = []
        for (index, element) in elements.enumerated() {
            operations.append(try JSONPatch.operation(element, index: index))
        }
        self.operations = operations
    }

    private static func operation(_ element: JSONValue, index: Int) throws(JSONPatchError) -> JSONPatchOperation {
        guard case .object(let members) = element else {
            throw JSONPatchError(message: "operation \(index): must be an object, got \(element.typeName)")
        }
        guard let op = members["op"]?.stringValue else {
            throw JSONPatchError(message: "operation \(index): missing \"op\"")
        }
        func pointer(_ key: String) throws(JSONPatchError) -> JSONPointer {
            guard let text = members[key]?.stringValue else {
                throw JSONPatchError(message: "operation \(index) (\(op)): missing \"\(key)\"")
            }
            do {
                return try JSONPointer(parsing: text)
            } catch {
                throw JSONPatchError(message: "operation \(index) (\(op)): \(error.message)")
            }
        }
        func value() throws(JSONPatchError) -> JSONValue {
            guard let value = members["value"] else {
                throw JSONPatchError(message: "operation \(index) (\(op)) at \"\(members["path"]?.stringValue ?? "")\": missing \"value\"")
            }
            return value
        }
        switch op {
        case "add": return .add(path: try pointer("path"), value: try value())
        case "remove": return .remove(path: try pointer("path"))
        case "replace": return .replace(path: try pointer("path"), value: try value())
        case "move": return .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": return .test(path: try pointer("path"), value: try value())
        default: throw JSONPatchError(message: "operation \(index): unsupported operation \"\(op)\"")
        }
    }

    /// Parses and applies a patch document in one step.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        try JSONPatch(patch).apply(to: document)
    }

    /// The document after every operation, or an error naming the first that failed.
    public func apply(to document: JSONValue) throws(JSONPatchError) -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            do {
                try JSONPatch.perform(operation, on: &result)
            } catch {
                throw JSONPatchError(
                    message: "operation \(index) (\(operation.name)) at \"\(operation.path)\": \(error.message)")
            }
        }
        return result
    }

    private static func perform(_ operation: JSONPatchOperation, on document: inout JSONValue) throws(JSONPatchError) {
        switch operation {
        case .add(let path, let value):
            try add(value, at: path.tokens[...], in: &document)
        case .remove(let path):
            _ = try remove(at: path.tokens[...], in: &document)
        case .replace(let path, let value):
            guard path.resolve(in: document) != nil else { throw JSONPatchError(message: "path does not exist") }
            if path.tokens.isEmpty {
                document = value
            } else {
                _ = try remove(at: path.tokens[...], in: &document)
                try add(value, at: path.tokens[...], in: &document)
            }
        case .move(let from, let path):
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw JSONPatchError(message: "cannot move \"\(from)\" into its own child")
            }
            guard from.resolve(in: document) != nil else {
                throw JSONPatchError(message: "\"from\" path \"\(from)\" does not exist")
            }
            let value = try remove(at: from.tokens[...], in: &document)
            try add(value, at: path.tokens[...], in: &document)
        case .copy(let from, let path):
            guard let value = from.resolve(in: document) else {
                throw JSONPatchError(message: "\"from\" path \"\(from)\" does not exist")
            }
            try add(value, at: path.tokens[...], in: &document)
        case .test(let path, let expected):
            guard let actual = path.resolve(in: document) else { throw JSONPatchError(message: "path does not exist") }
            guard JSONValue.semanticallyEqual(actual, expected) else {
                throw JSONPatchError(message: "test failed: value is \(actual.jsonString), expected \(expected.jsonString)")
            }
        }
    }

    /// Adds at the pointer: sets an object member, inserts into an array (`-` appends), or
    /// replaces the whole document for the empty pointer.
    private static func add(_ value: JSONValue, at tokens: ArraySlice<String>, in target: inout JSONValue) throws(JSONPatchError) {
        guard let token = tokens.first else {
            target = value
            return
        }
        let rest = tokens.dropFirst()
        switch target {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard var child = members[token] else { throw JSONPatchError(message: "member \"\(token)\" does not exist") }
                members[token] = .null
                try add(value, at: rest, in: &child)
                members[token] = child
            }
            target = .object(members)
        case .array(var elements):
            if rest.isEmpty {
                if token == "-" {
                    elements.append(value)
                } else {
                    guard let index = JSONPointer.arrayIndex(token), index <= elements.count else {
                        throw JSONPatchError(message: "array index \"\(token)\" is out of bounds (length \(elements.count))")
                    }
                    elements.insert(value, at: index)
                }
            } else {
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw JSONPatchError(message: "array index \"\(token)\" is out of bounds (length \(elements.count))")
                }
                var child = elements[index]
                elements[index] = .null
                try add(value, at: rest, in: &child)
                elements[index] = child
            }
            target = .array(elements)
        default:
            throw JSONPatchError(message: "cannot add member \"\(token)\" to a \(target.typeName)")
        }
    }

    /// Removes and returns the value at the pointer.
    private static func remove(at tokens: ArraySlice<String>, in target: inout JSONValue) throws(JSONPatchError) -> JSONValue {
        guard let token = tokens.first else { throw JSONPatchError(message: "cannot remove the whole document") }
        let rest = tokens.dropFirst()
        switch target {
        case .object(var members):
            guard var child = members[token] else { throw JSONPatchError(message: "member \"\(token)\" does not exist") }
            let removed: JSONValue
            if rest.isEmpty {
                removed = child
                members.removeValue(forKey: token)
            } else {
                members[token] = .null
                removed = try remove(at: rest, in: &child)
                members[token] = child
            }
            target = .object(members)
            return removed
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                throw JSONPatchError(message: "array index \"\(token)\" is out of bounds (length \(elements.count))")
            }
            let removed: JSONValue
            if rest.isEmpty {
                removed = elements.remove(at: index)
            } else {
                var child = elements[index]
                elements[index] = .null
                removed = try remove(at: rest, in: &child)
                elements[index] = child
            }
            target = .array(elements)
            return removed
        default:
            throw JSONPatchError(message: "cannot remove member \"\(token)\" of a \(target.typeName)")
        }
    }
}
