import KubeModel

// The set of paths a manager owns, and its `fieldsV1` encoding. Stored as a tree (members and
// children per path element) like SMD's `fieldpath.Set`, because managedFields are read and
// written in that nested shape and pruning needs "is anything owned below here" cheaply.

/// A set of `ObjectPath`s with set algebra and the exact `fieldsV1` JSON encoding.
///
/// A path is a member when it was inserted; a path that only has members below it is not a member
/// itself (`f:spec` without `.`). Operations are plain set operations over member paths.
public struct FieldSet: Hashable, Sendable, CustomStringConvertible {
    /// Elements that are members directly below this node.
    private var members: Set<ObjectPath.Element> = []
    /// Non-empty subsets below each element.
    private var children: [ObjectPath.Element: FieldSet] = [:]

    public init() {}

    public init(_ paths: some Sequence<ObjectPath>) {
        for path in paths { insert(path) }
    }

    public var isEmpty: Bool { members.isEmpty && children.isEmpty }

    /// Number of member paths.
    public var count: Int { members.count + children.values.reduce(0) { $0 + $1.count } }

    public mutating func insert(_ path: ObjectPath) {
        insert(path.elements[...])
    }

    private mutating func insert(_ elements: ArraySlice<ObjectPath.Element>) {
        guard let first = elements.first else { return }
        if elements.count == 1 {
            members.insert(first)
        } else {
            children[first, default: FieldSet()].insert(elements.dropFirst())
        }
    }

    public func contains(_ path: ObjectPath) -> Bool {
        var node = self
        for (offset, element) in path.elements.enumerated() {
            if offset == path.elements.count - 1 { return node.members.contains(element) }
            guard let child = node.children[element] else { return false }
            node = child
        }
        return false
    }

    /// The members strictly below `path`, relative to it; empty when there are none.
    public func subset(below path: ObjectPath) -> FieldSet {
        var node = self
        for element in path.elements {
            guard let child = node.children[element] else { return FieldSet() }
            node = child
        }
        return node
    }

    /// Whether some member lies strictly below `path`.
    public func hasMembers(below path: ObjectPath) -> Bool { !subset(below: path).isEmpty }

    /// All member paths in SMD order.
    public var paths: [ObjectPath] {
        var result: [ObjectPath] = []
        collect(prefix: [], into: &result)
        return result.sorted()
    }

    private func collect(prefix: [ObjectPath.Element], into result: inout [ObjectPath]) {
        for member in members { result.append(ObjectPath(prefix + [member])) }
        for (element, child) in children { child.collect(prefix: prefix + [element], into: &result) }
    }

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.members.formUnion(other.members)
        for (element, child) in other.children {
            result.children[element] = result.children[element].map { $0.union(child) } ?? child
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.intersection(other.members)
        for (element, child) in children {
            guard let otherChild = other.children[element] else { continue }
            let common = child.intersection(otherChild)
            if !common.isEmpty { result.children[element] = common }
        }
        return result
    }

    /// Members of `self` that are not members of `other` (paths below a removed member stay).
    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = FieldSet()
        result.members = members.subtracting(other.members)
        for (element, child) in children {
            let remaining = other.children[element].map { child.subtracting($0) } ?? child
            if !remaining.isEmpty { result.children[element] = remaining }
        }
        return result
    }

    /// Calls `body` for each node: its path, whether it is a member, and whether it has children.
    func forEachNode(_ body: (ObjectPath) -> Void) {
        visit(prefix: [], body)
    }

    private func visit(prefix: [ObjectPath.Element], _ body: (ObjectPath) -> Void) {
        for element in Set(members).union(children.keys) {
            let path = prefix + [element]
            body(ObjectPath(path))
            children[element]?.visit(prefix: path, body)
        }
    }

    // MARK: fieldsV1

    /// Decodes a `fieldsV1` object such as `{"f:spec":{"f:replicas":{}}}`.
    /// Keys with an unknown prefix are dropped, as SMD does, so newer encodings still load.
    public init(fieldsV1: JSONValue) throws(FieldSetError) {
        guard case .object(let entries) = fieldsV1 else {
            throw FieldSetError(message: "fieldsV1 must be an object, got \(fieldsV1.typeName)")
        }
        self.init()
        for (key, value) in entries {
            if key == "." { continue }
            guard let element = try ObjectPath.Element(serialized: key) else { continue }
            guard case .object(let nested) = value else {
                throw FieldSetError(message: "fieldsV1 entry \(GoSyntax.quoted(key)) must be an object")
            }
            let child = try FieldSet(fieldsV1: value)
            if nested.isEmpty || nested["."] != nil { members.insert(element) }
            if !child.isEmpty { children[element] = child }
        }
    }

    /// Parses the `fieldsV1` JSON text as stored in etcd or sent on the wire.
    public init(fieldsV1JSON text: String) throws(FieldSetError) {
        let value: JSONValue
        do {
            value = try JSONText.decode(text)
        } catch {
            throw FieldSetError(message: "fieldsV1 is not valid JSON")
        }
        try self.init(fieldsV1: value)
    }

    /// The `fieldsV1` object: members map to `{}`, a member that also has children gets `".": {}`.
    public var fieldsV1: JSONValue {
        var object: [String: JSONValue] = [:]
        for member in members where children[member] == nil {
            object[member.serialized] = .emptyObject
        }
        for (element, child) in children {
            var nested = child.fieldsV1
            if members.contains(element) { nested["."] = .emptyObject }
            object[element.serialized] = nested
        }
        return .object(object)
    }

    /// The `fieldsV1` JSON text in SMD's byte order: elements sorted, `"."` written last.
    public var fieldsV1JSON: String {
        var output = "{"
        writeContents(includeSelf: false, to: &output)
        return output + "}"
    }

    private func writeContents(includeSelf: Bool, to output: inout String) {
        var first = true
        for element in Set(members).union(children.keys).sorted() {
            if !first { output += "," }
            first = false
            JSONText.writeString(element.serialized, to: &output)
            output += ":{"
            if let child = children[element] {
                child.writeContents(includeSelf: members.contains(element), to: &output)
            }
            output += "}"
        }
        if includeSelf && !first { output += ",\".\":{}" }
    }

    public var description: String { fieldsV1JSON }
}
