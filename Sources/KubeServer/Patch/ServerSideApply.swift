import KubeModel

// Server-side apply (PATCH with application/apply-patch+yaml) as a pure function: merge the
// configuration into the live object, prune what the manager stopped applying, check ownership
// conflicts, and rewrite `metadata.managedFields`. Mirrors structured-merge-diff's Updater.Apply
// wrapped in the apiserver's fieldmanager chain (strip meta, timestamps, before-first-apply,
// manager cap).

/// Paths the server never records as owned: identity and bookkeeping metadata.
enum StrippedFields {
    static let set = FieldSet(
        [ObjectPath(fields: "apiVersion"), ObjectPath(fields: "kind"), ObjectPath(fields: "metadata")]
            + ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
               "managedFields", "resourceVersion"].map { ObjectPath(fields: "metadata", $0) })
}

/// Server-side apply over unstructured objects.
public enum ServerSideApply {
    /// The manager that takes ownership of an object's existing fields on its first apply when
    /// the object has no managedFields.
    public static let beforeFirstApplyManager = "before-first-apply"

    /// Applies `configuration` for `manager` and returns the new object with managedFields.
    ///
    /// - Parameters:
    ///   - live: the stored object, or `nil` when the apply creates it.
    ///   - apiVersion: the group/version served at the request URL; the configuration must match.
    ///   - baseline: the object a create starts from (the kind's zero value); `{}` for custom resources.
    ///   - now: RFC 3339 time recorded on the manager's entry when the object changes.
    /// - Throws: `ApplyError` — 400 for an invalid configuration, 409 for conflicts unless `force`.
    public static func apply(
        configuration: JSONValue, to live: JSONValue?, manager: String, force: Bool, apiVersion: String,
        subresource: String? = nil, resolver: any SchemaTypeResolver, baseline: JSONValue = .emptyObject,
        now: String
    ) throws(ApplyError) -> JSONValue {
        try validate(configuration: configuration, apiVersion: apiVersion, name: live?[path: ["metadata", "name"]]?.stringValue)
        let merge = StructuredMerge(resolver: resolver)
        do throws(any Error) {
            var managed = try live.flatMap { object throws(FieldSetError) -> ManagedFields? in try ManagedFields(of: object) } ?? ManagedFields()
            let liveObject = live.map(removingManagedFields) ?? baseline
            if live != nil, managed.isEmpty {
                managed = try ManagedFieldsTracker.recordUpdate(
                    from: baseline, to: liveObject, managed: managed, manager: beforeFirstApplyManager,
                    subresource: nil, apiVersion: apiVersion, merge: merge, now: now)
            }
            let identity = ManagedFieldsEntry.Identity(
                manager: manager, operation: .apply, apiVersion: apiVersion, subresource: subresource)
            let lastSet = managed.entries[identity]?.fields ?? FieldSet()
            let merged = try merge.merge(liveObject, configuration)
            let appliedSet = try merge.fieldSet(of: configuration)
            managed.entries[identity] = ManagedFieldsEntry(
                manager: manager, operation: .apply, apiVersion: apiVersion,
                time: managed.entries[identity]?.time, fields: appliedSet, subresource: subresource)
            let pruned = try prune(merged, managed: managed, lastSet: lastSet, merge: merge)
            try takeOwnership(
                from: liveObject, to: pruned, managed: &managed, except: identity, force: force, merge: merge)
            managed.entries[identity]?.fields = appliedSet.subtracting(StrippedFields.set)
            if pruned != liveObject { managed.entries[identity]?.time = now }
            managed.removeEmptyEntries()
            managed.capUpdateManagers()
            return settingManagedFields(managed, on: pruned)
        } catch let error as ApplyError {
            throw error
        } catch let error as FieldSetError {
            // The client's object (or the live one it is merged with) does not fit the kind's
            // list and map types: a bad request, not a server failure (kube-apiserver says 500).
            throw .badRequest("failed to create typed patch object: \(error.message)")
        } catch {
            throw .internalError("\(error)")
        }
    }

