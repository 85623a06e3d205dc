import KubeModel

// `metadata.managedFields` as the server keeps it: one entry per manager identity, where the
// identity is (manager, Apply, subresource) for appliers and (manager, Update, apiVersion,
// subresource) for updaters — SMD's BuildManagerIdentifier drops time always and apiVersion for
// appliers, so re-applying at another version keeps one entry.

/// The operation that produced a managedFields entry.
public enum ManagedFieldsOperation: String, Sendable, Hashable, Comparable {
    case apply = "Apply"
    case update = "Update"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One `metadata.managedFields` entry.
public struct ManagedFieldsEntry: Hashable, Sendable {
    public var manager: String
    public var operation: ManagedFieldsOperation
    public var apiVersion: String
    /// RFC 3339 time of the manager's last change; absent when it never changed the object.
    public var time: String?
    public var fields: FieldSet
    /// `status` or another subresource; `nil` for the main resource.
    public var subresource: String?

    public init(
        manager: String, operation: ManagedFieldsOperation, apiVersion: String, time: String?,
        fields: FieldSet, subresource: String? = nil
    ) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.fields = fields
        self.subresource = subresource
    }

    /// The identity two entries share when they are the same manager.
    public struct Identity: Hashable, Sendable, Comparable {
        public var manager: String
        public var operation: ManagedFieldsOperation
        /// Empty for appliers.
        public var apiVersion: String
        public var subresource: String

        public init(manager: String, operation: ManagedFieldsOperation, apiVersion: String, subresource: String?) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = operation == .apply ? "" : apiVersion
            self.subresource = subresource ?? ""
        }

        /// The JSON identifier SMD uses as the manager's name; conflicts are grouped and
        /// sorted by it.
        public var encoded: String {
            var members: [(String, String)] = [("manager", manager), ("operation", operation.rawValue)]
            if !apiVersion.isEmpty { members.append(("apiVersion", apiVersion)) }
            if !subresource.isEmpty { members.append(("subresource", subresource)) }
            var text = "{"
            for (offset, (key, value)) in members.enumerated() {
                if offset > 0 { text += "," }
                JSONText.writeString(key, to: &text)
                text += ":"
                JSONText.writeString(value, to: &text)
            }
            return text + "}"
        }

        /// How conflict messages name the manager: `"kubectl"`, `"x" with subresource "status"`,
        /// and `using <apiVersion>` for updaters.
        public var printed: String {
            var text = GoSyntax.quoted(manager)
            if !subresource.isEmpty { text += " with subresource \(GoSyntax.quoted(subresource))" }
            if operation == .update { text += " using \(apiVersion)" }
            return text
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.encoded < rhs.encoded }
    }

    public var identity: Identity {
        Identity(manager: manager, operation: operation, apiVersion: apiVersion, subresource: subresource)
    }

    /// Decodes one entry; throws for entries the server could not have written.
    public init(json: JSONValue) throws(FieldSetError) {
        guard case .object = json else { throw FieldSetError(message: "managedFields entry must be an object") }
        guard let operation = json["operation"]?.stringValue.flatMap(ManagedFieldsOperation.init(rawValue:)) else {
            throw FieldSetError(message: "managedFields entry has an invalid operation")
        }
        if let type = json["fieldsType"]?.stringValue, type != "FieldsV1" {
            throw FieldSetError(message: "invalid fieldsType \(GoSyntax.quoted(type))")
        }
        self.init(
            manager: json["manager"]?.stringValue ?? "",
            operation: operation,
            apiVersion: json["apiVersion"]?.stringValue ?? "",
            time: json["time"]?.stringValue,
            fields: try json["fieldsV1"].map { value throws(FieldSetError) in try FieldSet(fieldsV1: value) } ?? FieldSet(),
            subresource: json["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 })
    }

    /// The entry as it appears in `metadata.managedFields`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "manager": .string(manager),
            "operation": .string(operation.rawValue),
            "apiVersion": .string(apiVersion),
            "fieldsType": "FieldsV1",
            "fieldsV1": fields.fieldsV1,
        ]
        if let time { object["time"] = .string(time) }
        if let subresource, !subresource.isEmpty { object["subresource"] = .string(subresource) }
        return .object(object)
    }
}

