// JSON merge patch (RFC 7386), the `application/merge-patch+json` patch type: objects merge
// recursively, `null` deletes a member, and anything else (arrays included) replaces.

/// Applying and computing RFC 7386 merge patches. Both are total functions: any JSON value is a
/// valid merge patch for any document.
public enum JSONMergePatch {
    /// The document after applying `patch` (RFC 7386 §2 `MergePatch`). A non-object patch replaces
    /// the document; an object patch turns a non-object document into an object first.
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var members = document.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                members.removeValue(forKey: key)
            } else if case .object = value {
                members[key] = apply(value, to: members[key] ?? .null)
            } else {
                members[key] = value
            }
        }
        return .object(members)
    }

    /// A patch that turns `original` into `modified`: removed members become `null`, changed
    /// members are patched recursively when both sides are objects and replaced otherwise.
    ///
    /// Merge patches cannot express "set this member to null", so `null` members of `modified`
    /// are treated as absent. Returns `{}` when the documents are equal objects.
    public static func diff(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let old) = original, case .object(let new) = modified else {
            return modified
        }
        var patch: [String: JSONValue] = [:]
        for (key, oldValue) in old where !oldValue.isNull {
            if new[key] == nil || new[key]!.isNull { patch[key] = .null }
        }
        for (key, newValue) in new where !newValue.isNull {
            guard let oldValue = old[key], !oldValue.isNull else {
                patch[key] = stripNulls(newValue)
                continue
            }
            if JSONValue.semanticallyEqual(oldValue, newValue) { continue }
            if case .object = oldValue, case .object = newValue {
                patch[key] = diff(from: oldValue, to: newValue)
            } else {
                patch[key] = stripNulls(newValue)
            }
        }
        return .object(patch)
    }

    /// Nulls inside an added object would read as deletions; leave them out.
    private static func stripNulls(_ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { !$0.value.isNull }.mapValues(stripNulls))
    }
}

extension JSONValue {
    /// JSON equality where numbers compare by value (`1` equals `1.0`), as RFC 6902 `test` and
    /// patch computation require.
    public static func semanticallyEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { semanticallyEqual($0, $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], semanticallyEqual(value, other) else { return false }
            }
            return true
        default: return lhs == rhs
        }
    }
}