    /// Checks what the apiserver checks before merging an apply configuration.
    /// - Parameter name: the object name from the request URL, when known.
    public static func validate(configuration: JSONValue, apiVersion: String, name: String? = nil) throws(ApplyError) {
        guard case .object = configuration else {
            throw .badRequest("error decoding YAML: the apply configuration must be an object")
        }
        let patchVersion = configuration["apiVersion"]?.stringValue ?? ""
        guard let kind = configuration["kind"]?.stringValue, !kind.isEmpty else {
            throw .badRequest("Object 'Kind' is missing in '\(JSONText.encode(configuration))'")
        }
        guard patchVersion == apiVersion else {
            throw .badRequest(
                "Incorrect version specified in apply patch. Specified patch version: \(patchVersion), expected: \(apiVersion)")
        }
        if let managedFields = configuration[path: ["metadata", "managedFields"]], !managedFields.isNull {
            throw .badRequest("metadata.managedFields must be nil")
        }
        let configuredName = configuration[path: ["metadata", "name"]]?.stringValue ?? ""
        if let name, configuredName != name {
            throw .badRequest("the name of the object (\(configuredName)) does not match the name on the URL (\(name))")
        }
        if configuredName.isEmpty {
            throw .badRequest("metadata.name: Required value: name is required")
        }
    }

    /// Removes what the manager applied last time and no longer applies, unless another manager
    /// (or this apply) still owns it; never removes anything the manager did not own.
    static func prune(_ merged: JSONValue, managed: ManagedFields, lastSet: FieldSet, merge: StructuredMerge)
        throws(FieldSetError) -> JSONValue
    {
        guard !lastSet.isEmpty else { return merged }
        let pruned = try merge.removingItems(merge.ensuringNamedFieldsAreMembers(lastSet), from: merged)
        let owned = managed.entries.values.reduce(FieldSet()) { $0.union($1.fields) }
        let mergedSet = try merge.fieldSet(of: merged)
        let withOwnedBack = try merge.removingItems(
            merge.ensuringNamedFieldsAreMembers(mergedSet).subtracting(
                merge.ensuringNamedFieldsAreMembers(try merge.fieldSet(of: pruned))
                    .union(merge.ensuringNamedFieldsAreMembers(owned))),
            from: merged)
        let disowned = mergedSet.subtracting(try merge.fieldSet(of: withOwnedBack)).intersection(lastSet)
        return try merge.removingItems(disowned, from: merged)
    }

    /// Moves fields that changed between `old` and `new` away from every manager but `identity`;
    /// without `force`, fields owned by others that would change are conflicts.
    static func takeOwnership(
        from old: JSONValue, to new: JSONValue, managed: inout ManagedFields,
        except identity: ManagedFieldsEntry.Identity?, force: Bool, merge: StructuredMerge
    ) throws(ApplyError) {
        let comparison: StructuredMerge.Comparison
        do {
            comparison = try merge.compare(old, new)
        } catch {
            throw .badRequest("failed to compare objects: \(error.message)")
        }
        let changed = comparison.modified.union(comparison.added)
        var conflicts: [ApplyError.Conflict] = []
        var taken: [ManagedFieldsEntry.Identity: FieldSet] = [:]
        for (other, entry) in managed.entries where other != identity {
            let overlap = entry.fields.intersection(changed)
            if !overlap.isEmpty {
                taken[other] = overlap
                conflicts += overlap.paths.map { ApplyError.Conflict(manager: other, path: $0) }
            }
        }
        if !force, !conflicts.isEmpty { throw .conflict(conflicts) }
        for (other, entry) in managed.entries where other != identity {
            managed.entries[other]?.fields = entry.fields
                .subtracting(taken[other] ?? FieldSet())
                .subtracting(comparison.removed)
        }
        managed.removeEmptyEntries()
    }

    static func removingManagedFields(_ object: JSONValue) -> JSONValue {
        var copy = object
        if copy[path: ["metadata", "managedFields"]] != nil {
            copy[path: ["metadata", "managedFields"]] = nil
        }
        return copy
    }

    static func settingManagedFields(_ managed: ManagedFields, on object: JSONValue) -> JSONValue {
        var copy = object
        copy[path: ["metadata", "managedFields"]] = managed.isEmpty ? nil : managed.json
        return copy
    }
}
