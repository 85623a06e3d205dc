import KubeModel

// The typed walks of structured-merge-diff over plain JSON: the field set an object sets, the
// comparison of two objects, the merge of an applied configuration into a live object, and the
// removal of owned items. Every walk asks the resolver how each list and map merges, so one
// schema decision (e.g. "ports are keyed by port+protocol") drives all of them consistently.

/// Structured-merge-diff operations over `JSONValue` objects, parameterised by a schema resolver.
public struct StructuredMerge: Sendable {
    public let resolver: any SchemaTypeResolver

    public init(resolver: any SchemaTypeResolver) {
        self.resolver = resolver
    }

    /// What changed between two objects, as SMD's `Comparison`.
    public struct Comparison: Sendable {
        public var added = FieldSet()
        public var modified = FieldSet()
        public var removed = FieldSet()

        public var isSame: Bool { added.isEmpty && modified.isEmpty && removed.isEmpty }
    }

    // MARK: Field set of an object

    /// The paths `object` sets: every scalar, atomic list or map, list item, undeclared map
    /// member, and empty or null field. Declared struct fields holding content are implied by
    /// their members and not listed, so `f:spec` appears without `.` in an applier's entry.
    public func fieldSet(of object: JSONValue) throws(FieldSetError) -> FieldSet {
        var set = FieldSet()
        try collect(object, at: .root, into: &set)
        return set
    }

    private func collect(_ value: JSONValue, at path: ObjectPath, into set: inout FieldSet) throws(FieldSetError) {
        switch value {
        case .object(let members):
            if !path.isRoot, resolver.mapType(at: path) == .atomic {
                set.insert(path)
                return
            }
            for (name, member) in members {
                let child = path.appending(.field(name))
                try collect(member, at: child, into: &set)
                if member.isNull || member.objectValue?.isEmpty == true
                    || !resolver.isDeclaredField(name, at: path)
                {
                    set.insert(child)
                }
            }
        case .array(let elements):
            let type = resolver.listType(at: path)
            if type == .atomic {
                set.insert(path)
                return
            }
            for (index, element) in elements.enumerated() {
                let child = path.appending(try itemElement(element, index: index, in: type, at: path))
                try collect(element, at: child, into: &set)
                set.insert(child)
            }
        default:
            if !path.isRoot { set.insert(path) }
        }
    }

    /// The path element naming a list item: its key fields for map-lists, its value for sets.
    func itemElement(_ item: JSONValue, index: Int, in type: ListType, at path: ObjectPath) throws(FieldSetError)
        -> ObjectPath.Element
    {
        switch type {
        case .atomic:
            return .index(index)
        case .set:
            switch item {
            case .object, .array:
                throw FieldSetError(message: "\(path): element \(index): expected a scalar item in a set list")
            default:
                return .value(item)
            }
        case .map(let keys, let defaults):
            guard case .object(let members) = item else {
                throw FieldSetError(
                    message: "\(path): element \(index): associative list with keys may not have non-map elements")
            }
            var fields: [ObjectPath.KeyField] = []
            for key in keys {
                guard let value = members[key] ?? defaults[key] else {
                    throw FieldSetError(
                        message: "\(path): element \(index): associative list with keys has an element that omits "
                            + "key field \(GoSyntax.quoted(key)) (and doesn't have default value)")
                }
                fields.append(ObjectPath.KeyField(name: key, value: value))
            }
            return .key(fields.sorted())
        }
    }

    /// The items of a granular list keyed by their path element, in list order.
    private func items(of value: JSONValue?, type: ListType, at path: ObjectPath) throws(FieldSetError)
        -> [(element: ObjectPath.Element, item: JSONValue)]
    {
        guard case .array(let elements)? = value else { return [] }
        var result: [(element: ObjectPath.Element, item: JSONValue)] = []
        for (index, item) in elements.enumerated() {
            result.append((try itemElement(item, index: index, in: type, at: path), item))
        }
        return result
    }

    // MARK: Compare

    /// Compares `old` to `new`: leaves added, changed and removed, plus granular maps, lists and
    /// items that appear or disappear as a whole.
    public func compare(_ old: JSONValue?, _ new: JSONValue?) throws(FieldSetError) -> Comparison {
        var comparison = Comparison()
        try compare(old, new, at: .root, into: &comparison)
        return comparison
    }

    private enum Shape { case map, list, scalar }

    private func shape(_ value: JSONValue?) -> Shape? {
        switch value {
        case nil: return nil
        case .object?: return .map
        case .array?: return .list
        default: return .scalar
        }
    }

