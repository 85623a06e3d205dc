// Strategic merge patch (`application/strategic-merge-patch+json`), Kubernetes' own patch type
// for built-in kinds: like a JSON merge patch, but lists tagged in the `PatchSchema` merge by a
// key or as sets instead of being replaced, and `$`-directives give finer control:
//
// - `"$patch": "replace"` in a map replaces it wholesale; `"$patch": "delete"` removes it;
//   `"$patch": "merge"` is the default. In a list of objects, an element `{"$patch": "replace"}`
//   makes the rest of the patch list replace the original, and `{"key": v, "$patch": "delete"}`
//   deletes the element with that key.
// - `"$retainKeys": [...]` drops every original member not listed.
// - `"$deleteFromPrimitiveList/<field>": [...]` removes values from a merged primitive list.
// - `"$setElementOrder/<field>": [...]` orders a merged list: listed elements come first in the
//   given order, then the remaining ones in their merged order.
// - `null` deletes a member.

/// Why a strategic merge patch could not be applied.
public struct StrategicMergePatchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

public enum StrategicMergePatch {
    static let directive = "$patch"
    static let retainKeys = "$retainKeys"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
    static let setElementOrderPrefix = "$setElementOrder/"

    /// The document after applying `patch` with list semantics from `schema`.
    public static func apply(_ patch: JSONValue, to document: JSONValue, schema: PatchSchema) throws(StrategicMergePatchError) -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw StrategicMergePatchError(message: "strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let original = document.objectValue ?? [:]
        return try mergeMap(original, patchMembers, schema: schema, path: "").map(JSONValue.object) ?? .emptyObject
    }

