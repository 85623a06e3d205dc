import KubeModel

// Bridges the handlers to server-side apply and managedFields tracking (Patch/): picks the
// list/map type resolver for a resource (its CRD schema, or the built-in table) and turns
// apply errors into API errors.

enum FieldOwnership {
    static func resolver(for definition: ResourceDefinition) -> any SchemaTypeResolver {
        if let schema = definition.schema {
            return StructuralSchemaTypeResolver(openAPIV3Schema: schema)
        }
        return BuiltInTypeResolver(kind: definition.kind)
    }

    /// Records a create/update/patch by `manager` in `metadata.managedFields`.
    ///
    /// As kube-apiserver's `FieldManager.UpdateNoErrors`, a write is never refused because its
    /// fields cannot be tracked (an associative list element without its key, a value whose type
    /// does not match the schema): the object is stored with its managedFields cleared. Refusing
    /// it with a 500, as this did, blamed the server for the client's object.
    static func recordUpdate(
        old: JSONValue?, new: JSONValue, manager: String, subresource: String?, definition: ResourceDefinition
    ) throws(APIError) -> JSONValue {
        do {
            return try ManagedFieldsTracker.update(
                old: old, new: new, manager: manager, subresource: subresource, apiVersion: definition.groupVersion,
                resolver: resolver(for: definition), now: Time.now().rfc3339)
        } catch {
            return ServerSideApply.removingManagedFields(new)
        }
    }

    /// Merges an apply configuration into `live` (nil: the object is being created).
    static func apply(
        configuration: JSONValue, to live: JSONValue?, manager: String, force: Bool, subresource: String?,
        definition: ResourceDefinition
    ) throws(APIError) -> JSONValue {
        do {
            return try ServerSideApply.apply(
                configuration: configuration, to: live, manager: manager, force: force,
                apiVersion: definition.groupVersion, subresource: subresource, resolver: resolver(for: definition),
                now: Time.now().rfc3339)
        } catch {
            throw apiError(error)
        }
    }

    static func validateApply(_ configuration: JSONValue, definition: ResourceDefinition, name: String) throws(APIError) {
        do {
            try ServerSideApply.validate(configuration: configuration, apiVersion: definition.groupVersion, name: name)
        } catch {
            throw apiError(error)
        }
    }

    static func apiError(_ error: ApplyError) -> APIError {
        let status = error.status
        return APIError(code: error.code, reason: error.reason, message: error.message, details: status["details"])
    }
}
