import KubeModel

// managedFields bookkeeping for writes that are not applies (create, update, merge/JSON/strategic
// patch): whatever the write changed becomes owned by its manager as an `Update` entry and is
// taken away from everyone else. Follows the apiserver's FieldManager.Update: client-sent
// managedFields replace the stored ones unless empty or undecodable, `[]` or `[{}]` reset them,
// and an existing object without managedFields stays untracked.

/// Tracks field ownership for create/update/patch requests.
public enum ManagedFieldsTracker {
    /// The manager name of a request: the `fieldManager` query parameter, else the User-Agent up
    /// to its first `/` without non-printable characters, at most 128 bytes
    /// (`kubectl/v1.32.4 (linux/amd64) kubernetes/abc` → `kubectl`).
    public static func managerName(fieldManager: String?, userAgent: String?) -> String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        let prefix = (userAgent ?? "").split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        var name = ""
        for scalar in prefix.unicodeScalars {
            guard scalar == " " || scalar.properties.generalCategory.isPrintable else { continue }
            if name.utf8.count + String(scalar).utf8.count > 128 { break }
            name.unicodeScalars.append(scalar)
        }
        return name
    }

    /// Returns `new` with `metadata.managedFields` updated for a non-apply write by `manager`.
    ///
    /// - Parameters:
    ///   - old: the stored object, or `nil` on create.
    ///   - new: the object about to be stored, possibly carrying client-sent managedFields.
    ///   - subresource: `status` for writes to the status subresource; their client-sent
    ///     managedFields are always ignored.
    ///   - baseline: the kind's zero value a create is compared against (`{}` for custom resources).
    public static func update(
        old: JSONValue?, new: JSONValue, manager: String, subresource: String? = nil, apiVersion: String,
        resolver: any SchemaTypeResolver, baseline: JSONValue = .emptyObject, now: String
    ) throws(ApplyError) -> JSONValue {
        let merge = StructuredMerge(resolver: resolver)
        let liveManaged = (try? old.flatMap { object throws(FieldSetError) -> ManagedFields? in try ManagedFields(of: object) }) ?? nil
        var managed: ManagedFields
        let sent = new[path: ["metadata", "managedFields"]]
        if subresource != nil {
            managed = liveManaged ?? ManagedFields()
        } else if let sent, isReset(sent) {
            managed = ManagedFields()
        } else if let decoded = (try? ManagedFields(of: new)) ?? nil, !decoded.isEmpty {
            managed = decoded
        } else {
            managed = liveManaged ?? ManagedFields()
        }
        let newObject = ServerSideApply.removingManagedFields(new)
        // An existing object nobody tracks (or whose tracking was just reset) stays untracked.
        if old != nil, managed.isEmpty { return newObject }
        let oldObject = old.map(ServerSideApply.removingManagedFields) ?? baseline
        do {
            managed = try recordUpdate(
                from: oldObject, to: newObject, managed: managed, manager: manager, subresource: subresource,
                apiVersion: apiVersion, merge: merge, now: now)
        } catch let error as ApplyError {
            throw error
        } catch {
            throw .internalError("failed to update ManagedFields: \(error)")
        }
        managed.capUpdateManagers()
        return ServerSideApply.settingManagedFields(managed, on: newObject)
    }

    /// `managedFields: []` or `[{}]` in a write asks the server to drop all tracking.
    static func isReset(_ managedFields: JSONValue) -> Bool {
        guard case .array(let entries) = managedFields else { return false }
        if entries.isEmpty { return true }
        guard entries.count == 1, case .object(let members) = entries[0] else { return false }
        return members.values.allSatisfy { value in
            value.isNull || value == "" || value.objectValue?.isEmpty == true
        }
    }

    /// Gives `manager` (as an Update entry) what changed from `old` to `new`, taking it from
    /// the other managers, and drops removed fields from everyone.
    static func recordUpdate(
        from old: JSONValue, to new: JSONValue, managed: ManagedFields, manager: String, subresource: String?,
        apiVersion: String, merge: StructuredMerge, now: String
    ) throws -> ManagedFields {
        var managed = managed
        try ServerSideApply.takeOwnership(
            from: old, to: new, managed: &managed, except: nil, force: true, merge: merge)
        let comparison = try merge.compare(old, new)
        let changed = comparison.modified.union(comparison.added).subtracting(comparison.removed)
            .subtracting(StrippedFields.set)
        guard !changed.isEmpty else { return managed }
        let identity = ManagedFieldsEntry.Identity(
            manager: manager, operation: .update, apiVersion: apiVersion, subresource: subresource)
        let previous = managed.entries[identity]?.fields ?? FieldSet()
        managed.entries[identity] = ManagedFieldsEntry(
            manager: manager, operation: .update, apiVersion: apiVersion, time: now,
            fields: previous.union(changed), subresource: subresource)
        return managed
    }
}

extension Unicode.GeneralCategory {
    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    fileprivate var isPrintable: Bool {
        switch self {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
            return false
        case .spaceSeparator:
            return false
        default:
            return true
        }
    }
}