    private func compare(_ old: JSONValue?, _ new: JSONValue?, at path: ObjectPath, into comparison: inout Comparison)
        throws(FieldSetError)
    {
        guard old != nil || new != nil else { return }
        let shapes = [shape(old), shape(new)].compactMap { $0 }
        let isLeaf: Bool
        if Set(shapes).count > 1 || shapes.contains(.scalar) {
            isLeaf = true
        } else if shapes.contains(.map) {
            let bothEmpty = (old?.objectValue?.isEmpty ?? true) && (new?.objectValue?.isEmpty ?? true)
            isLeaf = bothEmpty || (!path.isRoot && resolver.mapType(at: path) == .atomic)
        } else {
            isLeaf = resolver.listType(at: path) == .atomic
        }
        if isLeaf {
            if path.isRoot { return }
            if old == nil {
                comparison.added.insert(path)
            } else if new == nil {
                comparison.removed.insert(path)
            } else if old != new {
                comparison.modified.insert(path)
            }
            return
        }
        if shapes.contains(.map) {
            let oldMembers = old?.objectValue ?? [:]
            let newMembers = new?.objectValue ?? [:]
            for name in Set(oldMembers.keys).union(newMembers.keys) {
                try compare(oldMembers[name], newMembers[name], at: path.appending(.field(name)), into: &comparison)
            }
        } else {
            let type = resolver.listType(at: path)
            let oldItems = try items(of: old, type: type, at: path)
            let newItems = try items(of: new, type: type, at: path)
            let oldByElement = Dictionary(oldItems, uniquingKeysWith: { first, _ in first })
            let newByElement = Dictionary(newItems, uniquingKeysWith: { first, _ in first })
            for element in Set(oldByElement.keys).union(newByElement.keys) {
                try compare(oldByElement[element], newByElement[element], at: path.appending(element), into: &comparison)
            }
        }
        if !path.isRoot {
            if old == nil {
                comparison.added.insert(path)
            } else if new == nil {
                comparison.removed.insert(path)
            }
        }
    }

    // MARK: Merge

    /// Merges an applied configuration into a live object: granular maps member by member,
    /// associative and set lists item by item (live order first, new items appended), everything
    /// else replaced by the configuration's value.
    public func merge(_ live: JSONValue?, _ configuration: JSONValue) throws(FieldSetError) -> JSONValue {
        try merge(live, configuration, at: .root)
    }

    private func merge(_ live: JSONValue?, _ configuration: JSONValue, at path: ObjectPath) throws(FieldSetError)
        -> JSONValue
    {
        guard let live else { return configuration }
        switch (live, configuration) {
        case (.object(var merged), .object(let applied)):
            if !path.isRoot, resolver.mapType(at: path) == .atomic { return configuration }
            for (name, value) in applied {
                merged[name] = try merge(merged[name], value, at: path.appending(.field(name)))
            }
            return .object(merged)
        case (.array, .array):
            let type = resolver.listType(at: path)
            if type == .atomic { return configuration }
            var merged = try items(of: live, type: type, at: path)
            var positions: [ObjectPath.Element: Int] = [:]
            for (offset, entry) in merged.enumerated() where positions[entry.element] == nil {
                positions[entry.element] = offset
            }
            for entry in try items(of: configuration, type: type, at: path) {
                if let position = positions[entry.element] {
                    merged[position].item = try merge(
                        merged[position].item, entry.item, at: path.appending(entry.element))
                } else {
                    positions[entry.element] = merged.count
                    merged.append(entry)
                }
            }
            return .array(merged.map(\.item))
        default:
            return configuration
        }
    }

    // MARK: Remove items

    /// Removes from `value` every map member and list item whose path is a member of `set`,
    /// with everything below it.
    public func removingItems(_ set: FieldSet, from value: JSONValue) throws(FieldSetError) -> JSONValue {
        try removing(set, from: value, at: .root)
    }

    private func removing(_ set: FieldSet, from value: JSONValue, at path: ObjectPath) throws(FieldSetError)
        -> JSONValue
    {
        guard set.hasMembers(below: path) else { return value }
        switch value {
        case .object(var members):
            for name in Array(members.keys) {
                let child = path.appending(.field(name))
                if set.contains(child) {
                    members[name] = nil
                } else if let member = members[name] {
                    members[name] = try removing(set, from: member, at: child)
                }
            }
            return .object(members)
        case .array:
            let type = resolver.listType(at: path)
            if type == .atomic { return value }
            var kept: [JSONValue] = []
            for entry in try items(of: value, type: type, at: path) {
                let child = path.appending(entry.element)
                if set.contains(child) { continue }
                kept.append(try removing(set, from: entry.item, at: child))
            }
            return .array(kept)
        default:
            return value
        }
    }

    // MARK: Named fields

    /// `set` plus every declared struct field that has a member below it, as SMD's
    /// `EnsureNamedFieldsAreMembers`: owning `spec.replicas` then counts as owning `spec` when
    /// deciding what pruning may delete, while free-form map keys and list items do not.
    public func ensuringNamedFieldsAreMembers(_ set: FieldSet) -> FieldSet {
        var result = set
        for path in set.paths {
            var prefix = path.parent
            while !prefix.isRoot {
                if case .field(let name) = prefix.last!, resolver.isDeclaredField(name, at: prefix.parent) {
                    result.insert(prefix)
                }
                prefix = prefix.parent
            }
        }
        return result
    }
}
