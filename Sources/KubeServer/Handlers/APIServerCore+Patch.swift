import KubeModel

// PATCH in its four flavours. The patch is applied to the current object and the result goes
// through the same path as an update; concurrent writers cause an internal retry (as
// kube-apiserver's GuaranteedUpdate) unless the patch itself pins a resourceVersion.
// Server-side apply creates the object when it does not exist.

public enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    public init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        switch base {
        case "application/json-patch+json": self = .json
        case "application/merge-patch+json": self = .merge
        case "application/strategic-merge-patch+json": self = .strategicMerge
        case "application/apply-patch+yaml", "application/apply-patch+json", "application/apply-patch+cbor": self = .apply
        default: return nil
        }
    }
}

extension APIServerCore {
    public func patch(
        _ definition: ResourceDefinition, namespace: String, name: String, subresource: String, type: PatchType,
        body: [UInt8], options: WriteOptions
    ) throws(APIError) -> (object: JSONValue, warnings: [String], created: Bool) {
        if type == .strategicMerge && !definition.supportsStrategicMergePatch {
            throw APIError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
        if type != .apply && options.force {
            throw .badRequest("force: Invalid value: true: may not be specified for non-apply patch")
        }
        let patchDocument: JSONValue
        do {
            patchDocument = try type == .apply ? YAMLDocument.parse(body) : JSONValue(parsing: body)
        } catch {
            throw .badRequest("error decoding patch: \(error)")
        }
        let key = StorageKey(namespace: definition.isNamespaced ? namespace : "", name: name)
        for _ in 0..<32 {
            guard let (current, revision) = store.get(definition.groupResource, key) else {
                if type == .apply && subresource.isEmpty {
                    return try applyCreate(definition, namespace: namespace, name: name, configuration: patchDocument, options: options)
                }
                throw .notFound(definition.groupResource, name: name)
            }
            let live = presented(current, as: definition)
            var proposed: JSONValue
            var managedFields: JSONValue?
            switch type {
            case .json:
                do {
                    proposed = try JSONPatch.apply(patchDocument, to: live)
                } catch {
                    throw APIError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(error)")
                }
            case .merge:
                proposed = try mergePatched(live, patchDocument)
            case .strategicMerge:
                do {
                    proposed = try StrategicMergePatch.apply(
                        patchDocument, to: live, schema: PatchSchema.forKind(definition.kind))
                } catch {
                    throw .badRequest("\(error)")
                }
            case .apply:
                proposed = try FieldOwnership.apply(
                    configuration: patchDocument, to: live, manager: options.fieldManager, force: options.force,
                    subresource: subresource.isEmpty ? nil : subresource, definition: definition)
                managedFields = proposed[path: ["metadata", "managedFields"]] ?? .array([])
            }
            let pinned = proposed.metaResourceVersion
            if !pinned.isEmpty && pinned != current.metaResourceVersion {
                throw .modified(definition.groupResource, name: name)
            }
            proposed.setMeta("resourceVersion", .string(current.metaResourceVersion))
            do {
                let (object, warnings) = try commitUpdate(
                    definition, key: key, current: current, revision: revision, proposed: proposed,
                    subresource: subresource, options: options, manager: options.fieldManager,
                    operationIsApply: type == .apply, managedFieldsOverride: managedFields)
                return (object, warnings, false)
            } catch let error where error.reason == "Conflict" && pinned.isEmpty
                && error.message.hasSuffix("please apply your changes to the latest version and try again")
            {
                continue
            }
        }
        throw .modified(definition.groupResource, name: name)
    }

    private func mergePatched(_ live: JSONValue, _ patch: JSONValue) throws(APIError) -> JSONValue {
        guard case .object = patch else {
            throw .badRequest("error decoding patch: a merge patch must be a JSON object")
        }
        return JSONMergePatch.apply(patch, to: live)
    }

    private func applyCreate(
        _ definition: ResourceDefinition, namespace: String, name: String, configuration: JSONValue, options: WriteOptions
    ) throws(APIError) -> (object: JSONValue, warnings: [String], created: Bool) {
        try FieldOwnership.validateApply(configuration, definition: definition, name: name)
        var body = configuration
        if body.metaName.isEmpty { body.setMeta("name", .string(name)) }
        let object = try FieldOwnership.apply(
            configuration: body, to: nil, manager: options.fieldManager, force: options.force, subresource: nil,
            definition: definition)
        var createOptions = options
        createOptions.fieldManager = ""
        let (created, warnings) = try create(
            definition, namespace: namespace, body: object, options: createOptions, keepManagedFields: true)
        return (created, warnings, true)
    }
}