    /// Merges maps; nil means the map was deleted by `$patch: delete`.
    static func mergeMap(
        _ original: [String: JSONValue], _ patch: [String: JSONValue], schema: PatchSchema, path: String
    ) throws(StrategicMergePatchError) -> [String: JSONValue]? {
        var result = original
        if let directiveValue = patch[directive] {
            switch directiveValue.stringValue {
            case "replace": return try stripDirectives(patch)
            case "delete": return nil
            case "merge": break
            default:
                throw StrategicMergePatchError(message: "Unknown patch type: \(directiveValue.jsonString) in map: \(JSONValue.object(patch).jsonString)")
            }
        }
        if let retained = patch[retainKeys] {
            guard case .array(let names) = retained else {
                throw StrategicMergePatchError(message: "\(path.isEmpty ? "" : path + ": ")$retainKeys must be a list of strings")
            }
            let keep = Set(names.compactMap(\.stringValue))
            result = result.filter { keep.contains($0.key) }
        }
        var orders: [(field: String, order: [JSONValue])] = []
        for (key, value) in patch {
            if key == directive || key == retainKeys { continue }
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                guard case .array(let removals) = value else {
                    throw StrategicMergePatchError(message: "\(key) must be a list")
                }
                if case .array(let existing) = result[field] {
                    result[field] = .array(existing.filter { item in !removals.contains { JSONValue.semanticallyEqual($0, item) } })
                }
                continue
            }
            if key.hasPrefix(setElementOrderPrefix) {
                guard case .array(let order) = value else {
                    throw StrategicMergePatchError(message: "\(key) must be a list")
                }
                orders.append((String(key.dropFirst(setElementOrderPrefix.count)), order))
                continue
            }
            let fieldPath = path.isEmpty ? key : path + "." + key
            let fieldSchema = schema.field(key)
            switch value {
            case .null:
                result.removeValue(forKey: key)
            case .object(let patchObject):
                let base = result[key]?.objectValue ?? [:]
                result[key] = .null
                if let merged = try mergeMap(base, patchObject, schema: fieldSchema, path: fieldPath) {
                    result[key] = .object(merged)
                } else {
                    result.removeValue(forKey: key)
                }
            case .array(let patchList):
                let base = result[key]?.arrayValue ?? []
                result[key] = .null
                result[key] = .array(try mergeList(base, patchList, schema: fieldSchema, path: fieldPath))
            default:
                result[key] = value
            }
        }
        for (field, order) in orders {
            if case .array(let list) = result[field] {
                result[field] = .array(applyOrder(order, to: list, strategy: schema.field(field).listStrategy))
            }
        }
        return result
    }

    static func mergeList(
        _ original: [JSONValue], _ patch: [JSONValue], schema: PatchSchema, path: String
    ) throws(StrategicMergePatchError) -> [JSONValue] {
        switch schema.listStrategy {
        case .replace:
            return try patch.map { element throws(StrategicMergePatchError) in try stripDirectives(element) }
        case .mergePrimitives:
            var merged = original
            for element in patch where !merged.contains(where: { JSONValue.semanticallyEqual($0, element) }) {
                merged.append(element)
            }
            return merged
        case .mergeByKey(let mergeKey):
            if patch.contains(where: { $0.objectValue?[directive]?.stringValue == "replace" && $0.objectValue?.count == 1 }) {
                return try patch.filter { !($0.objectValue?[directive]?.stringValue == "replace" && $0.objectValue?.count == 1) }
                    .map { element throws(StrategicMergePatchError) in try stripDirectives(element) }
            }
            var merged = original
            for element in patch {
                guard case .object(let patchElement) = element else {
                    // Kubernetes tolerates primitives in keyed lists only by replacing; mirror that.
                    return try patch.map { element throws(StrategicMergePatchError) in try stripDirectives(element) }
                }
                guard let keyValue = patchElement[mergeKey] else {
                    throw StrategicMergePatchError(
                        message: "map: \(element.jsonString) does not contain declared merge key: \(mergeKey)")
                }
                let existingIndex = merged.firstIndex {
                    guard let candidate = $0.objectValue?[mergeKey] else { return false }
                    return JSONValue.semanticallyEqual(candidate, keyValue)
                }
                if patchElement[directive]?.stringValue == "delete" {
                    merged.removeAll {
                        guard let candidate = $0.objectValue?[mergeKey] else { return false }
                        return JSONValue.semanticallyEqual(candidate, keyValue)
                    }
                    continue
                }
                let elementPath = "\(path)[\(mergeKey)=\(keyValue.jsonString)]"
                if let existingIndex {
                    let base = merged[existingIndex].objectValue ?? [:]
                    if let result = try mergeMap(base, patchElement, schema: schema, path: elementPath) {
                        merged[existingIndex] = .object(result)
                    } else {
                        merged.remove(at: existingIndex)
                    }
                } else if let result = try mergeMap([:], patchElement, schema: schema, path: elementPath) {
                    merged.append(.object(result))
                }
            }
            return merged
        }
    }

    /// Removes `$`-directives from a value that is taken over as a whole.
    static func stripDirectives(_ value: JSONValue) throws(StrategicMergePatchError) -> JSONValue {
        switch value {
        case .object(let members): return .object(try stripDirectives(members))
        case .array(let elements):
            return .array(try elements.map { element throws(StrategicMergePatchError) in try stripDirectives(element) })
        default: return value
        }
    }

    static func stripDirectives(_ members: [String: JSONValue]) throws(StrategicMergePatchError) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (key, value) in members where !key.hasPrefix("$") {
            if value.isNull { continue }
            result[key] = try stripDirectives(value)
        }
        return result
    }

    /// Puts the elements named by `order` first, in that order; others keep their relative order.
    static func applyOrder(_ order: [JSONValue], to list: [JSONValue], strategy: PatchListStrategy) -> [JSONValue] {
        func rank(_ element: JSONValue) -> Int? {
            switch strategy {
            case .mergeByKey(let key):
                guard let value = element.objectValue?[key] else { return nil }
                return order.firstIndex { entry in
                    entry.objectValue?[key].map { JSONValue.semanticallyEqual($0, value) } ?? false
                }
            default:
                return order.firstIndex { JSONValue.semanticallyEqual($0, element) }
            }
        }
        let ranked = list.enumerated().map { (rank: rank($0.element), offset: $0.offset, element: $0.element) }
        return ranked.sorted { lhs, rhs in
            switch (lhs.rank, rhs.rank) {
            case (let l?, let r?): return l != r ? l < r : lhs.offset < rhs.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}