/// The managed fields of one object, keyed by manager identity.
public struct ManagedFields: Sendable, Hashable {
    public var entries: [ManagedFieldsEntry.Identity: ManagedFieldsEntry] = [:]

    /// The server caps Update entries: older ones fold into `ancient-changes` per apiVersion.
    public static let maximumUpdateManagers = 10
    public static let ancientChangesManager = "ancient-changes"

    public init() {}

    public init(_ entries: [ManagedFieldsEntry]) {
        for entry in entries {
            if let existing = self.entries[entry.identity] {
                self.entries[entry.identity]?.fields = existing.fields.union(entry.fields)
            } else {
                self.entries[entry.identity] = entry
            }
        }
    }

    /// Decodes `metadata.managedFields` of `object`; `nil` when absent.
    public init?(of object: JSONValue) throws(FieldSetError) {
        guard let list = object[path: ["metadata", "managedFields"]], !list.isNull else { return nil }
        guard case .array(let items) = list else { throw FieldSetError(message: "managedFields must be a list") }
        var entries: [ManagedFieldsEntry] = []
        for item in items { entries.append(try ManagedFieldsEntry(json: item)) }
        self.init(entries)
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Entries in the order the real server writes them: Apply before Update, then by time,
    /// manager, apiVersion and subresource.
    public var sortedEntries: [ManagedFieldsEntry] {
        entries.values.sorted { left, right in
            if left.operation != right.operation { return left.operation < right.operation }
            let (leftTime, rightTime) = (left.time ?? "", right.time ?? "")
            if leftTime != rightTime { return leftTime < rightTime }
            if left.manager != right.manager { return left.manager < right.manager }
            if left.apiVersion != right.apiVersion { return left.apiVersion < right.apiVersion }
            return (left.subresource ?? "") < (right.subresource ?? "")
        }
    }

    public var json: JSONValue { .array(sortedEntries.map(\.json)) }

    /// Drops entries that own nothing.
    mutating func removeEmptyEntries() {
        entries = entries.filter { !$0.value.fields.isEmpty }
    }

    /// Folds the oldest Update entries into `ancient-changes` once there are more than
    /// `maximumUpdateManagers`, as the server's capManagersManager does.
    mutating func capUpdateManagers() {
        var updaters = entries.values.filter { $0.operation == .update }
        guard updaters.count > Self.maximumUpdateManagers else { return }
        updaters.sort { left, right in
            let (leftTime, rightTime) = (left.time ?? "", right.time ?? "")
            if leftTime != rightTime { return leftTime < rightTime }
            return left.identity < right.identity
        }
        var remaining = updaters.count
        var firstPerVersion: [String: ManagedFieldsEntry.Identity] = [:]
        for updater in updaters where remaining > Self.maximumUpdateManagers {
            let bucket = ManagedFieldsEntry.Identity(
                manager: Self.ancientChangesManager, operation: .update, apiVersion: updater.apiVersion,
                subresource: nil)
            guard let first = firstPerVersion[updater.apiVersion] else {
                firstPerVersion[updater.apiVersion] = updater.identity
                continue
            }
            if entries[bucket] == nil, var seed = entries.removeValue(forKey: first) {
                seed.manager = Self.ancientChangesManager
                seed.subresource = nil
                entries[bucket] = seed
            }
            if var merged = entries[bucket] {
                merged.fields = merged.fields.union(updater.fields)
                merged.time = updater.time
                entries[bucket] = merged
            }
            entries[updater.identity] = nil
            remaining -= 1
        }
    }
}
